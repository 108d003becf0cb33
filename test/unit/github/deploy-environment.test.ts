/**
 * The stack's GitHub environment: reviewers only behind the approval gate, resolved to
 * IDs through the provider; one deployment branch; the secrets sent as secrets.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ofType, one, resetRecorded, secretContent } from "../../support/mocks";
import {
  composeWith,
  ENVIRONMENT,
  GET_TEAM,
  GET_USER,
  invokes,
  POLICY,
  SECRET,
} from "../../support/github-compose";
import { githubConfig, PROD, SECRETS } from "../../support/github";

describe("composeGitHub: the deployment environment", () => {
  beforeEach(() => resetRecorded());

  it("gates the environment on the reviewers' IDs, resolved through the provider", async () => {
    await composeWith(githubConfig(PROD));
    assert.deepEqual(one(ENVIRONMENT, "travel-environment").inputs, {
      repository: "travel-deploy",
      environment: "prod",
      reviewers: [{ users: [1001, 1002], teams: [2001] }],
      preventSelfReview: true,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    });
    const lookups = invokes
      .filter((i) => i.token === GET_USER || i.token === GET_TEAM)
      .map((i) => [i.token, i.inputs.username ?? i.inputs.slug, i.inputs.summaryOnly ?? null]);
    assert.deepEqual(lookups.sort(), [
      [GET_TEAM, "platform", true],
      [GET_USER, "alice", null],
      [GET_USER, "bob", null],
    ]);
    for (const i of invokes) {
      assert.match(i.provider, /::pulumi:providers:github::travel-github::/, i.token);
    }
  });

  it("has no reviewers without an approval gate", async () => {
    await composeWith(githubConfig({ repository: "acme/travel-deploy" }), "dev");
    const env = one(ENVIRONMENT, "travel-environment").inputs;
    assert.deepEqual(env.reviewers, []);
    assert.equal(env.environment, "dev");
    assert.equal(env.preventSelfReview, false);
    assert.deepEqual(
      invokes.filter((i) => i.token === GET_USER || i.token === GET_TEAM),
      [],
    );
  });

  it("lets only the deployment branch deploy", async () => {
    await composeWith(
      githubConfig({ ...PROD, environment: { ...PROD.environment, deploymentBranch: "release" } }),
    );
    assert.deepEqual(ofType(POLICY).length, 1);
    assert.deepEqual(one(POLICY, "travel-branch-policy").inputs, {
      repository: "travel-deploy",
      environment: "prod",
      branchPattern: "release",
    });
  });

  it("sends the kubeconfig, the registry token and chosen app secrets as secrets", async () => {
    const out = await composeWith(
      githubConfig({
        ...PROD,
        environment: { ...PROD.environment, appSecrets: ["OPENAI_API_KEY"] },
      }),
    );
    assert.deepEqual(out!.secretNames, ["KUBECONFIG", "OPENAI_API_KEY", "REGISTRY_TOKEN"]);
    const sent = Object.fromEntries(
      ofType(SECRET).map((r) => {
        assert.equal(r.inputs.repository, "travel-deploy");
        assert.equal(r.inputs.environment, "prod");
        assert.equal(r.inputs.plaintextValue, undefined, "deprecated plaintextValue used");
        assert.equal(typeof r.inputs.value, "object", `${r.inputs.secretName} sent in plaintext`);
        return [r.inputs.secretName, [r.name, secretContent(r.inputs.value)]];
      }),
    );
    assert.deepEqual(sent, {
      KUBECONFIG: ["travel-secret-kubeconfig", SECRETS.kubeconfig],
      REGISTRY_TOKEN: ["travel-secret-registry-token", SECRETS.registryToken],
      OPENAI_API_KEY: ["travel-secret-openai-api-key", SECRETS.OPENAI_API_KEY],
    });
  });

  it("copies no app secret into the environment unless listed", async () => {
    await composeWith(githubConfig(PROD));
    assert.deepEqual(
      ofType(SECRET)
        .map((r) => r.inputs.secretName)
        .sort(),
      ["KUBECONFIG", "REGISTRY_TOKEN"],
    );
  });
});
