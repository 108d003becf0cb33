/**
 * What image resolution reads from outside the program (the port, ImageLookup), and
 * its live implementation: the registry with the pull credentials (and, for a build's tag
 * the pull credentials are denied, with the push credentials), other stacks' outputs, this
 * stack's own last outputs. Unit tests substitute a fake.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";
import type { ImageSet, RevokedImageSet, VerifiedImageSet } from "./types";
import { Registry, type Manifest } from "./registry-client";
import type { SourceRevisionOptions } from "./source-revision";

/** What image resolution reads of a registry. */
export interface RegistryReads {
  manifest(server: string, repository: string, reference: string): Promise<Manifest | undefined>;
  revision(
    server: string,
    repository: string,
    m: Manifest,
    platform: string,
  ): Promise<string | undefined>;
}

/** What image resolution reads from outside the program. */
export interface ImageLookup {
  /** The registry, read with the pull credentials. */
  readonly registry: RegistryReads;
  /**
   * The registry read with the push credentials (the push token as `registry.username`):
   * asked only for the tag of a build when the registry denies the pull credentials its
   * repository (see resolve.ts).
   */
  readonly pushRegistry: Pick<RegistryReads, "manifest">;
  /** The `verifiedImages`, `images` and `revokedImages` outputs of a stack. */
  readonly stackOutputs: (stack: string) => Promise<{
    verified: VerifiedImageSet | undefined;
    deployed: ImageSet | undefined;
    revoked: RevokedImageSet | undefined;
  }>;
  /** This stack's own `images` output from its last update (build mode). */
  readonly ownImages: () => Promise<ImageSet | undefined>;
  /** This stack's own `releases` output from its last update (releases.ts). */
  readonly ownReleases: () => Promise<VerifiedImageSet[] | undefined>;
  /** The current time (a promotion's soak is measured against it). */
  readonly now: () => Date;
  /** Git and environment, for the source's commit. */
  readonly revision?: Pick<SourceRevisionOptions, "env" | "git">;
}

/** The plaintext of an Output the program holds (a config secret), for a request. */
const reveal = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

async function imagesOf<T = ImageSet>(
  ref: pulumi.StackReference,
  output: string,
): Promise<T | undefined> {
  return (await ref.getOutputDetails(output)).value as T | undefined;
}

/** A client reading as `username` with `token` (none: anonymous), made on first use. */
function lazyRegistry(username: string, token: pulumi.Output<string> | undefined) {
  let client: Promise<Registry> | undefined;
  return () =>
    (client ??= (async () =>
      new Registry(token ? { username, password: await reveal(token) } : undefined))());
}

/** This stack's own outputs from its last update: one StackReference, made on first use. */
function ownStack(): () => pulumi.StackReference {
  let ref: pulumi.StackReference | undefined;
  return () => {
    const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    return (ref ??= new pulumi.StackReference(`${self}-own-images`, { name: self }));
  };
}

export function liveImageLookup(cfg: StackConfig): ImageLookup {
  const self = ownStack();
  const registry = lazyRegistry(cfg.registry.pullUsername, cfg.registryPullToken);
  const pusher = lazyRegistry(cfg.registry.username, cfg.registryToken);
  return {
    registry: {
      manifest: async (server, repository, reference) =>
        (await registry()).manifest(server, repository, reference),
      revision: async (server, repository, m, platform) =>
        (await registry()).revision(server, repository, m, platform),
    },
    pushRegistry: {
      manifest: async (server, repository, reference) =>
        (await pusher()).manifest(server, repository, reference),
    },
    stackOutputs: async (stack) => {
      const ref = new pulumi.StackReference(stack);
      return {
        verified: await imagesOf<VerifiedImageSet>(ref, "verifiedImages"),
        deployed: await imagesOf(ref, "images"),
        revoked: await imagesOf<RevokedImageSet>(ref, "revokedImages"),
      };
    },
    now: () => new Date(),
    ownImages: () => imagesOf(self(), "images"),
    ownReleases: async () =>
      (await self().getOutputDetails("releases")).value as VerifiedImageSet[] | undefined,
  };
}
