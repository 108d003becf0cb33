/**
 * A stand-in for what image resolution reads outside the program: a registry where
 * every digest exists unless listed as missing, and tags exist only when listed;
 * other stacks' outputs from the mocks' stackReferenceOutputs.
 */
import type { ImageLookup } from "../../src/images/lookup";
import type { ImageSet } from "../../src/images/types";
import type { Manifest } from "../../src/images/registry-client";
import { SHA_A } from "./fixtures";
import { stackReferenceOutputs } from "./mocks";

export interface FakeRegistry {
  /** Digest references that are not in the registry. */
  missing: Set<string>;
  /** `server/repository:tag` -> the digest it points at and the revision label of its image. */
  tags: Map<string, { digest: string; revision?: string }>;
  /** Every manifest request, as `server/repository@reference`. */
  asked: string[];
  /** When set, every manifest request fails with it. */
  failure?: Error;
}

export const fakeRegistry: FakeRegistry = { missing: new Set(), tags: new Map(), asked: [] };
/** What the stack's own last `images` output says (build mode). */
export const ownImages: { value?: ImageSet } = {};

export function resetLookup(): void {
  fakeRegistry.missing.clear();
  fakeRegistry.tags.clear();
  fakeRegistry.asked.length = 0;
  delete fakeRegistry.failure;
  delete ownImages.value;
}

export const fakeLookup: ImageLookup = {
  registry: {
    async manifest(server, repository, reference): Promise<Manifest | undefined> {
      fakeRegistry.asked.push(`${server}/${repository}@${reference}`);
      if (fakeRegistry.failure) throw fakeRegistry.failure;
      if (reference.startsWith("sha256:")) {
        if (fakeRegistry.missing.has(`${server}/${repository}@${reference}`)) return undefined;
        return {
          digest: reference,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          body: {},
        };
      }
      const tag = fakeRegistry.tags.get(`${server}/${repository}:${reference}`);
      return (
        tag && {
          digest: tag.digest,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          body: {},
        }
      );
    },
    async revision(server, repository, m) {
      for (const [key, tag] of fakeRegistry.tags) {
        if (key.startsWith(`${server}/${repository}:`) && tag.digest === m.digest)
          return tag.revision;
      }
      return undefined;
    },
  },
  async stackOutputs(stack) {
    const out = (stackReferenceOutputs[stack] ?? {}) as {
      verifiedImages?: ImageSet;
      images?: ImageSet;
    };
    return { verified: out.verifiedImages, deployed: out.images };
  },
  async ownImages() {
    return ownImages.value;
  },
  // Every build context is a clean checkout at SHA_A.
  revision: { env: {}, git: (args) => (args[0] === "rev-parse" ? SHA_A : "") },
};
