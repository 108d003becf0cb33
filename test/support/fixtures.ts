/** Config values shared by the tests: a minimal valid stack and known secret values. */
import { createHash } from "node:crypto";

export const SECRET_VALUES = {
  registryToken: "ghp_test_registry_token_do_not_leak",
  registryPullToken: "ghp_test_pull_token_do_not_leak",
  OPENAI_API_KEY: "sk-test-openai-do-not-leak",
  GOOGLE_MAPS_API_KEY: "maps-test-key-do-not-leak",
};

const hex = (seed: string) => createHash("sha256").update(seed).digest("hex");
export const SHA_A = hex("commit-a").slice(0, 40);
export const BACKEND_REF = `ghcr.io/acme/coagents-travel-backend@sha256:${hex("backend")}`;
export const FRONTEND_REF = `ghcr.io/acme/coagents-travel-frontend@sha256:${hex("frontend")}`;

/** A minimal valid raw config (keys without the "travel:" prefix). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function validRaw(): Record<string, any> {
  return {
    hostnames: ["travel.example.com"],
    registry: { owner: "acme", username: "ci-bot", repository: "acme/travel" },
    // Pinned images: no push token; the pull secret holds the read-only one.
    registryPullToken: SECRET_VALUES.registryPullToken,
    appSecrets: {
      OPENAI_API_KEY: SECRET_VALUES.OPENAI_API_KEY,
      GOOGLE_MAPS_API_KEY: SECRET_VALUES.GOOGLE_MAPS_API_KEY,
    },
    images: {
      mode: "pinned",
      backend: { ref: BACKEND_REF, gitSha: SHA_A },
      frontend: { ref: FRONTEND_REF, gitSha: SHA_A },
    },
  };
}

/** Sets raw values as the engine would: strings, objects as JSON, secrets flagged. */
export function asEngineConfig(
  raw: Record<string, unknown>,
  namespace = "travel",
): { config: Record<string, string>; secretKeys: string[] } {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    config[`${namespace}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const secretKeys = ["registryToken", "registryPullToken", "appSecrets", "kubeconfig"]
    .filter((k) => k in raw)
    .map((k) => `${namespace}:${k}`);
  return { config, secretKeys };
}
