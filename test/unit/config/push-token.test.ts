/**
 * Where a build's push token comes from: `registryToken` (stored, encrypted), or the
 * environment variable `registry.pushTokenEnv` names (the GitHub Actions job's own
 * GITHUB_TOKEN), read by src/config only and held as a Pulumi secret; and the GHCR label
 * that links the packages to `registry.repository`. The pods never pull with the push token.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../../../src/config/load";
import { imageLabels } from "../../../src/builders/labels";
import { compose } from "../../support/compose";
import { itRefuses, type BadConfig, type Raw } from "../../support/config-cases";
import { SECRET_VALUES, validRaw } from "../../support/fixtures";
import { ofType, one, recorded, secretContent } from "../../support/mocks";

/** A variable no test runner sets, so "not set" holds wherever the tests run. */
const VAR = "TRAVEL_TEST_PUSH_TOKEN";
const JOB_TOKEN = "ghs_job_token_do_not_leak";
/** Build contexts that exist (the refusal table checks them on disk). */
const BUILD = {
  mode: "build",
  backend: { context: "fixtures/app/backend" },
  frontend: { context: "fixtures/app/frontend" },
};

function buildRaw(change: (r: Raw) => void = () => {}): Raw {
  const raw = validRaw();
  raw.images = { mode: "build", backend: { context: "b" }, frontend: { context: "f" } };
  raw.registry.pushTokenEnv = VAR;
  change(raw);
  return raw;
}

const parse = (raw: Raw, env: Record<string, string>) =>
  parseStackConfig(raw, {
    namespace: "travel",
    environment: "dev",
    isDirectory: () => true,
    isFile: () => true,
    env,
  });

const reveal = (o: unknown) =>
  new Promise<unknown>((resolve) =>
    (o as { apply: (f: (v: unknown) => void) => void }).apply(resolve),
  );

describe("registry.pushTokenEnv", () => {
  const cases: BadConfig[] = [
    [
      "a push token variable that is not set",
      (r) => {
        r.images = BUILD;
        r.registry.pushTokenEnv = VAR;
      },
      [
        `travel:registry.pushTokenEnv = "${VAR}": expected the environment variable ${VAR} to hold the push token, but it is not set or empty (GitHub Actions: ${VAR}: \${{ github.token }} in the env of the step that runs pulumi, and permissions packages: write on its job)`,
      ],
    ],
    [
      "a push token variable beside a stored push token",
      (r) => {
        r.images = BUILD;
        r.registry.pushTokenEnv = VAR;
        r.registryToken = SECRET_VALUES.registryToken;
      },
      [
        `travel:registry.pushTokenEnv = "${VAR}": expected no push token source besides registryToken: remove one of them`,
      ],
    ],
    [
      "a push token variable that is no variable name",
      (r) => (r.registry.pushTokenEnv = "github.token"),
      [
        'travel:registry.pushTokenEnv = "github.token": expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)',
      ],
    ],
    [
      "a build for GHCR without the repository its packages link to",
      (r) => {
        r.images = BUILD;
        r.registryToken = SECRET_VALUES.registryToken;
        delete r.registry.repository;
      },
      [
        "travel:registry.repository is missing: expected the GitHub repository 'owner/name' whose workflows push the images, for their org.opencontainers.image.source label: GHCR links a new package to that repository",
      ],
    ],
  ];
  itRefuses(cases);

  it("reads the variable as the push token, a Pulumi secret, and names its key", async () => {
    const cfg = parse(buildRaw(), { [VAR]: JOB_TOKEN });
    assert.equal(cfg.pushTokenKey, "registry.pushTokenEnv");
    assert.equal(await reveal(cfg.registryToken), JOB_TOKEN);
    const internals = cfg.registryToken as unknown as { isSecret: Promise<boolean> };
    assert.equal(await internals.isSecret, true);
  });

  it("keeps registryToken as the push token of a stack that stores it", async () => {
    const cfg = parse(
      buildRaw((r) => {
        delete r.registry.pushTokenEnv;
        r.registryToken = SECRET_VALUES.registryToken;
      }),
      { [VAR]: JOB_TOKEN },
    );
    assert.equal(cfg.pushTokenKey, "registryToken");
    assert.equal(await reveal(cfg.registryToken), SECRET_VALUES.registryToken);
  });

  it("reads no variable in a stack that does not build", () => {
    const raw = validRaw();
    raw.registry.pushTokenEnv = VAR;
    const cfg = parse(raw, {});
    assert.equal(cfg.registryToken, undefined);
    assert.equal(cfg.pushTokenKey, "registryToken");
  });

  it("builds for a registry other than GHCR without registry.repository, and without the label", async () => {
    const raw = buildRaw((r) => {
      r.registry.server = "registry.example.com:5000";
      delete r.registry.repository;
    });
    assert.doesNotThrow(() => parse(raw, { [VAR]: JOB_TOKEN }));
  });

  it("pushes with the job's token and pulls with the read-only one: the cluster never gets it", async () => {
    await compose(buildRaw(), "dev", { [VAR]: JOB_TOKEN });
    const images = ofType("docker-build:index:Image");
    assert.equal(images.length, 2);
    for (const image of images) {
      assert.deepEqual(secretContent(image.inputs.registries), [
        { address: "ghcr.io", username: "ci-bot", password: JOB_TOKEN },
      ]);
    }
    const pull = secretContent(
      one("kubernetes:core/v1:Secret", "travel-registry").inputs.stringData,
    );
    const auths = JSON.parse((pull as Record<string, string>)[".dockerconfigjson"]!).auths;
    assert.deepEqual(Object.keys(auths), ["ghcr.io"]);
    assert.equal(auths["ghcr.io"].password, SECRET_VALUES.registryPullToken);
    const others = recorded.filter((r) => r.type !== "docker-build:index:Image");
    assert.ok(others.length > 0);
    assert.ok(!JSON.stringify(others).includes(JOB_TOKEN), "a resource but the images holds it");
  });
});

describe("imageLabels", () => {
  it("labels the commit, and the repository's URL when there is one", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    assert.deepEqual(imageLabels(sha, "Acme/coagents-travel"), {
      "org.opencontainers.image.revision": sha,
      "org.opencontainers.image.source": "https://github.com/Acme/coagents-travel",
    });
    assert.deepEqual(imageLabels(sha), { "org.opencontainers.image.revision": sha });
  });
});
