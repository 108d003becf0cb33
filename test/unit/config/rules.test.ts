/**
 * Config that says what users mean: every problem in one run (rules across keys
 * beside each key's own), the forms Kubernetes and the Gateway API accept (no stricter,
 * no looser), unknown keys of the chosen mode only, no validator jargon, and no secret in
 * a workload's plain config.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import "../../support/mocks";
import { ConfigError, loadConfig, parseStackConfig } from "../../../src/config/load";
import { stackConfigSchema } from "../../../src/config/schema";
import { asEngineConfig, BACKEND_REF, validRaw } from "../../support/fixtures";
import type { Raw } from "../../support/config-cases";

const ctx = { namespace: "travel", environment: "dev" };

function problems(raw: Raw): string[] {
  try {
    parseStackConfig(raw, ctx);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  return [];
}

describe("config: all problems at once", () => {
  it("reports rules across keys in the same run as a key's own problem", () => {
    const raw = validRaw();
    raw.namespace = "Not_A_Label";
    raw.backend = { resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } };
    raw.images = {
      mode: "build",
      backend: { context: "fixtures/app/backend" },
      frontend: { context: "fixtures/app/frontend" },
    };
    assert.deepEqual(problems(raw), [
      "travel:namespace = \"Not_A_Label\": expected an RFC 1123 label (lowercase a-z, 0-9, '-'; max 63)",
      'travel:backend.resources.requests.cpu = "2": expected at most the CPU limit "1"',
      "travel:registryToken is missing: expected a push token for the images this stack builds (pulumi config set --secret registryToken), or registry.pushTokenEnv naming the environment variable that holds it",
    ]);
  });

  it("skips a rule only when a key it reads is itself invalid", () => {
    const raw = validRaw();
    raw.registry = { owner: "Acme" };
    delete raw.registryPullToken;
    assert.deepEqual(problems(raw), [
      'travel:registry.owner = "Acme": expected a lowercase registry owner (user or organization)',
      "travel:registry.username is missing: expected the registry user name",
    ]);
  });
});

describe("config: what Kubernetes and the Gateway API accept", () => {
  const accepts = (mutate: (r: Raw) => void) => {
    const raw = validRaw();
    mutate(raw);
    assert.deepEqual(problems(raw), []);
    return parseStackConfig(raw, ctx);
  };

  it("takes quantities as YAML numbers and in every Kubernetes form", () => {
    const cfg = accepts(
      (r) =>
        (r.backend = {
          resources: {
            requests: { cpu: 0.5, memory: "1e8", "ephemeral-storage": 1e8 },
            limits: { cpu: 2, memory: "1.5Gi", "ephemeral-storage": "2G" },
          },
        }),
    );
    assert.deepEqual(cfg.backend.resources, {
      requests: { cpu: "0.5", memory: "1e8", "ephemeral-storage": "100000000" },
      limits: { cpu: "2", memory: "1.5Gi", "ephemeral-storage": "2G" },
    });
  });

  it("ignores a push token where nothing is built (a rollback pins images without removing it)", () => {
    const cfg = accepts((r) => (r.registryToken = "ghp_push"));
    assert.equal(cfg.images.mode, "pinned");
  });

  it("takes utilization targets above 100%, as the HPA API does", () => {
    accepts(
      (r) =>
        (r.frontend = {
          autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 150 },
        }),
    );
  });

  it("takes probe paths with a query string, wildcard hostnames and name:tag@digest references", () => {
    accepts((r) => {
      r.backend = { probes: { readiness: "/docs?ready=1" } };
      r.hostnames = ["*.travel.example.com", "travel.example.com"];
      r.images.backend.ref = BACKEND_REF.replace("@sha256", `:${"a".repeat(40)}@sha256`);
    });
  });

  it("takes ServiceAccount annotations for cloud workload identity, and a token only when asked", () => {
    const cfg = accepts(
      (r) =>
        (r.backend = {
          serviceAccount: {
            annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x" },
            automountToken: true,
          },
        }),
    );
    assert.deepEqual(cfg.backend.serviceAccount, {
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x" },
      automountToken: true,
    });
    assert.deepEqual(cfg.frontend.serviceAccount, { annotations: {}, automountToken: false });
  });
});

describe("config: messages", () => {
  it("lists only the keys of the chosen images mode for an unknown key", () => {
    const raw = validRaw();
    raw.images = { mode: "promote", fromStack: "staging", context: "." };
    assert.deepEqual(problems(raw), [
      "travel:images.context is not a known key: expected one of mode, fromStack, gitSha, refs, allowUnverified, soakMinutes",
    ]);
  });

  it("never speaks validator jargon, whatever the wrong type", () => {
    const wrong = [123, "text", ["a"], { a: 1 }, true, null];
    for (const key of Object.keys(stackConfigSchema.shape)) {
      for (const value of wrong) {
        const raw = validRaw();
        raw[key] = value;
        for (const p of problems(raw)) {
          assert.doesNotMatch(
            p,
            /Invalid input|Invalid option|expected (record|object|array|string|number|boolean|map)\b|received|invalid_/,
            p,
          );
        }
      }
    }
  });

  it("refuses a secret set under a workload's config: it would be plaintext in the Deployment", () => {
    const raw = validRaw();
    raw.backend = { env: { API_TOKEN: "s3cret" } };
    const engine = asEngineConfig(raw);
    pulumi.runtime.setAllConfig(engine.config, [...engine.secretKeys, "travel:backend"]);
    assert.throws(
      () => loadConfig(),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [
          "travel:backend holds a secret value (set with --secret --path): the workload's config, env included, " +
            "lands in the Deployment in plaintext; expected the value in appSecrets (pulumi config set --secret --path appSecrets.NAME) and NAME in backend.secretEnv",
        ]);
        return true;
      },
    );
  });

  it("names the exact key of a secret under a workload, from the stack file", () => {
    const raw = validRaw();
    raw.backend = { env: { API_TOKEN: "s3cret", MODE: "fast" } };
    const engine = asEngineConfig(raw);
    pulumi.runtime.setAllConfig(engine.config, [...engine.secretKeys, "travel:backend"]);
    const dir = mkdtempSync(join(tmpdir(), "secure-paths-"));
    writeFileSync(
      join(dir, `Pulumi.${pulumi.getStack()}.yaml`),
      "config:\n  travel:backend:\n    env:\n      API_TOKEN:\n        secure: v1:abc\n      MODE: fast\n",
    );
    assert.throws(
      () => loadConfig(process.env, dir),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [
          "travel:backend.env.API_TOKEN is a secret value (set with --secret --path): the workload's config, env included, " +
            "lands in the Deployment in plaintext; expected the value in appSecrets (pulumi config set --secret --path appSecrets.NAME) and NAME in backend.secretEnv",
        ]);
        return true;
      },
    );
  });
});
