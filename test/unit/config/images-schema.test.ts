/**
 * The config of where the images come from (build, promote, pinned): what is refused,
 * with the exact message, and pinned references kept as given.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { itRefuses, type BadConfig, type Raw } from "../../support/config-cases";
import { parseStackConfig } from "../../../src/config/load";
import { BACKEND_REF, SHA_A, validRaw } from "../../support/fixtures";

const DIGEST = "a digest-pinned image reference 'registry/name[:tag]@sha256:<64 hex>'";

/** Builds the stand-ins with these build secrets. */
const withBuildSecrets = (buildSecrets: Record<string, string>) => (r: Raw) => {
  r.registryToken = "ghp_push";
  r.images = {
    mode: "build",
    backend: { context: "fixtures/app/backend" },
    frontend: { context: "fixtures/app/frontend" },
    buildSecrets,
  };
};

/** [description, change to a valid config, exact problem lines] */
const CASES: BadConfig[] = [
  [
    "build contexts and Dockerfiles that do not exist, by their full key",
    (r) => {
      r.registryToken = "ghp_push";
      r.images = {
        mode: "build",
        backend: { context: "no/such/dir" },
        frontend: {
          context: "fixtures/app/frontend",
          dockerfile: "fixtures/app/frontend/Containerfile",
        },
      };
    },
    [
      `travel:images.backend.context = "no/such/dir": expected an existing directory (relative to the project, ${process.cwd()})`,
      'travel:images.frontend.dockerfile = "fixtures/app/frontend/Containerfile": expected an existing Dockerfile (relative to the project)',
    ],
  ],
  [
    "a build secret id that BuildKit would refuse",
    withBuildSecrets({ "proxy ca": "package.json" }),
    [
      "travel:images.buildSecrets.proxy ca is not a valid name: expected a BuildKit secret id ([A-Za-z0-9_.-], e.g. proxy-ca)",
    ],
  ],
  [
    "a build secret whose file does not exist",
    withBuildSecrets({ npmrc: "no/such/.npmrc" }),
    ['travel:images.buildSecrets.npmrc = "no/such/.npmrc": expected the path of an existing file'],
  ],
  [
    "a stack that promotes from itself",
    (r) => (r.images = { mode: "promote", fromStack: "organization/travel/dev" }),
    [
      'travel:images.fromStack = "organization/travel/dev": expected another stack than this one ("dev"): a stack cannot promote what it deployed itself',
    ],
  ],
  [
    "images missing",
    (r) => delete r.images,
    ['travel:images is missing: expected an object whose "mode" is "build", "promote" or "pinned"'],
  ],
  [
    "images unknown mode",
    (r) => (r.images = { mode: "copy" }),
    [
      'travel:images.mode = "copy": expected an object whose "mode" is "build", "promote" or "pinned"',
    ],
  ],
  [
    "pinned tag-only ref",
    (r) => (r.images.backend.ref = "ghcr.io/acme/coagents-travel-backend:latest"),
    [
      `travel:images.backend.ref = "ghcr.io/acme/coagents-travel-backend:latest": expected ${DIGEST}`,
    ],
  ],
  [
    "pinned ref in another registry",
    (r) => (r.images.frontend.ref = BACKEND_REF.replace("ghcr.io", "docker.io")),
    [
      `travel:images.frontend.ref = "${BACKEND_REF.replace("ghcr.io", "docker.io")}": expected an image in the configured registry ghcr.io`,
    ],
  ],
  [
    "pinned short sha",
    (r) => (r.images.backend.gitSha = "abc1234"),
    [
      'travel:images.backend.gitSha = "abc1234": expected a full 40-character lowercase git commit SHA',
    ],
  ],
  [
    "build source missing",
    (r) => (r.images = { mode: "build", backend: { context: "app" } }),
    ["travel:images.frontend is missing: expected a build source {context, dockerfile}"],
  ],
  [
    "promote bad stack name",
    (r) => (r.images = { mode: "promote", fromStack: "dev stack" }),
    [
      "travel:images.fromStack = \"dev stack\": expected a stack name such as 'dev' or 'org/travel/dev'",
    ],
  ],
  [
    "promote with a negative soak and an approved ref by tag",
    (r) =>
      (r.images = {
        mode: "promote",
        fromStack: "org/travel/staging",
        soakMinutes: -5,
        refs: { backend: BACKEND_REF, frontend: "ghcr.io/acme/frontend:v1" },
      }),
    [
      "travel:images.refs.frontend = \"ghcr.io/acme/frontend:v1\": expected a digest-pinned image reference 'registry/name[:tag]@sha256:<64 hex>'",
      "travel:images.soakMinutes = -5: expected an integer from 0 to 10080",
    ],
  ],
];

describe("stack config validation: images", () => {
  assert.ok(CASES.length >= 9);
  itRefuses(CASES);
});

describe("stack config defaults: images", () => {
  it("promotes with no soak and no approved release unless told", () => {
    const raw = validRaw();
    raw.images = { mode: "promote", fromStack: "org/travel/dev" };
    const cfg = parseStackConfig(raw, { namespace: "travel", environment: "staging" });
    assert.deepEqual(cfg.images, {
      mode: "promote",
      fromStack: "org/travel/dev",
      allowUnverified: false,
      soakMinutes: 0,
    });
  });

  it("keeps pinned references as given", () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.images, {
      mode: "pinned",
      backend: { ref: BACKEND_REF, gitSha: SHA_A },
      frontend: { ref: cfg.images.mode === "pinned" ? cfg.images.frontend.ref : "", gitSha: SHA_A },
    });
  });
});
