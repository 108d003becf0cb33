/**
 * RegistryImage and image resolution: what is built (and pushed with which token), what
 * the registry already has, and what is refused before any object, with the exact messages.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { fakeDigest, ofType, one, recorded, Recorded, secretContent } from "../../support/mocks";
import { fakeRegistry, ownImages, resetLookup } from "../../support/image-lookup";
import { compose } from "../../support/compose";
import { BACKEND_REF, FRONTEND_REF, SECRET_VALUES, SHA_A, validRaw } from "../../support/fixtures";
import { RegistryError } from "../../../src/images/registry-client";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const container = (r: Recorded) => r.inputs.spec.template.spec.containers[0];

describe("RegistryImage", () => {
  beforeEach(resetLookup);

  it("builds nothing for pinned images, once the registry has both digests", async () => {
    await compose(validRaw());
    assert.equal(ofType("docker-build:index:Image").length, 0);
    assert.deepEqual(fakeRegistry.asked, [BACKEND_REF, FRONTEND_REF]);
  });

  const buildRaw = () => {
    const raw = validRaw();
    raw.registryToken = SECRET_VALUES.registryToken;
    raw.images = {
      mode: "build",
      backend: { context: "app/agent" },
      frontend: { context: "app/ui", dockerfile: "app/ui/Dockerfile.prod" },
    };
    return raw;
  };
  const TAG = `ghcr.io/acme/coagents-travel-backend:${SHA_A}`;

  it("builds, tags with the full SHA, pushes with the push token and deploys the digest", async () => {
    await compose(buildRaw());
    const { registries, ...inputs } = one("docker-build:index:Image", "travel-backend").inputs;
    assert.deepEqual(inputs, {
      buildOnPreview: true,
      context: { location: "app/agent" },
      dockerfile: { location: "app/agent/Dockerfile" },
      network: "default",
      platforms: ["linux/amd64"],
      tags: [TAG],
      labels: { "org.opencontainers.image.revision": SHA_A },
      push: true,
    });
    assert.deepEqual(secretContent(registries), [
      { address: "ghcr.io", username: "ci-bot", password: SECRET_VALUES.registryToken },
    ]);
    assert.deepEqual(one("docker-build:index:Image", "travel-frontend").inputs.dockerfile, {
      location: "app/ui/Dockerfile.prod",
    });
    assert.equal(
      container(one(DEPLOYMENT, "travel-backend")).image,
      `ghcr.io/acme/coagents-travel-backend@${fakeDigest(TAG)}`,
    );
  });

  it("reuses a tag the registry already has for this commit: builds nothing, deploys its digest", async () => {
    const digest = fakeDigest("pushed earlier");
    fakeRegistry.tags.set(TAG, { digest, revision: SHA_A });
    await compose(buildRaw());
    assert.deepEqual(
      ofType("docker-build:index:Image").map((r) => r.name),
      ["travel-frontend"],
    );
    assert.equal(
      container(one(DEPLOYMENT, "travel-backend")).image,
      `ghcr.io/acme/coagents-travel-backend@${digest}`,
    );
  });

  it("keeps the build (a no-op) of what this stack pushed itself", async () => {
    const digest = fakeDigest("pushed by this stack");
    fakeRegistry.tags.set(TAG, { digest, revision: SHA_A });
    ownImages.value = {
      backend: { ref: `ghcr.io/acme/coagents-travel-backend@${digest}`, gitSha: SHA_A },
      frontend: { ref: FRONTEND_REF, gitSha: SHA_A },
    };
    await compose(buildRaw());
    assert.equal(ofType("docker-build:index:Image").length, 2);
  });

  it("never pushes over a tag that holds another commit's image, and changes nothing", async () => {
    fakeRegistry.tags.set(TAG, { digest: fakeDigest("impostor"), revision: "f".repeat(40) });
    await assert.rejects(compose(buildRaw()), {
      message:
        "The images cannot be deployed (1 problem):\n" +
        `  - travel:images.backend: ${TAG} already exists with other content (its org.opencontainers.image.revision is "${"f".repeat(40)}"): ` +
        "an existing tag is never pushed over; delete that tag or build another commit",
    });
    assert.equal(ofType(DEPLOYMENT).length, 0);
  });

  it("blames the registry's address when it does not answer, and the pull token when it refuses it", async () => {
    fakeRegistry.failure = new RegistryError(
      "ghcr.io did not answer (fetch failed)",
      "unreachable",
    );
    await assert.rejects(compose(buildRaw()), (err: Error) =>
      err.message.includes(
        `  - travel:registry.server: cannot look up ${TAG}: ghcr.io did not answer (fetch failed)`,
      ),
    );
    fakeRegistry.failure = new RegistryError(
      "ghcr.io refused the credentials (HTTP 401)",
      "credentials",
    );
    await assert.rejects(compose(buildRaw()), (err: Error) =>
      err.message.includes(
        `  - travel:registryPullToken: cannot look up ${TAG}: ghcr.io refused the credentials (HTTP 401)`,
      ),
    );
    assert.equal(ofType(DEPLOYMENT).length, 0);
  });

  it("refuses pinned digests the registry does not have, naming each, before any object", async () => {
    fakeRegistry.missing.add(BACKEND_REF);
    fakeRegistry.missing.add(FRONTEND_REF);
    await assert.rejects(compose(validRaw()), {
      message:
        "The images cannot be deployed (2 problems):\n" +
        `  - travel:images.backend.ref: ${BACKEND_REF} (pinned backend) is not in the registry: its pods would end in ImagePullBackOff; push it, or pin a digest that was pushed\n` +
        `  - travel:images.frontend.ref: ${FRONTEND_REF} (pinned frontend) is not in the registry: its pods would end in ImagePullBackOff; push it, or pin a digest that was pushed`,
    });
    assert.equal(recorded.filter((r) => r.type.startsWith("kubernetes:")).length, 0);
  });

  it("takes promoted images from the source stack's verified outputs, once the registry has them", async () => {
    const { stackReferenceOutputs } = await import("../../support/mocks");
    const images = {
      backend: { ref: BACKEND_REF, gitSha: SHA_A },
      frontend: { ref: FRONTEND_REF, gitSha: SHA_A },
    };
    stackReferenceOutputs["org/travel/dev"] = { images, verifiedImages: images };
    const raw = validRaw();
    raw.images = { mode: "promote", fromStack: "org/travel/dev" };
    await compose(raw, "staging");
    assert.equal(ofType("docker-build:index:Image").length, 0);
    assert.deepEqual(fakeRegistry.asked, [BACKEND_REF, FRONTEND_REF]);
    assert.equal(container(one(DEPLOYMENT, "travel-frontend")).image, FRONTEND_REF);
    fakeRegistry.missing.add(FRONTEND_REF);
    await assert.rejects(compose(raw, "staging"), (err: Error) =>
      err.message.includes(
        `travel:images: ${FRONTEND_REF} (frontend, promoted from "org/travel/dev") is not in the registry`,
      ),
    );
  });
});
