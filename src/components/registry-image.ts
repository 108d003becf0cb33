import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryCredentials } from "./secrets";
import { TYPE } from "../names";

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
  readonly platform: "linux/amd64" | "linux/arm64";
  /** Repository without tag, e.g. "ghcr.io/owner/coagents-travel-backend". */
  readonly repository: string;
  /** Push credentials. */
  readonly registry: RegistryCredentials;
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

export interface RegistryImageArgs {
  readonly source: BuildSource | ExistingSource;
}

/**
 * An image in the registry, identified by digest. In build mode it is built and
 * pushed under the git SHA tag, and `ref` is known only after the push, so no
 * workload can point at an image that was not pushed. Otherwise it builds
 * nothing and passes the given reference through.
 */
export class RegistryImage extends pulumi.ComponentResource {
  /** Digest-pinned reference: `registry/owner/name@sha256:<digest>`. */
  public readonly ref: pulumi.Output<string>;
  /** The git SHA the image was built from (its tag). */
  public readonly gitSha: pulumi.Output<string>;

  constructor(name: string, args: RegistryImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.registryImage, name, {}, opts);
    const src = args.source;
    if (src.kind === "existing") {
      this.ref = pulumi.output(src.ref);
      this.gitSha = pulumi.output(src.gitSha);
    } else {
      const image = new dockerbuild.Image(
        name,
        {
          context: { location: src.context },
          dockerfile: { location: src.dockerfile },
          platforms: [src.platform],
          ...(src.builder === undefined ? {} : { builder: { name: src.builder } }),
          ...(src.cacheTag === undefined
            ? {}
            : {
                cacheFrom: [{ registry: { ref: `${src.repository}:${src.cacheTag}` } }],
                cacheTo: [
                  {
                    registry: {
                      ref: `${src.repository}:${src.cacheTag}`,
                      mode: dockerbuild.CacheMode.Max,
                      imageManifest: true,
                      ociMediaTypes: true,
                    },
                  },
                ],
              }),
          tags: [`${src.repository}:${src.gitSha}`],
          labels: { "org.opencontainers.image.revision": src.gitSha },
          push: true,
          registries: [
            {
              address: src.registry.server,
              username: src.registry.username,
              password: pulumi.secret(src.registry.token),
            },
          ],
        },
        { parent: this },
      );
      this.ref = pulumi.interpolate`${src.repository}@${image.digest}`;
      this.gitSha = pulumi.output(src.gitSha);
    }
    this.registerOutputs({ ref: this.ref, gitSha: this.gitSha });
  }
}
