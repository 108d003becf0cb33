/**
 * A stand-in for what image resolution reads outside the program: a registry where
 * every digest exists unless listed as missing, and tags exist only when listed, which
 * denies the repositories listed in `denied` to the pull or push credentials (as GHCR
 * may deny a package never pushed); other stacks' outputs from the mocks' stackReferenceOutputs.
 */
import type { ImageLookup } from "../../src/images/lookup";
import type { ImageSet, RevokedImageSet, VerifiedImageSet } from "../../src/images/types";
import { RegistryError, refusalMessage, type Manifest } from "../../src/images/registry-client";
import { SHA_A } from "./fixtures";
import { stackReferenceOutputs } from "./mocks";

export interface FakeRegistry {
  /** Digest references that are not in the registry. */
  missing: Set<string>;
  /** `server/repository:tag` -> the digest it points at and the revision label of its image. */
  tags: Map<string, { digest: string; revision?: string }>;
  /** Every manifest request, as `server/repository@reference` (`push ` first: with the push credentials). */
  asked: string[];
  /** When set, every manifest request fails with it; `pushFailure`: every one with the push credentials. */
  failure?: Error;
  pushFailure?: Error;
  /** `server/repository`s the registry denies the pull, and the push, credentials. */
  denied: { pull: Set<string>; push: Set<string> };
}

export const fakeRegistry: FakeRegistry = {
  missing: new Set(),
  tags: new Map(),
  asked: [],
  denied: { pull: new Set(), push: new Set() },
};

/** The fixtures' registry.username, and so their pullUsername too. */
const USER = "ci-bot";

/** What the stack's own last `images` output says (build mode). */
export const ownImages: { value?: ImageSet } = {};
/** This stack's own `releases` output, as the fake lookup reports it. */
export const ownReleases: { value?: VerifiedImageSet[] } = {};

export function resetLookup(): void {
  fakeRegistry.missing.clear();
  fakeRegistry.tags.clear();
  fakeRegistry.asked.length = 0;
  fakeRegistry.denied.pull.clear();
  fakeRegistry.denied.push.clear();
  delete fakeRegistry.failure;
  delete fakeRegistry.pushFailure;
  delete ownImages.value;
  delete ownReleases.value;
}

/** A manifest read with the pull or push credentials. */
async function manifest(
  as: "pull" | "push",
  server: string,
  repository: string,
  reference: string,
): Promise<Manifest | undefined> {
  fakeRegistry.asked.push(`${as === "push" ? "push " : ""}${server}/${repository}@${reference}`);
  if (fakeRegistry.failure) throw fakeRegistry.failure;
  if (as === "push" && fakeRegistry.pushFailure) throw fakeRegistry.pushFailure;
  if (fakeRegistry.denied[as].has(`${server}/${repository}`)) {
    const message = refusalMessage(
      "denied",
      server,
      repository,
      { username: USER },
      "HTTP 403 DENIED",
    );
    throw new RegistryError(message, "denied");
  }
  if (reference.startsWith("sha256:")) {
    if (fakeRegistry.missing.has(`${server}/${repository}@${reference}`)) return undefined;
    return { digest: reference, mediaType: "application/vnd.oci.image.manifest.v1+json", body: {} };
  }
  const tag = fakeRegistry.tags.get(`${server}/${repository}:${reference}`);
  return (
    tag && { digest: tag.digest, mediaType: "application/vnd.oci.image.manifest.v1+json", body: {} }
  );
}

/** The fake lookup's clock: what a promotion's soak is measured against. */
export const FAKE_NOW = new Date("2026-12-05T12:00:00.000Z");

export const fakeLookup: ImageLookup = {
  registry: {
    manifest: (server, repository, reference) => manifest("pull", server, repository, reference),
    async revision(server, repository, m) {
      for (const [key, tag] of fakeRegistry.tags) {
        if (key.startsWith(`${server}/${repository}:`) && tag.digest === m.digest)
          return tag.revision;
      }
      return undefined;
    },
  },
  pushRegistry: {
    manifest: (server, repository, reference) => manifest("push", server, repository, reference),
  },
  async stackOutputs(stack) {
    const out = (stackReferenceOutputs[stack] ?? {}) as {
      verifiedImages?: VerifiedImageSet;
      images?: ImageSet;
      revokedImages?: RevokedImageSet;
    };
    return { verified: out.verifiedImages, deployed: out.images, revoked: out.revokedImages };
  },
  now: () => FAKE_NOW,
  async ownImages() {
    return ownImages.value;
  },
  async ownReleases() {
    return ownReleases.value;
  },
  // Every build context is a clean checkout at SHA_A.
  revision: { env: {}, git: (args) => (args[0] === "rev-parse" ? SHA_A : "") },
};
