/**
 * The `github` key of the stack config: its defaults, what it refuses (values GitHub
 * would take and never act on among them), the kubeconfig it needs, and the rules
 * across its keys.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  githubConfigIssues,
  githubConfigSchema,
  kubeconfigSchema,
  PR_CHECKS,
  type GitHubConfigInput,
} from "../../../src/config/github-schema";
import { itRefuses, type BadConfig } from "../../support/config-cases";
import { APP_SECRETS, githubConfig, PROD, SECRETS } from "../../support/github";

/** The stack config with `github` set (and the kubeconfig it needs). */
const withGithub =
  (github: GitHubConfigInput): BadConfig[1] =>
  (r) => {
    r.github = github;
    r.kubeconfig = SECRETS.kubeconfig;
  };

/** Values GitHub takes without a word and never acts on, with their exact lines. */
const IGNORED_BY_GITHUB: BadConfig[] = [
  [
    "a deployment branch written as a ref",
    withGithub({
      ...PROD,
      environment: { ...PROD.environment, deploymentBranch: "refs/heads/main" },
    }),
    [
      'travel:github.environment.deploymentBranch = "refs/heads/main": expected a branch name ' +
        'such as "main", not a ref: GitHub matches the deployment branch policy and the branch ' +
        "protection against branch names, so a ref matches no branch",
    ],
  ],
  [
    "a required check named as a pull request shows it",
    withGithub({
      ...PROD,
      manageBranchProtection: true,
      requiredChecks: ["unit tests", "pr / preview (dev) (pull_request)"],
    }),
    [
      'travel:github.requiredChecks[1] = "pr / preview (dev) (pull_request)": expected the name ' +
        'a job reports, such as "unit tests": GitHub shows checks as "<workflow> / <job> ' +
        '(<event>)", a name no check reports, so the branch would wait for it forever',
    ],
  ],
];

describe("github config schema", () => {
  it("defaults to an environment without a gate, deploying from main, no branch protection", () => {
    assert.deepEqual(githubConfig({ repository: "acme/travel-deploy" }), {
      repository: "acme/travel-deploy",
      environment: {
        requireApproval: false,
        reviewers: { users: [], teams: [] },
        preventSelfReview: false,
        deploymentBranch: "main",
        appSecrets: [],
      },
      manageBranchProtection: false,
      requiredChecks: PR_CHECKS,
    });
  });

  it("refuses malformed values and unknown keys", () => {
    const bad: [unknown, string][] = [
      [{ repository: "travel-deploy" }, "repository"],
      [{ repository: "acme/travel deploy" }, "repository"],
      [{ repository: "acme/x", environment: { reviewers: { users: ["al ice"] } } }, "users"],
      [{ repository: "acme/x", environment: { reviewers: { teams: ["Platform"] } } }, "teams"],
      [{ repository: "acme/x", environment: { deploymentBranch: "main..x" } }, "deploymentBranch"],
      [{ repository: "acme/x", environment: { appSecrets: ["GITHUB_TOKEN"] } }, "appSecrets"],
      [{ repository: "acme/x", manageBranchProtection: "yes" }, "manageBranchProtection"],
      [{ repository: "acme/x", requiredChecks: [""] }, "requiredChecks"],
      [{ repository: "acme/x", reviewers: { users: ["alice"] } }, ""],
    ];
    for (const [input, key] of bad) {
      const result = githubConfigSchema.safeParse(input);
      assert.equal(result.success, false, JSON.stringify(input));
      assert.ok(
        result.error!.issues.some((i) =>
          key === "" ? i.code === "unrecognized_keys" : i.path.map(String).includes(key),
        ),
        `${JSON.stringify(input)}: ${JSON.stringify(result.error!.issues)}`,
      );
    }
  });

  itRefuses(IGNORED_BY_GITHUB);

  it("takes branch names and job names, matrix jobs included", () => {
    const ok = githubConfig({
      ...PROD,
      environment: { ...PROD.environment, deploymentBranch: "release/refs" },
      requiredChecks: ["preview (dev)", "unit tests"],
    });
    assert.equal(ok.environment.deploymentBranch, "release/refs");
  });

  it("accepts a secret kubeconfig string only", () => {
    assert.equal(kubeconfigSchema.safeParse("apiVersion: v1").success, true);
    assert.equal(kubeconfigSchema.safeParse("").success, false);
    assert.equal(kubeconfigSchema.safeParse({ apiVersion: "v1" }).success, false);
  });

  it("finds no cross-key problem in a valid gated config, and none without github", () => {
    assert.deepEqual(
      githubConfigIssues({
        github: githubConfig({
          ...PROD,
          environment: { ...PROD.environment, appSecrets: ["OPENAI_API_KEY"] },
        }),
        appSecrets: APP_SECRETS,
        kubeconfig: "k",
      }),
      [],
    );
    assert.deepEqual(githubConfigIssues({ appSecrets: {} }), []);
  });

  it("ties reviewers to the approval gate and checks the other keys github needs", () => {
    const issues = (
      input: GitHubConfigInput,
      secrets: { kubeconfig?: string } = { kubeconfig: "k" },
    ) =>
      githubConfigIssues({ github: githubConfig(input), appSecrets: APP_SECRETS, ...secrets }).map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      );
    const repo = { repository: "acme/x" };
    assert.deepEqual(issues({ ...repo, environment: { requireApproval: true } }), [
      "github.environment.reviewers: at least one user or team: requireApproval is true",
    ]);
    assert.deepEqual(issues({ ...repo, environment: { reviewers: { users: ["alice"] } } }), [
      "github.environment.reviewers: no reviewers unless environment.requireApproval is true",
    ]);
    assert.deepEqual(
      issues({
        ...repo,
        environment: {
          requireApproval: true,
          reviewers: { users: ["a1", "a2", "a3", "a4"], teams: ["t1", "t2", "t3"] },
        },
      }),
      ["github.environment.reviewers: at most 6 users and teams together (GitHub's limit)"],
    );
    assert.deepEqual(issues({ ...repo, environment: { preventSelfReview: true } }), [
      "github.environment.preventSelfReview: false unless environment.requireApproval is true",
    ]);
    assert.deepEqual(issues({ ...repo, manageBranchProtection: true, requiredChecks: [] }), [
      "github.requiredChecks: at least one check name when manageBranchProtection is true",
    ]);
    assert.deepEqual(issues(repo, {}), [
      "kubeconfig: a kubeconfig for the environment's KUBECONFIG secret when github is set " +
        "(pulumi config set --secret kubeconfig < FILE)",
    ]);
    assert.deepEqual(issues({ ...repo, environment: { appSecrets: ["NOPE"] } }), [
      "github.environment.appSecrets.0: a key of appSecrets",
    ]);
  });
});
