/**
 * The zod schema of `travel:github`, the one key of the settings stack (names.ts
 * SETTINGS_STACK): the repository whose settings it manages, the protection of the
 * deployment branch, and its GitHub environments with their required reviewers. Values
 * GitHub would take and never act on (a branch written as a ref, a check named as a pull
 * request shows it, two environment names that differ only in case, a gated environment
 * without reviewers) are refused here, before anything is sent.
 */
import { z } from "zod";
import { CI_ENVIRONMENTS } from "./ci-environments";
import { FORMAT, GATED_ENVIRONMENTS } from "../names";

/** The checks the pull-request workflow (.github/workflows/pr.yml) reports, by job name. */
export const PR_CHECKS = ["unit tests", "preview (dev)", "preview (staging)", "preview (prod)"];

/** GitHub's limit on required reviewers (users and teams together) of one environment. */
export const MAX_REVIEWERS = 6;

/** GitHub's limit on the approving reviews a branch protection may require. */
export const MAX_APPROVALS = 6;

/**
 * The environments the settings stack always manages, whether listed or not: every one the
 * workflows name (./ci-environments.ts).
 */
export const MANAGED_ENVIRONMENTS: readonly string[] = Object.keys(CI_ENVIRONMENTS);

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const BRANCH = /^(?!\/|.*\/$|.*\/\/|.*\.\.|.*@\{|.*\.lock$)[A-Za-z0-9._\/-]+$/;
/** A ref where GitHub wants a branch name: its branch policies and protections match none. */
const REF = /^refs\//;
/** A check as GitHub shows it on a pull request: "<workflow> / <job> (<event>)". */
const SHOWN_CHECK = /\((?:pull_request|pull_request_target|push|merge_group)\)$/;
const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]+$/;
const PLUGIN_COMMAND = /^[A-Za-z0-9._/+-]+$/;

const pattern = (re: RegExp, expected: string, maxLength = 255) =>
  z.string({ error: expected }).max(maxLength, { error: expected }).regex(re, { error: expected });
const list = <T extends z.ZodType>(item: T, expected: string) => z.array(item, { error: expected });

/** A required reviewer's login (also `--reviewers` of bootstrap). */
export const reviewerLogin = pattern(LOGIN, "a GitHub user login");
/** A required reviewer team's slug (also `--reviewer-teams` of bootstrap). */
export const reviewerTeam = pattern(TEAM_SLUG, "a GitHub team slug (lowercase)");

const environmentSchema = z
  .strictObject(
    {
      /** Who must approve a job that runs in the environment (users and teams, at most 6). */
      reviewers: z
        .strictObject(
          {
            users: list(reviewerLogin, "a list of GitHub logins").default([]),
            teams: list(
              reviewerTeam,
              "a list of team slugs of the repository's organization",
            ).default([]),
          },
          { error: "an object {users, teams}" },
        )
        .prefault({}),
      /**
       * The exec credential plugin of the environment's kubeconfig, accepted because its
       * jobs set it up (bootstrap refuses any other plugin in the kubeconfig it sets).
       */
      kubeconfigPlugin: pattern(
        PLUGIN_COMMAND,
        "the command of the kubeconfig's exec credential plugin, such as aws, " +
          "gke-gcloud-auth-plugin or kubelogin",
      ).optional(),
    },
    { error: "an object {reviewers, kubeconfigPlugin}" },
  )
  .prefault({});

export const githubConfigSchema = z.strictObject(
  {
    /** the repository whose settings the stack manages, `owner/name` */
    repository: pattern(FORMAT.githubRepository, "a GitHub repository 'owner/name'", 140),
    /** the protected branch, and the only one whose runs may use an environment (a branch name) */
    deploymentBranch: pattern(BRANCH, "a git branch name")
      // Only a name the pattern takes: one problem a value.
      .refine((b) => !REF.test(b) || !BRANCH.test(b), {
        error:
          'a branch name such as "main", not a ref: GitHub matches the deployment ' +
          "branch policy and the branch protection against branch names, so a ref " +
          "matches no branch",
      })
      .default("main"),
    /** status checks (job names of pr.yml) a pull request must pass, on an up-to-date branch */
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
    )
      .min(1, { error: "at least one status check name (the pull-request checks)" })
      .default(PR_CHECKS),
    /**
     * approving reviews a pull request needs (stale ones dismissed, code owners' required,
     * not the last pusher's; admins held to it)
     */
    requiredApprovals: z
      .int({ error: `an integer from 1 to ${MAX_APPROVALS}` })
      .min(1, { error: `an integer from 1 to ${MAX_APPROVALS}` })
      .max(MAX_APPROVALS, { error: `an integer from 1 to ${MAX_APPROVALS}` })
      .default(1),
    /**
     * `<name>.reviewers.{users,teams}` (required reviewers; at least one on staging, prod
     * and github) and `<name>.kubeconfigPlugin`; every environment the workflows name is
     * managed listed or not, with no self-review where gated and no admin bypass
     */
    environments: z
      .record(
        pattern(ENVIRONMENT_NAME, "an environment name (letters, digits, '.', '_', '-')"),
        environmentSchema,
        { error: "an object of environments by name" },
      )
      .default({}),
  },
  {
    error:
      "an object {repository, deploymentBranch, requiredChecks, requiredApprovals, environments}",
  },
);

