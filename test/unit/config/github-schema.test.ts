/**
 * `travel:github`, the settings stack's one key: its defaults, what it refuses (values
 * GitHub would take and never act on among them), and the rules across its keys (a
 * gated environment without reviewers above all), with their exact lines.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  environmentsOf,
  githubConfigIssues,
  githubConfigSchema,
  PR_CHECKS,
  type GitHubConfigInput,
} from "../../../src/config/github-schema";
import { parseSettingsConfig } from "../../../src/config/settings";
import { githubConfig, SETTINGS } from "../../support/github";

/** The problem lines of the settings stack with this `github`. */
const problems = (github: unknown) =>
  parseSettingsConfig({ github }, { namespace: "travel", environment: "github" }).problems;

const GATE = "environment, and GitHub runs the jobs of an environment without reviewers unapproved";

describe("github config schema", () => {
  it("defaults to main, the pull-request checks, one approval and no listed environment", () => {
    assert.deepEqual(githubConfig({ repository: "acme/travel-deploy" }), {
      repository: "acme/travel-deploy",
      deploymentBranch: "main",
      requiredChecks: PR_CHECKS,
      requiredApprovals: 1,
      environments: {},
    });
  });

  it("manages the workflows' environments whether listed or not, then the others", () => {
    const envs = environmentsOf(
      githubConfig({ ...SETTINGS, environments: { ...SETTINGS.environments, qa: {} } }),
    );
    assert.deepEqual(
      envs.map((e) => [
        e.name,
        e.gated,
        e.reviewers.users.length + e.reviewers.teams.length,
        e.allBranches,
      ]),
      [
        ["dev-preview", false, 0, true],
        ["dev", false, 0, false],
        ["staging-plan", false, 0, false],
        ["staging", true, 1, false],
        ["prod-plan", false, 0, false],
        ["prod", true, 3, false],
        ["github", true, 1, false],
        ["qa", false, 0, false],
      ],
    );
  });

  it("accepts the gated settings as bootstrap writes them, with no problem", () => {
    assert.deepEqual(problems(SETTINGS), []);
    assert.deepEqual(githubConfigIssues(githubConfig(SETTINGS)), []);
  });

  it("refuses a gated environment without reviewers, listed or not", () => {
    const { staging: _staging, ...rest } = SETTINGS.environments!;
    void _staging;
    assert.deepEqual(
      problems({
        ...SETTINGS,
        environments: { ...rest, prod: { reviewers: { users: [], teams: [] } } },
      }),
      [
        "travel:github.environments.staging is missing: expected at least one required reviewer " +
          `(users or teams): staging is a gated ${GATE}`,
        'travel:github.environments.prod.reviewers = {"users":[],"teams":[]}: expected at least ' +
          `one required reviewer (users or teams): prod is a gated ${GATE}`,
      ],
    );
    assert.deepEqual(problems({ repository: "acme/x" }), [
      `travel:github.environments.staging is missing: expected at least one required reviewer (users or teams): staging is a gated ${GATE}`,
      `travel:github.environments.prod is missing: expected at least one required reviewer (users or teams): prod is a gated ${GATE}`,
      `travel:github.environments.github is missing: expected at least one required reviewer (users or teams): github is a gated ${GATE}`,
    ]);
  });

  const ignored: [string, GitHubConfigInput, string[]][] = [
    [
      "a deployment branch written as a ref",
      { ...SETTINGS, deploymentBranch: "refs/heads/main" },
      [
        'travel:github.deploymentBranch = "refs/heads/main": expected a branch name such as ' +
          '"main", not a ref: GitHub matches the deployment branch policy and the branch ' +
          "protection against branch names, so a ref matches no branch",
      ],
    ],
    [
      "a required check named as a pull request shows it",
      { ...SETTINGS, requiredChecks: ["unit tests", "pr / preview (dev) (pull_request)"] },
      [
        'travel:github.requiredChecks[1] = "pr / preview (dev) (pull_request)": expected the ' +
          'name a job reports, such as "unit tests": GitHub shows checks as "<workflow> / <job> ' +
          '(<event>)", a name no check reports, so the branch would wait for it forever',
      ],
    ],
    [
      "two environment names that differ only in case",
      { ...SETTINGS, environments: { ...SETTINGS.environments, Prod: {} } },
      [
        'travel:github.environments.Prod = {"reviewers":{"users":[],"teams":[]}}: expected a ' +
          'name that differs from "prod" in more than case: GitHub\'s environment names are ' +
          "case-insensitive, so both would be one environment",
      ],
    ],
    [
      "no required check",
      { ...SETTINGS, requiredChecks: [] },
      [
        "travel:github.requiredChecks = []: expected at least one status check name (the " +
          "pull-request checks)",
      ],
    ],
    [
      "no approving review required",
      { ...SETTINGS, requiredApprovals: 0 },
      ["travel:github.requiredApprovals = 0: expected an integer from 1 to 6"],
    ],
    [
      "more required reviewers than GitHub allows",
      {
        ...SETTINGS,
        environments: {
          ...SETTINGS.environments,
          prod: { reviewers: { users: ["a1", "a2", "a3", "a4"], teams: ["t1", "t2", "t3"] } },
        },
      },
      [
        'travel:github.environments.prod.reviewers = {"users":["a1","a2","a3","a4"],"teams":' +
          '["t1","t2","t3"]}: expected at most 6 users and teams together (GitHub\'s limit)',
      ],
    ],
  ];
  for (const [name, input, expected] of ignored) {
    it(`refuses ${name}`, () => assert.deepEqual(problems(input), expected));
  }

  it("refuses malformed values and unknown keys, every one", () => {
    assert.deepEqual(
      problems({
        repository: "travel-deploy",
        deploymentBranch: "main..x",
        environments: {
          staging: { reviewers: { users: ["al ice"], teams: ["Platform"] } },
          "pro d": {},
          prod: { approvers: ["alice"] },
        },
        manageBranchProtection: true,
      }),
      [
        `travel:github.repository = "travel-deploy": expected a GitHub repository 'owner/name'`,
        'travel:github.deploymentBranch = "main..x": expected a git branch name',
        'travel:github.environments.staging.reviewers.users[0] = "al ice": expected a GitHub user login',
        'travel:github.environments.staging.reviewers.teams[0] = "Platform": expected a GitHub team slug (lowercase)',
        "travel:github.environments.pro d is not a valid name: expected an environment name " +
          "(letters, digits, '.', '_', '-')",
        "travel:github.environments.prod.approvers is not a known key: expected one of " +
          "reviewers, kubeconfigPlugin",
        "travel:github.manageBranchProtection is not a known key: expected one of repository, " +
          "deploymentBranch, requiredChecks, requiredApprovals, environments",
      ],
    );
  });

  it("takes branch names and job names, matrix jobs included", () => {
    const ok = githubConfig({
      ...SETTINGS,
      deploymentBranch: "release/refs",
      requiredChecks: ["preview (dev)", "unit tests"],
    });
    assert.equal(ok.deploymentBranch, "release/refs");
    assert.equal(githubConfigSchema.safeParse({ ...SETTINGS, requiredApprovals: 6 }).success, true);
  });
});
