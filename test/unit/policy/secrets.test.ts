/**
 * The secrets rules (policy/rules/secrets.ts): no secret-looking ConfigMap
 * keys, no plain value for a secret-looking environment variable.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deployment,
  FakeResource,
  Fields,
  first,
  messages,
  NS,
  validateResource,
} from "../../support/policy";
import {
  looksSecret,
  noPlainSecretEnv,
  noSecretsInConfigMaps,
} from "../../../policy/rules/secrets";

describe("policy no-secrets-in-configmaps", () => {
  const configMap = (props: Fields): FakeResource => ({
    type: "kubernetes:core/v1:ConfigMap",
    name: "settings",
    props: { metadata: { name: "settings", namespace: NS }, ...props },
  });

  it("tells secret-looking names by whole segments", () => {
    const secret = [
      "OPENAI_API_KEY",
      "apiKey",
      "db.password",
      "GITHUB_TOKEN",
      "client-secret",
      "APIKEY",
    ];
    const plain = ["LOG_LEVEL", "KEYCLOAK_URL", "MONKEY", "TOKENIZER_MODEL", "REMOTE_ACTION_URL"];
    assert.deepEqual(secret.filter(looksSecret), secret);
    assert.deepEqual(plain.filter(looksSecret), []);
  });

  it("passes plain settings", async () => {
    const cm = configMap({ data: { LOG_LEVEL: "info", KEYCLOAK_URL: "https://id" } });
    assert.deepEqual(messages(await validateResource(noSecretsInConfigMaps, cm)), []);
  });

  it("reports each secret-looking key", async () => {
    const cm = configMap({
      data: { LOG_LEVEL: "info", OPENAI_API_KEY: "sk" },
      binaryData: { "db.password": "cw==" },
    });
    assert.deepEqual(messages(await validateResource(noSecretsInConfigMaps, cm)), [
      'ConfigMap "settings": key "OPENAI_API_KEY" looks like a secret. Fix: move it to a Secret ' +
        "(travel:appSecrets, set with --secret) and read it with secretKeyRef.",
      'ConfigMap "settings": key "db.password" looks like a secret. Fix: move it to a Secret ' +
        "(travel:appSecrets, set with --secret) and read it with secretKeyRef.",
    ]);
  });
});

describe("policy no-plain-secret-env", () => {
  const plainKey = deployment("frontend", (p) => {
    first(p).env.push({ name: "GOOGLE_MAPS_API_KEY", value: "AIza-public" });
  });

  it("passes secretKeyRef and plain non-secret values", async () => {
    assert.deepEqual(messages(await validateResource(noPlainSecretEnv, deployment("backend"))), []);
  });

  it("reports a plain value for a secret-looking name", async () => {
    assert.deepEqual(messages(await validateResource(noPlainSecretEnv, plainKey)), [
      'Deployment "travel-frontend", container "frontend": env "GOOGLE_MAPS_API_KEY" has a plain ' +
        'value. Fix: put the value in travel:appSecrets (--secret) and list "GOOGLE_MAPS_API_KEY" ' +
        "in travel:<workload>.secretEnv so it is read with valueFrom.secretKeyRef.",
    ]);
  });

  it("allows names the policy config lists", async () => {
    const result = await validateResource(noPlainSecretEnv, plainKey, {
      allowNames: ["GOOGLE_MAPS_API_KEY"],
    });
    assert.deepEqual(messages(result), []);
  });
});
