/**
 * The GitHub environments the settings stack manages: every one the workflows name
 * (src/config/ci-environments.ts) always, any other listed; reviewers resolved to IDs
 * through the provider; no self-review where there are reviewers; no admin bypass; one
 * deployment branch, except for the pull requests' dev-preview.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ofType, one, resetRecorded } from "../../support/mocks";
import {
  composeWith,
  ENVIRONMENT,
  GET_TEAM,
  GET_USER,
  GITHUB_ENV,
  invokes,
  POLICY,
} from "../../support/github-compose";
import { githubConfig, SETTINGS } from "../../support/github";

/** Each environment's inputs, by name. */
const environments = () =>
  Object.fromEntries(ofType(ENVIRONMENT).map((r) => [r.inputs.environment, r.inputs]));

describe("composeGitHub: the environments", () => {
  beforeEach(() => resetRecorded());

  it("manages every environment the workflows name, with exactly these inputs", async () => {
    const out = await composeWith(githubConfig(SETTINGS));
    const branchPolicy = { protectedBranches: false, customBranchPolicies: true };
    const open = (environment: string, policy = true) => ({
      repository: "travel-deploy",
      environment,
      reviewers: [],
      preventSelfReview: false,
      canAdminsBypass: false,
      ...(policy ? { deploymentBranchPolicy: branchPolicy } : {}),
    });
    const gated = (users: number[], teams: number[] = []) => ({
      reviewers: [{ users, teams }],
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: branchPolicy,
    });
    assert.deepEqual(environments(), {
      // Pull requests' previews: a pull request's ref is its merge ref, which no branch
      // policy matches, so this one has none.
      "dev-preview": open("dev-preview", false),
      dev: open("dev"),
      "staging-plan": open("staging-plan"),
      staging: { repository: "travel-deploy", environment: "staging", ...gated([1001]) },
      "prod-plan": open("prod-plan"),
      prod: { repository: "travel-deploy", environment: "prod", ...gated([1001, 1002], [2001]) },
      github: { repository: "travel-deploy", environment: "github", ...gated([1002]) },
    });
    assert.deepEqual(
      ofType(GITHUB_ENV)
        .map((r) => r.name)
        .sort(),
      [
        "travel-dev",
        "travel-dev-preview",
        "travel-github",
        "travel-prod",
        "travel-prod-plan",
        "travel-staging",
        "travel-staging-plan",
      ],
    );
    assert.deepEqual(await new Promise((r) => out.environments.apply(r)), [
      "dev-preview",
      "dev",
      "staging-plan",
      "staging",
      "prod-plan",
      "prod",
      "github",
    ]);
  });

  it("looks each reviewer up once, through the repository owner's provider", async () => {
    await composeWith(githubConfig(SETTINGS));
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

  it("lets only the deployment branch use each environment", async () => {
    await composeWith(githubConfig({ ...SETTINGS, deploymentBranch: "release" }));
    assert.deepEqual(
      ofType(POLICY)
        .map((r) => [r.name, r.inputs])
        .sort(),
      ["dev", "github", "prod", "prod-plan", "staging", "staging-plan"].map((env) => [
        `travel-${env}-branch-policy`,
        { repository: "travel-deploy", environment: env, branchPattern: "release" },
      ]),
    );
  });

  it("adds the environments listed beyond the workflows' own, gated when they have reviewers", async () => {
    const out = await composeWith(
      githubConfig({
        ...SETTINGS,
        environments: {
          ...SETTINGS.environments,
          qa: { reviewers: { users: ["alice"] } },
          preview: {},
        },
      }),
    );
    const envs = environments();
    assert.deepEqual(Object.keys(envs).sort(), [
      "dev",
      "dev-preview",
      "github",
      "preview",
      "prod",
      "prod-plan",
      "qa",
      "staging",
      "staging-plan",
    ]);
    assert.deepEqual(await new Promise((r) => out.environments.apply(r)), [
      "dev-preview",
      "dev",
      "staging-plan",
      "staging",
      "prod-plan",
      "prod",
      "github",
      "preview",
      "qa",
    ]);
    assert.deepEqual(
      [envs.qa!.reviewers, envs.qa!.preventSelfReview, envs.qa!.canAdminsBypass],
      [[{ users: [1001], teams: [] }], true, false],
    );
    assert.deepEqual(
      [envs.preview!.reviewers, envs.preview!.preventSelfReview, envs.preview!.canAdminsBypass],
      [[], false, false],
    );
    assert.equal(one(POLICY, "travel-qa-branch-policy").inputs.branchPattern, "main");
  });
});
