/**
 * RegistryImage and image resolution: what is built (and pushed with which token), what
 * the registry already has, and what is refused before any object, with the exact messages.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { beforeEach, describe, it, type TestContext } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
  fakeDigest,
  ofType,
  one,
  recorded,
  Recorded,
  secretContent,
  stackReferenceOutputs,
} from "../../support/mocks";
import { FAKE_NOW, fakeRegistry, ownImages, resetLookup } from "../../support/image-lookup";
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
  const REPO = "ghcr.io/acme/coagents-travel-backend";
  const REFUSED =
    'ghcr.io refused the credentials of "ci-bot" (HTTP 403 DENIED from its token endpoint ghcr.io/token): ' +
    'expected a valid, unexpired token of "ci-bot" that may pull acme/coagents-travel-backend';
  const DENIED =
    'ghcr.io took the credentials of "ci-bot" but does not let them read acme/coagents-travel-backend ' +
    '(HTTP 403 DENIED): expected "ci-bot" to be allowed to pull acme/coagents-travel-backend';

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
      labels: {
        "org.opencontainers.image.revision": SHA_A,
        "org.opencontainers.image.source": "https://github.com/acme/travel",
      },
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

  it("hands the build secrets' file contents to BuildKit as secrets, by id", async () => {
    const raw = buildRaw();
    raw.images.buildSecrets = { "proxy-ca": "package.json", npmrc: "tsconfig.json" };
    await compose(raw);
    for (const w of ["travel-backend", "travel-frontend"]) {
      // The engine sees the whole map as secret.
      assert.deepEqual(secretContent(one("docker-build:index:Image", w).inputs.secrets), {
        "proxy-ca": readFileSync("package.json", "utf8"),
        npmrc: readFileSync("tsconfig.json", "utf8"),
      });
    }
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
    fakeRegistry.failure = new RegistryError(REFUSED, "credentials");
    await assert.rejects(compose(buildRaw()), (err: Error) =>
      err.message.includes(`  - travel:registryPullToken: cannot look up ${TAG}: ${REFUSED}`),
    );
    assert.equal(ofType(DEPLOYMENT).length, 0);
  });

  /** Composes `raw`, returning what the program warned about the backend. */
  const backendWarnings = async (t: TestContext, raw: Record<string, unknown>) => {
    const warn = t.mock.method(pulumi.log, "warn", async () => {});
    await compose(raw);
    return warn.mock.calls
      .map((c) => String(c.arguments[0]))
      .filter((m) => m.startsWith("backend:"));
  };
  const building = (push: string) =>
    `backend: building ${TAG}: the registry denies its repository to the pull credentials (${DENIED}) ` +
    `and ${push}, as GHCR may answer for a package that was never pushed. The pods pull with the pull ` +
    `credentials: if they still may not read ${REPO} once it is pushed, the rollout stops at the refused pull`;

  it("builds a repository the registry denies both tokens (GHCR before the first push), and says so", async (t) => {
    fakeRegistry.denied.pull.add(REPO);
    fakeRegistry.denied.push.add(REPO);
    assert.deepEqual(await backendWarnings(t, buildRaw()), [building("to registryToken too")]);
    assert.deepEqual(
      ofType("docker-build:index:Image").map((r) => r.name),
      ["travel-backend", "travel-frontend"],
    );
    assert.deepEqual(
      fakeRegistry.asked.filter((a) => a.includes(REPO)),
      [`${REPO}@${SHA_A}`, `push ${REPO}@${SHA_A}`],
    );
  });

  it("builds when the pull token is denied and the push token finds no such tag", async (t) => {
    fakeRegistry.denied.pull.add(REPO);
    assert.deepEqual(await backendWarnings(t, buildRaw()), [
      building("registryToken finds no such tag"),
    ]);
    assert.equal(ofType("docker-build:index:Image").length, 2);
  });

  it("refuses a tag the push token finds but the pull token may not read, changing nothing", async () => {
    fakeRegistry.denied.pull.add(REPO);
    fakeRegistry.tags.set(TAG, { digest: fakeDigest("pushed earlier"), revision: SHA_A });
    await assert.rejects(compose(buildRaw()), {
      message:
        "The images cannot be deployed (1 problem):\n" +
        `  - travel:registryPullToken: cannot look up ${TAG}: ${DENIED}; yet registryToken finds that tag: ` +
        "it exists, and the pods, which pull with the same credentials, could not pull it",
    });
    assert.equal(ofType(DEPLOYMENT).length, 0);
  });

  it("points a public stack's denied anonymous read at registry.public", async () => {
    const raw = buildRaw();
    raw.registry.public = true;
    delete raw.registryPullToken;
    fakeRegistry.denied.pull.add(REPO);
    fakeRegistry.tags.set(TAG, { digest: fakeDigest("pushed earlier"), revision: SHA_A });
    await assert.rejects(compose(raw), (err: Error) =>
      err.message.includes(`  - travel:registry.public: cannot look up ${TAG}: `),
    );
  });

  it("blames the push token when it is refused where the pull token was denied", async () => {
    fakeRegistry.denied.pull.add(REPO);
    fakeRegistry.pushFailure = new RegistryError(REFUSED, "credentials");
    await assert.rejects(compose(buildRaw()), {
      message:
        "The images cannot be deployed (1 problem):\n" +
        `  - travel:registryToken: cannot look up ${TAG}: ${REFUSED}`,
    });
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

  it("refuses, before any resource, a promotion that is not the approved release or has not soaked", async () => {
    const images = {
      backend: { ref: BACKEND_REF, gitSha: SHA_A },
      frontend: { ref: FRONTEND_REF, gitSha: SHA_A },
    };
    const verifiedAt = new Date(FAKE_NOW.getTime() - 4 * 60_000).toISOString();
    stackReferenceOutputs["org/travel/staging"] = {
      images,
      verifiedImages: { ...images, verifiedAt },
    };
    const raw = validRaw();
    const approvedBackend = BACKEND_REF.replace(/@sha256:.*/, `@sha256:${"e".repeat(64)}`);
    raw.images = {
      mode: "promote",
      fromStack: "org/travel/staging",
      soakMinutes: 10,
      refs: { backend: approvedBackend, frontend: FRONTEND_REF },
    };
    await assert.rejects(compose(raw, "prod"), {
      message:
        "The images cannot be deployed (2 problems):\n" +
        `  - travel:images: refusing to promote the approved backend image ${approvedBackend}: stack "org/travel/staging" has verified ${BACKEND_REF}\n` +
        `  - travel:images: ${SHA_A} is not promotable yet: stack "org/travel/staging" verified it at ${verifiedAt}, and it must soak there for 10 min (soakMinutes): 6 min left, promotable from ${new Date(FAKE_NOW.getTime() + 6 * 60_000).toISOString()}`,
    });
    assert.equal(recorded.filter((r) => r.type.startsWith("kubernetes:")).length, 0);

    raw.images = {
      ...raw.images,
      soakMinutes: 4,
      refs: { backend: BACKEND_REF, frontend: FRONTEND_REF },
    };
    await compose(raw, "prod");
    assert.equal(container(one(DEPLOYMENT, "travel-backend")).image, BACKEND_REF);
  });
});
