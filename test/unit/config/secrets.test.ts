/**
 * Secrets in the stack config: the tokens and app secrets each stack needs, refused
 * when stored in plaintext, never echoed in a message, and kept as Pulumi secrets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { itRefuses, runProgram, type BadConfig } from "../../support/config-cases";
import { recorded } from "../../support/mocks";
import { ConfigError, parseStackConfig } from "../../../src/config/load";
import { SECRET_VALUES, validRaw } from "../../support/fixtures";

/** [description, change to a valid config, exact problem lines] */
const CASES: BadConfig[] = [
  [
    "pull token missing",
    (r) => delete r.registryPullToken,
    [
      "travel:registryPullToken is missing: expected a read-only token for the pull secret (pulumi config set --secret registryPullToken), or registry.public: true",
    ],
  ],
  [
    "pull token empty",
    (r) => (r.registryPullToken = ""),
    [
      // The engine hands an empty value over like an unset one.
      "travel:registryPullToken is missing: expected a read-only token for the pull secret (pulumi config set --secret registryPullToken), or registry.public: true",
    ],
  ],
  [
    "no push token in a stack that builds",
    (r) =>
      (r.images = {
        mode: "build",
        backend: { context: "fixtures/app/backend" },
        frontend: { context: "fixtures/app/frontend" },
      }),
    [
      "travel:registryToken is missing: expected a push token for the images this stack builds (pulumi config set --secret registryToken), or registry.pushTokenEnv naming the environment variable that holds it",
    ],
  ],
  [
    "a pull token for a public registry",
    (r) => (r.registry.public = true),
    [
      "travel:registryPullToken = [secret]: expected no pull token: registry.public is true, so the pods pull without a pull secret",
    ],
  ],
  [
    "app secret empty",
    (r) => (r.appSecrets.OPENAI_API_KEY = ""),
    ["travel:appSecrets.OPENAI_API_KEY = [secret]: expected a non-empty secret value"],
  ],
  [
    "app secret bad name",
    (r) => (r.appSecrets["openai-key"] = "x"),
    [
      "travel:appSecrets.openai-key is not a valid name: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
    ],
  ],
  [
    "app secret referenced but absent",
    (r) => delete r.appSecrets.GOOGLE_MAPS_API_KEY,
    [
      'travel:backend.secretEnv[1] = "GOOGLE_MAPS_API_KEY": expected a key of appSecrets (set it with --secret --path)',
    ],
  ],
  [
    "secret also as plain env",
    (r) => (r.backend = { env: { OPENAI_API_KEY: "sk-pasted" } }),
    [
      "travel:backend.env.OPENAI_API_KEY = [not shown]: expected no plain value for a name in secretEnv",
    ],
  ],
];

describe("stack config secrets", () => {
  assert.ok(CASES.length >= 8);
  itRefuses(CASES);

  it("never echoes a secret value in a message", () => {
    const raw = validRaw();
    raw.appSecrets.OPENAI_API_KEY = 42;
    raw.registryToken = { not: SECRET_VALUES.registryToken };
    const message = (() => {
      try {
        parseStackConfig(raw, { namespace: "travel", environment: "dev" });
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    })();
    assert.match(message, /travel:appSecrets\.OPENAI_API_KEY = \[secret\]/);
    assert.match(message, /travel:registryToken = \[secret\]/);
    assert.ok(!message.includes(SECRET_VALUES.registryToken));
  });

  it("refuses secrets stored in plaintext, before registering anything", async () => {
    const err = await runProgram(validRaw(), ["travel:appSecrets"]);
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, [
      "travel:registryPullToken is stored in plaintext: expected a secret (pulumi config set --secret)",
    ]);
    assert.equal(recorded.length, 0);
    // The push token too: Pulumi.yaml declares no key secret, the program checks each.
    const withPush = { ...validRaw(), registryToken: "push-in-plaintext" };
    const push = await runProgram(withPush, ["travel:appSecrets", "travel:registryPullToken"]);
    assert.ok(push instanceof ConfigError);
    assert.deepEqual(push.problems, [
      "travel:registryToken is stored in plaintext: expected a secret (pulumi config set --secret)",
    ]);
  });

  it("keeps secrets as Pulumi secrets and exposes only their names", async () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.appSecretKeys, ["GOOGLE_MAPS_API_KEY", "OPENAI_API_KEY"]);
    const internals = cfg.registryPullToken as unknown as { isSecret: Promise<boolean> };
    assert.equal(await internals.isSecret, true);
    assert.equal(
      await (cfg.appSecrets as unknown as { isSecret: Promise<boolean> }).isSecret,
      true,
    );
    assert.ok(
      !JSON.stringify({ ...cfg, registryPullToken: 0, appSecrets: 0 }).includes("do-not-leak"),
    );
  });
});