/** The settings stack's config: `github` and no other key. */
export const settingsStackSchema = z.strictObject({
  /**
   * Settings stack (`github`) only: the repository's GitHub settings, its branch protection and
   * environments (docs/delivery.md); refused on an app stack.
   */
  github: githubConfigSchema,
});

export type SettingsStackInput = z.input<typeof settingsStackSchema>;

export type GitHubConfigInput = z.input<typeof githubConfigSchema>;
export type GitHubConfig = z.output<typeof githubConfigSchema>;
export type EnvironmentConfig = GitHubConfig["environments"][string];

/** One GitHub environment as the settings stack manages it. */
export interface EnvironmentSettings extends EnvironmentConfig {
  readonly name: string;
  /** Whether a required reviewer must approve its jobs (it must have one). */
  readonly gated: boolean;
  /** Whether runs of every branch may use it (no deployment branch policy). */
  readonly allBranches: boolean;
}

/**
 * Every environment the settings stack manages: those the workflows name (listed or not),
 * then the others listed, by name.
 */
export function environmentsOf(gh: GitHubConfig): EnvironmentSettings[] {
  const listed = Object.keys(gh.environments).filter((n) => !MANAGED_ENVIRONMENTS.includes(n));
  return [...MANAGED_ENVIRONMENTS, ...listed.sort()].map((name) => ({
    reviewers: { users: [], teams: [] },
    ...gh.environments[name],
    name,
    gated: GATED_ENVIRONMENTS.includes(name),
    allBranches: CI_ENVIRONMENTS[name]?.branches === "all",
  }));
}

/** A problem found by {@link githubConfigIssues}, addressed from the config root. */
export interface GitHubConfigIssue {
  path: (string | number)[];
  message: string;
  input: unknown;
}

/**
 * Rules on `github` across its keys, for the settings stack (run once it is valid on its
 * own): a gated environment has a required reviewer, no environment more than
 * {@link MAX_REVIEWERS}, no two environment names that GitHub takes for one.
 */
export function githubConfigIssues(gh: GitHubConfig): GitHubConfigIssue[] {
  const issues: GitHubConfigIssue[] = [];
  for (const env of environmentsOf(gh)) {
    const count = env.reviewers.users.length + env.reviewers.teams.length;
    const listed = gh.environments[env.name];
    if (env.gated && count === 0) {
      issues.push({
        path: ["github", "environments", env.name, ...(listed ? ["reviewers"] : [])],
        message:
          `at least one required reviewer (users or teams): ${env.name} is a gated ` +
          `environment, and GitHub runs the jobs of an environment without reviewers unapproved`,
        input: listed?.reviewers,
      });
    }
    if (count > MAX_REVIEWERS) {
      issues.push({
        path: ["github", "environments", env.name, "reviewers"],
        message: `at most ${MAX_REVIEWERS} users and teams together (GitHub's limit)`,
        input: env.reviewers,
      });
    }
  }
  const seen = new Map<string, string>();
  for (const env of environmentsOf(gh)) {
    const other = seen.get(env.name.toLowerCase());
    if (other !== undefined) {
      issues.push({
        path: ["github", "environments", env.name],
        message:
          `a name that differs from "${other}" in more than case: GitHub's environment ` +
          `names are case-insensitive, so both would be one environment`,
        input: gh.environments[env.name],
      });
    } else seen.set(env.name.toLowerCase(), env.name);
  }
  return issues;
}
