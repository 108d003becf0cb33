/**
 * The settings stack's program (names.ts SETTINGS_STACK): the repository's GitHub
 * settings as code and nothing else (no app, no image, no cluster): the protection of the
 * deployment branch and every GitHub environment (dev, staging, prod, github and any
 * other listed) with its reviewers, no self-review, no admin bypass and one deployment
 * branch. The GitHub provider authenticates with GITHUB_TOKEN from the environment, a
 * token that may administer the repository, which only the settings job holds. No secret
 * value passes through it: environment secrets are set with `gh secret set --env`.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { BranchProtection } from "./branch-protection";
import { environmentsOf } from "../config/github-schema";
import type { SettingsConfig } from "../config/settings";
import { GitHubEnvironment } from "./environment";
import { APP } from "../names";

export * from "../config/github-schema";
export { BranchProtection } from "./branch-protection";
export { GitHubEnvironment } from "./environment";

export interface GitHubOutputs {
  /** "owner/name". */
  repository: string;
  /** The protected branch. */
  protectedBranch: pulumi.Output<string>;
  /** The environments' names, in the order they were declared. */
  environments: pulumi.Output<string[]>;
}

/** Creates the repository's branch protection and environments from a validated config. */
export function composeGitHub(cfg: SettingsConfig): GitHubOutputs {
  const gh = cfg.github;
  const [owner, repository] = gh.repository.split("/") as [string, string];
  const provider = new github.Provider(`${APP}-github`, { owner });
  const ids = idLookups(provider);
  const environments = environmentsOf(gh).map(
    (env) =>
      new GitHubEnvironment(
        `${APP}-${env.name}`,
        {
          repository,
          environment: env.name,
          reviewers: {
            users: env.reviewers.users.map(ids.user),
            teams: env.reviewers.teams.map(ids.team),
          },
          deploymentBranch: env.allBranches ? undefined : gh.deploymentBranch,
        },
        { providers: [provider] },
      ),
  );
  const protection = new BranchProtection(
    APP,
    {
      repository,
      branch: gh.deploymentBranch,
      requiredChecks: gh.requiredChecks,
      requiredApprovals: gh.requiredApprovals,
    },
    { providers: [provider] },
  );
  return {
    repository: gh.repository,
    protectedBranch: protection.pattern,
    environments: pulumi.all(environments.map((e) => e.environment)),
  };
}

/** Numeric IDs of users and teams through the provider, one lookup each however often named. */
function idLookups(provider: github.Provider) {
  const users = new Map<string, pulumi.Output<number>>();
  const teams = new Map<string, pulumi.Output<number>>();
  const opts = { provider };
  const once = (
    cache: Map<string, pulumi.Output<number>>,
    key: string,
    f: () => pulumi.Output<number>,
  ) => {
    if (!cache.has(key)) cache.set(key, f());
    return cache.get(key)!;
  };
  return {
    user: (username: string) =>
      once(users, username, () =>
        github.getUserOutput({ username }, opts).id.apply(toId(`user ${username}`)),
      ),
    team: (slug: string) =>
      once(teams, slug, () =>
        github.getTeamOutput({ slug, summaryOnly: true }, opts).id.apply(toId(`team ${slug}`)),
      ),
  };
}

/** GitHub returns numeric IDs as strings; reviewers need numbers. */
function toId(what: string): (id: string) => number {
  return (id) => {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new pulumi.RunError(`github: no numeric ID for ${what} (got "${id}")`);
    }
    return n;
  };
}
