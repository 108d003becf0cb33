/**
 * composeGitHub: nothing without `github`, nothing without a kubeconfig, a provider for
 * the repository's owner, and no secret value in any output.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ofType, recorded, resetRecorded, secretContent, valueOf } from "../../support/mocks";
import {
  BRANCH_PROTECTION,
  composeWith,
  containsSecretValue,
  DEPLOY_ENV,
  PROTECTION,
  PROVIDER,
  registeredResources,
  SECRET,
} from "../../support/github-compose";
import { composeGitHub } from "../../../src/github";
import { githubConfig, PROD } from "../../support/github";

describe("composeGitHub", () => {
  beforeEach(() => resetRecorded());

  it("creates nothing and returns nothing when github is absent", async () => {
    const out = await composeWith(undefined);
    assert.equal(out, undefined);
    assert.deepEqual(recorded, []);
  });

  it("refuses a github config without a kubeconfig before creating anything", () => {
    resetRecorded();
    assert.throws(
      () =>
        composeGitHub(
          { environment: "dev", github: githubConfig(PROD), appSecretKeys: [] },
          { pullToken: "t", appSecrets: {} },
        ),
      /kubeconfig: expected a kubeconfig/,
    );
    assert.deepEqual(recorded, []);
  });

  it("creates a provider for the repository's owner and the environment component", async () => {
    await composeWith(githubConfig(PROD));
    assert.deepEqual(
      ofType(PROVIDER).map((r) => [r.name, r.inputs.owner]),
      [["travel-github", "acme"]],
    );
    assert.deepEqual(
      ofType(DEPLOY_ENV).map((r) => r.name),
      ["travel"],
    );
    assert.deepEqual(ofType(PROTECTION), []);
    assert.deepEqual(ofType(BRANCH_PROTECTION), []);
  });

  it("exports no secret value, from the function or from any component", async () => {
    const out = await composeWith(
      githubConfig({
        ...PROD,
        manageBranchProtection: true,
        environment: { ...PROD.environment, appSecrets: ["OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY"] },
      }),
    );
    const resolved = {
      repository: out!.repository,
      environment: await valueOf(out!.environment),
      secretNames: out!.secretNames,
      protectedBranch: await valueOf(out!.protectedBranch!),
    };
    assert.deepEqual(resolved, {
      repository: "acme/travel-deploy",
      environment: "prod",
      secretNames: ["GOOGLE_MAPS_API_KEY", "KUBECONFIG", "OPENAI_API_KEY", "REGISTRY_TOKEN"],
      protectedBranch: "main",
    });
    assert.equal(containsSecretValue(resolved), undefined);
    // The secrets did reach the GitHub resources (so the check above can fail)...
    assert.ok(containsSecretValue(ofType(SECRET).map((r) => secretContent(r.inputs.value))));
    // ...but no component registered one as an output.
    const components = registeredResources().filter((r) =>
      r.urn.split("::")[2]!.split("$").pop()!.startsWith("travel:github:"),
    );
    const outputs = Object.fromEntries(
      components.map((c) => {
        const state = c.state as { toJavaScript?: () => unknown };
        const type = c.urn.split("::")[2]!.split("$").pop()!;
        return [type, state.toJavaScript ? state.toJavaScript() : state];
      }),
    );
    // The registered outputs (not the empty inputs), so the check below can fail.
    assert.deepEqual(outputs, {
      [DEPLOY_ENV]: {
        environment: "prod",
        secretNames: ["GOOGLE_MAPS_API_KEY", "KUBECONFIG", "OPENAI_API_KEY", "REGISTRY_TOKEN"],
      },
      [BRANCH_PROTECTION]: { pattern: "main" },
    });
    for (const [type, state] of Object.entries(outputs)) {
      assert.equal(containsSecretValue(state), undefined, type);
    }
  });
});
