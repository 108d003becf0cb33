/**
 * The zod sub-schema of the optional top-level key `github`: the GitHub settings a
 * stack manages as code (its deployment environment and, on exactly one stack, the
 * protection of the deployment branch), plus the secret key `kubeconfig` that
 * becomes the environment's KUBECONFIG secret. Absent `github` (the default, and
 * the local stack) manages nothing on GitHub.
 */
import { z } from "zod";
import { FORMAT } from "../names";
import { HIDDEN } from "./fields";
import { kubeconfigRunnerProblem } from "./kubeconfig";

/** The checks the pull-request workflow (.github/workflows/pr.yml) reports, by job name. */
export const PR_CHECKS = ["unit tests", "preview (dev)", "preview (staging)", "preview (prod)"];

/** Names of the environment secrets the deploy and rollback workflows read. */
export const KUBECONFIG_SECRET = "KUBECONFIG";
export const REGISTRY_TOKEN_SECRET = "REGISTRY_TOKEN";

/** GitHub's limit on required reviewers (users and teams together) of one environment. */
export const MAX_REVIEWERS = 6;

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const BRANCH = /^(?!\/|.*\/$|.*\/\/|.*\.\.|.*@\{|.*\.lock$)[A-Za-z0-9._\/-]+$/;
/** A ref where GitHub wants a branch name: its branch policies and protections match none. */
const REF = /^refs\//;
/** A check as GitHub shows it on a pull request: "<workflow> / <job> (<event>)". */
const SHOWN_CHECK = /\((?:pull_request|pull_request_target|push|merge_group)\)$/;
const SECRET_NAME = /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/i;
const PLUGIN_COMMAND = /^[A-Za-z0-9._/+-]+$/;

const pattern = (re: RegExp, expected: string, maxLength = 255) =>
  z.string({ error: expected }).max(maxLength, { error: expected }).regex(re, { error: expected });
const bool = () => z.boolean({ error: "true or false" });
const list = <T extends z.ZodType>(item: T, expected: string) => z.array(item, { error: expected });

/** A required reviewer's login (also `--reviewers` of bootstrap). */
export const reviewerLogin = pattern(LOGIN, "a GitHub user login");
/** A required reviewer team's slug (also `--reviewer-teams` of bootstrap). */
export const reviewerTeam = pattern(TEAM_SLUG, "a GitHub team slug (lowercase)");

export const githubConfigSchema = z.strictObject(
  {
    repository: pattern(FORMAT.githubRepository, "a GitHub repository 'owner/name'", 140),
    environment: z
      .strictObject({
        requireApproval: bool().default(false),
        reviewers: z
          .strictObject({
            users: list(reviewerLogin, "a list of GitHub logins").default([]),
            teams: list(
              reviewerTeam,
              "a list of team slugs of the repository's organization",
            ).default([]),
          })
          .prefault({}),
        preventSelfReview: bool().default(false),
        deploymentBranch: pattern(BRANCH, "a git branch name")
          // Only a name the pattern takes: one problem a value.
          .refine((b) => !REF.test(b) || !BRANCH.test(b), {
            error:
              'a branch name such as "main", not a ref: GitHub matches the deployment ' +
              "branch policy and the branch protection against branch names, so a ref " +
              "matches no branch",
          })
          .default("main"),
        appSecrets: list(
          pattern(SECRET_NAME, "a secret name ([A-Za-z_][A-Za-z0-9_]*, not GITHUB_*)"),
          "a list of appSecrets keys to copy into the environment",
        ).default([]),
        // The exec credential plugin of the kubeconfig, accepted: the jobs set it up.
        kubeconfigPlugin: pattern(
          PLUGIN_COMMAND,
          "the command of the kubeconfig's exec credential plugin, such as aws, " +
            "gke-gcloud-auth-plugin or kubelogin",
        ).optional(),
      })
      .prefault({}),
    manageBranchProtection: bool().default(false),
    requiredChecks: list(
      z
        .string({ error: "a check name" })
        .min(1, { error: "a check name" })
        .refine((c) => !SHOWN_CHECK.test(c), {
          error:
            'the name a job reports, such as "unit tests": GitHub shows checks as ' +
            '"<workflow> / <job> (<event>)", a name no check reports, so the branch ' +
            "would wait for it forever",
        }),
      "a list of status check names",
    ).default(PR_CHECKS),
  },
  { error: "an object {repository, environment, manageBranchProtection, requiredChecks}" },
);

/** The secret top-level key `kubeconfig`: the cluster credentials of the stack's environment. */
export const kubeconfigSchema = z
  .string({ error: "a kubeconfig set with `pulumi config set --secret kubeconfig < FILE`" })
  .min(1, { error: "a kubeconfig set with `pulumi config set --secret kubeconfig < FILE`" });

export type GitHubConfigInput = z.input<typeof githubConfigSchema>;
export type GitHubConfig = z.output<typeof githubConfigSchema>;

/** A problem found by {@link githubConfigIssues}, addressed from the config root. */
export interface GitHubConfigIssue {
  path: (string | number)[];
  message: string;
  input: unknown;
}

/**
 * Rules on `github` that relate it to itself and to other keys, for the stack
 * schema's superRefine (run once every key is valid on its own): reviewers only
 * with an approval gate and at most {@link MAX_REVIEWERS}, checks to require when
 * the branch is protected, a kubeconfig to hand to the environment, and app
 * secrets that exist, and a kubeconfig the deploy jobs can use as it is (./kubeconfig.ts).
 */
export function githubConfigIssues(cfg: {
  github?: GitHubConfig | undefined;
  appSecrets: Record<string, unknown>;
  kubeconfig?: unknown;
}): GitHubConfigIssue[] {
  const gh = cfg.github;
  if (!gh) return [];
  const issues: GitHubConfigIssue[] = [];
  const env = gh.environment;
  const { users, teams } = env.reviewers;
  const count = users.length + teams.length;
  if (env.requireApproval && count === 0) {
    issues.push({
      path: ["github", "environment", "reviewers"],
      message: "at least one user or team: requireApproval is true",
      input: env.reviewers,
    });
  }
  if (!env.requireApproval && count > 0) {
    issues.push({
      path: ["github", "environment", "reviewers"],
      message: "no reviewers unless environment.requireApproval is true",
      input: env.reviewers,
    });
  }
  if (count > MAX_REVIEWERS) {
    issues.push({
      path: ["github", "environment", "reviewers"],
      message: `at most ${MAX_REVIEWERS} users and teams together (GitHub's limit)`,
      input: env.reviewers,
    });
  }
  if (env.preventSelfReview && !env.requireApproval) {
    issues.push({
      path: ["github", "environment", "preventSelfReview"],
      message: "false unless environment.requireApproval is true",
      input: true,
    });
  }
  if (gh.manageBranchProtection && gh.requiredChecks.length === 0) {
    issues.push({
      path: ["github", "requiredChecks"],
      message: "at least one check name when manageBranchProtection is true",
      input: gh.requiredChecks,
    });
  }
  if (cfg.kubeconfig === undefined) {
    issues.push({
      path: ["kubeconfig"],
      message:
        "a kubeconfig for the environment's KUBECONFIG secret when github is set " +
        "(pulumi config set --secret kubeconfig < FILE)",
      input: undefined,
    });
  } else if (typeof cfg.kubeconfig === "string") {
    const problem = kubeconfigRunnerProblem(cfg.kubeconfig, env.kubeconfigPlugin);
    if (problem !== undefined)
      issues.push({ path: ["kubeconfig"], message: problem, input: HIDDEN });
  }
  const reserved = [KUBECONFIG_SECRET, REGISTRY_TOKEN_SECRET];
  env.appSecrets.forEach((key, i) => {
    if (!(key in cfg.appSecrets)) {
      issues.push({
        path: ["github", "environment", "appSecrets", i],
        message: "a key of appSecrets",
        input: key,
      });
    } else if (reserved.includes(key.toUpperCase())) {
      issues.push({
        path: ["github", "environment", "appSecrets", i],
        message: `a name other than ${reserved.join(" and ")}`,
        input: key,
      });
    }
  });
  return issues;
}
