import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "../names";

export interface GitHubEnvironmentArgs {
  /** Repository name (without the owner; the provider carries the owner). */
  readonly repository: string;
  /** The environment's name, as the workflows' `environment:` names it. */
  readonly environment: string;
  /**
   * Required reviewers by numeric GitHub ID; with any, a job in the environment waits for
   * one of them, and never for the one who started it.
   */
  readonly reviewers: {
    readonly users: pulumi.Input<number>[];
    readonly teams: pulumi.Input<number>[];
  };
  /**
   * The only branch whose runs may use the environment (and so its secrets); undefined:
   * runs of every branch may (no deployment branch policy).
   */
  readonly deploymentBranch: string | undefined;
}

/**
 * A GitHub Actions environment: its required reviewers (no self-review), no admin bypass
 * of its protections, and one deployment branch (a custom branch policy) or, for one that every
 * branch may use, none. It holds no secret in Pulumi's state: environment secrets are set
 * with `gh secret set --env`.
 */
export class GitHubEnvironment extends pulumi.ComponentResource {
  /** The environment's name, known once it exists. */
  public readonly environment: pulumi.Output<string>;

  constructor(name: string, args: GitHubEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.githubEnvironment, name, {}, opts);
    const { users, teams } = args.reviewers;
    const gated = users.length + teams.length > 0;
    const env = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository: args.repository,
        environment: args.environment,
        reviewers: gated ? [{ users, teams }] : [],
        // Whoever started a run never approves it; GitHub's default lets them.
        preventSelfReview: gated,
        // GitHub's default (true) lets a repository admin deploy without the reviewers.
        canAdminsBypass: false,
        ...(args.deploymentBranch === undefined
          ? {}
          : { deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } }),
      },
      { parent: this },
    );
    if (args.deploymentBranch !== undefined) {
      new github.RepositoryEnvironmentDeploymentPolicy(
        `${name}-branch-policy`,
        {
          repository: args.repository,
          environment: env.environment,
          branchPattern: args.deploymentBranch,
        },
        { parent: this },
      );
    }
    this.environment = env.environment;
    this.registerOutputs({ environment: this.environment });
  }
}
