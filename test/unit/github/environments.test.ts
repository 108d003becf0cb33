/**
 * The GitHub environments the settings stack manages: dev, staging, prod and github
 * always, any other listed; reviewers resolved to IDs through the provider; no
 * self-review where there are reviewers; no admin bypass; one deployment branch.
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

  it("manages dev, staging, prod and github with exactly these inputs", async () => {
    const out = await composeWith(githubConfig(SETTINGS));
    const branchPolicy = { protectedBranches: false, customBranchPolicies: true };
    const gated = (users: number[], teams: number[] = []) => ({
      reviewers: [{ users, teams }],
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: branchPolicy,
    });
    assert.deepEqual(environments(), {
      dev: {
        repository: "travel-deploy",
        environment: "dev",
        reviewers: [],
        preventSelfReview: false,
        canAdminsBypass: false,
        deploymentBranchPolicy: branchPolicy,
      },
      staging: { repository: "travel-deploy", environment: "staging", ...gated([1001]) },
      prod: { repository: "travel-deploy", environment: "prod", ...gated([1001, 1002], [2001]) },
      github: { repository: "travel-deploy", environment: "github", ...gated([1002]) },
    });
    assert.deepEqual(
      ofType(GITHUB_ENV)
        .map((r) => r.name)
        .sort(),
      ["travel-dev", "travel-github", "travel-prod", "travel-staging"],
    );
    assert.deepEqual(await new Promise((r) => out.environments.apply(r)), [
      "dev",
      "staging",
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
      ["dev", "github", "prod", "staging"].map((env) => [
        `travel-${env}-branch-policy`,
        { repository: "travel-deploy", environment: env, branchPattern: "release" },
      ]),
    );
  });

  it("adds the environments listed beyond the four, gated when they have reviewers", async () => {
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
      "github",
      "preview",
      "prod",
      "qa",
      "staging",
    ]);
    assert.deepEqual(await new Promise((r) => out.environments.apply(r)), [
      "dev",
      "staging",
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
