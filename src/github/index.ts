/**
 * GitHub settings as code for one stack: its deployment environment (reviewers,
 * branch policy, secrets) and, on the one stack that sets
 * `github.manageBranchProtection`, the protection of the deployment branch.
 * The GitHub provider authenticates with GITHUB_TOKEN from the environment (a
 * token that may administer the repository); nothing is created without `github`.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { BranchProtection } from "./branch-protection";
import {
  githubConfigIssues,
  GitHubConfig,
  KUBECONFIG_SECRET,
  REGISTRY_TOKEN_SECRET,
} from "../config/github-schema";
import { DeployEnvironment } from "./deploy-environment";
import { APP } from "../names";

export * from "../config/github-schema";
export { BranchProtection } from "./branch-protection";
export { DeployEnvironment } from "./deploy-environment";

export interface GitHubStackConfig {
  /** The stack's name: the GitHub environment's name. */
  readonly environment: string;
  readonly github?: GitHubConfig | undefined;
  /** The app secret names (not their values). */
  readonly appSecretKeys: readonly string[];
}

/** The stack's secrets the environment's secrets are made from (Pulumi secrets). */
export interface GitHubSecrets {
  /** The read-only pull token, for the rollback workflow's registry reads (none: public). */
  readonly pullToken?: pulumi.Input<string> | undefined;
  readonly appSecrets: pulumi.Input<Record<string, string>>;
  readonly kubeconfig?: pulumi.Input<string> | undefined;
}

export interface GitHubOutputs {
  /** "owner/name". */
  repository: string;
  /** The environment's name. */
  environment: pulumi.Output<string>;
  /** Names of the environment's secrets (never their values). */
  secretNames: string[];
  /** The protected branch, when this stack manages branch protection. */
  protectedBranch?: pulumi.Output<string>;
}

/**
 * Creates the stack's GitHub environment (and branch protection when the flag is
 * set); returns undefined, creating nothing, when `github` is absent.
 */
export function composeGitHub(
  cfg: GitHubStackConfig,
  secrets: GitHubSecrets,
): GitHubOutputs | undefined {
  const gh = cfg.github;
  if (!gh) return undefined;
  const problems = githubConfigIssues({
    github: gh,
    appSecrets: Object.fromEntries(cfg.appSecretKeys.map((k) => [k, true])),
    kubeconfig: secrets.kubeconfig,
  });
  if (problems.length > 0) {
    throw new pulumi.RunError(
      `Invalid github configuration:\n` +
        problems.map((p) => `  - ${p.path.join(".")}: expected ${p.message}`).join("\n"),
    );
  }

  const [owner, repository] = gh.repository.split("/") as [string, string];
  const provider = new github.Provider(`${APP}-github`, { owner });
  const invokeOpts = { provider };
  const users = gh.environment.reviewers.users.map((username) =>
    github.getUserOutput({ username }, invokeOpts).id.apply(toId(`user ${username}`)),
  );
  const teams = gh.environment.reviewers.teams.map((slug) =>
    github.getTeamOutput({ slug, summaryOnly: true }, invokeOpts).id.apply(toId(`team ${slug}`)),
  );

  const appSecrets = pulumi.secret(secrets.appSecrets);
  const environmentSecrets: Record<string, pulumi.Input<string>> = {
    [KUBECONFIG_SECRET]: pulumi.secret(secrets.kubeconfig!),
    ...(secrets.pullToken === undefined
      ? {}
      : { [REGISTRY_TOKEN_SECRET]: pulumi.secret(secrets.pullToken) }),
  };
  for (const key of gh.environment.appSecrets) {
    environmentSecrets[key] = appSecrets.apply((s) => s[key]!);
  }

  const environment = new DeployEnvironment(
    APP,
    {
      repository,
      environment: cfg.environment,
      reviewers: { users, teams },
      preventSelfReview: gh.environment.preventSelfReview,
      deploymentBranch: gh.environment.deploymentBranch,
      secrets: environmentSecrets,
    },
    { providers: [provider] },
  );
  const protection = gh.manageBranchProtection
    ? new BranchProtection(
        APP,
        {
          repository,
          branch: gh.environment.deploymentBranch,
          requiredChecks: gh.requiredChecks,
        },
        { providers: [provider] },
      )
    : undefined;

  return {
    repository: gh.repository,
    environment: environment.environment,
    secretNames: environment.secretNames,
    ...(protection ? { protectedBranch: protection.pattern } : {}),
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
