import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { BuildSource, ExistingSource } from "../images/types";
import { TYPE } from "../names";

export interface RegistryImageArgs {
  /** Build and push it, or take an image already in the registry (images/resolve.ts decides). */
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
          labels: { ...src.labels },
          // As secrets: encrypted in the state, hidden in previews and logs.
          ...(Object.keys(src.secrets).length === 0
            ? {}
            : {
                secrets: Object.fromEntries(
                  Object.entries(src.secrets).map(([id, v]) => [id, pulumi.secret(v)]),
                ),
              }),
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
