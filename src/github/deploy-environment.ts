import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "../names";

export interface DeployEnvironmentArgs {
  /** Repository name (without the owner; the provider carries the owner). */
  readonly repository: string;
  /** Environment name: the stack's name, as the workflows' `environment:`. */
  readonly environment: string;
  /** Required reviewers by numeric GitHub ID; none means no approval gate. */
  readonly reviewers: {
    readonly users: pulumi.Input<number>[];
    readonly teams: pulumi.Input<number>[];
  };
  /** Whether whoever triggered a deployment is barred from approving it. */
  readonly preventSelfReview: boolean;
  /** The only branch that may deploy to the environment. */
  readonly deploymentBranch: string;
  /** Environment secrets by name; every value is sent to GitHub as a Pulumi secret. */
  readonly secrets: Record<string, pulumi.Input<string>>;
}

/**
 * A GitHub Actions deployment environment: required reviewers (the manual gate),
 * deployments from one branch only (a custom branch policy), and its secrets.
 * Outputs carry names only, never a secret value.
 */
export class DeployEnvironment extends pulumi.ComponentResource {
  /** The environment's name, known once it exists. */
  public readonly environment: pulumi.Output<string>;
  /** The names of the environment's secrets (sorted). */
  public readonly secretNames: string[];

  constructor(name: string, args: DeployEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.deployEnvironment, name, {}, opts);
    const { users, teams } = args.reviewers;
    const env = new github.RepositoryEnvironment(
      `${name}-environment`,
      {
        repository: args.repository,
        environment: args.environment,
        reviewers: users.length + teams.length > 0 ? [{ users, teams }] : [],
        preventSelfReview: args.preventSelfReview,
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      },
      { parent: this },
    );
    new github.RepositoryEnvironmentDeploymentPolicy(
      `${name}-branch-policy`,
      {
        repository: args.repository,
        environment: env.environment,
        branchPattern: args.deploymentBranch,
      },
      { parent: this },
    );
    this.secretNames = Object.keys(args.secrets).sort();
    for (const secretName of this.secretNames) {
      new github.ActionsEnvironmentSecret(
        `${name}-secret-${secretName.toLowerCase().replace(/_/g, "-")}`,
        {
          repository: args.repository,
          environment: env.environment,
          secretName,
          value: pulumi.secret(args.secrets[secretName]!),
        },
        { parent: this },
      );
    }
    this.environment = env.environment;
    this.registerOutputs({ environment: this.environment, secretNames: this.secretNames });
  }
}
