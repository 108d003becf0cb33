/**
 * The outside world image resolution reads, for real: the registry with the pull
 * credentials, other stacks' outputs, this stack's own last outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";
import type { ImageWorld } from "./resolve";
import type { ImageSet } from "./promotion";
import { Registry } from "./registry-client";

/** The plaintext of an Output the program holds (a config secret), for a request. */
const reveal = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

async function imagesOf(ref: pulumi.StackReference, output: string): Promise<ImageSet | undefined> {
  return (await ref.getOutputDetails(output)).value as ImageSet | undefined;
}

export function liveImageWorld(cfg: StackConfig): ImageWorld {
  let client: Promise<Registry> | undefined;
  const registry = () =>
    (client ??= (async () => {
      const token = cfg.registryPullToken && (await reveal(cfg.registryPullToken));
      return new Registry(
        token ? { username: cfg.registry.pullUsername, password: token } : undefined,
      );
    })());
  return {
    registry: {
      manifest: async (server, repository, reference) =>
        (await registry()).manifest(server, repository, reference),
      revision: async (server, repository, m, platform) =>
        (await registry()).revision(server, repository, m, platform),
    },
    stackOutputs: async (stack) => {
      const ref = new pulumi.StackReference(stack);
      return {
        verified: await imagesOf(ref, "verifiedImages"),
        deployed: await imagesOf(ref, "images"),
      };
    },
    ownImages: async () => {
      const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
      return imagesOf(new pulumi.StackReference(`${self}-own-images`, { name: self }), "images");
    },
  };
}
