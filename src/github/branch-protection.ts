import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "../names";

export interface BranchProtectionArgs {
  /** Repository name (without the owner; the provider carries the owner). */
  readonly repository: string;
  /** The protected branch, e.g. "main". */
  readonly branch: string;
  /** Status checks (job names of the pull-request workflow) a change must pass. */
  readonly requiredChecks: readonly string[];
}

/**
 * Protection of the deployment branch: changes arrive through pull requests whose
 * checks (unit tests and every stack's preview) passed on an up-to-date branch;
 * no force pushes, no deletion.
 */
export class BranchProtection extends pulumi.ComponentResource {
  /** The protected branch pattern. */
  public readonly pattern: pulumi.Output<string>;

  constructor(name: string, args: BranchProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.branchProtection, name, {}, opts);
    const protection = new github.BranchProtection(
      `${name}-branch`,
      {
        repositoryId: args.repository,
        pattern: args.branch,
        requiredStatusChecks: [{ strict: true, contexts: [...args.requiredChecks] }],
        allowsForcePushes: false,
        allowsDeletions: false,
      },
      { parent: this },
    );
    this.pattern = protection.pattern;
    this.registerOutputs({ pattern: this.pattern });
  }
}
