/**
 * What image resolution produces and the components consume: where each workload's
 * image comes from (a build, or an image already in the registry), the credentials a
 * push or pull uses, and the digest-pinned images a stack exports.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Platform, WorkloadName } from "../names";

export interface RegistryCredentials {
  /** Registry host, e.g. "ghcr.io". */
  readonly server: string;
  readonly username: string;
  /** A token with read access to the images (a Pulumi secret), or the push token. */
  readonly token: pulumi.Input<string>;
}

/** Build `context` with `dockerfile`, tag it with the source's git SHA and push it. */
export interface BuildSource {
  readonly kind: "build";
  /** Build context directory. */
  readonly context: string;
  /** Dockerfile path. */
  readonly dockerfile: string;
  /** Full git SHA of the source (the immutable tag). */
  readonly gitSha: string;
  /** Target platform, e.g. "linux/amd64". */
  readonly platform: Platform;
  /** Repository without tag, e.g. "ghcr.io/owner/coagents-travel-backend". */
  readonly repository: string;
  /** Push credentials. */
  readonly registry: RegistryCredentials;
  /** The image's labels (builders/labels.ts, imageLabels). */
  readonly labels: Readonly<Record<string, string>>;
  /** BuildKit secrets by id: the contents of `images.buildSecrets`' files. */
  readonly secrets: Readonly<Record<string, string>>;
  /**
   * Name of an existing buildx builder, e.g. "default" for the Docker daemon's own
   * BuildKit (no builder image to pull).
   * @default the provider's default: a docker-container builder it creates
   */
  readonly builder?: string;
  /**
   * Registry cache: layers are imported from and exported to `<repository>:<tag>`, so a
   * build on a fresh machine (CI) rebuilds only the layers whose inputs changed.
   * @default no registry cache
   */
  readonly cacheTag?: string;
}

/** Use an image that was built and pushed before (promotion or a pinned reference). */
export interface ExistingSource {
  readonly kind: "existing";
  /** Digest-pinned reference `name@sha256:...`. */
  readonly ref: pulumi.Input<string>;
  /** The git SHA it was built from. */
  readonly gitSha: pulumi.Input<string>;
}

export interface ImageOutput {
  ref: string;
  gitSha: string;
}

export type ImageSet = Record<WorkloadName, ImageOutput>;

/**
 * A stack's `verifiedImages` output: the images and when their verification passed
 * (absent in the outputs of releases verified before verification recorded it).
 */
export type VerifiedImageSet = ImageSet & { verifiedAt?: string };

/**
 * A stack's `revokedImages` output: a release it had verified whose re-check failed (a
 * rollout or a check of a later update of it), when and why. The deploy command writes it
 * and removes `verifiedImages` (commands/deploy/revoke.ts); the next update whose checks
 * pass replaces both.
 */
export type RevokedImageSet = VerifiedImageSet & { revokedAt: string; reason: string };

/** Each workload's image source, as resolve.ts decides it. */
export type ImageSources = Record<WorkloadName, BuildSource | ExistingSource>;
