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
  /** Approving reviews a pull request needs (at least 1). */
  readonly requiredApprovals: number;
}

/**
 * Protection of the deployment branch: changes arrive through pull requests whose checks
 * (unit tests and every stack's preview) passed on an up-to-date branch and that someone
 * other than their last pusher approved after the last push, code owners among them where
 * CODEOWNERS names one; admins are held to it; no force pushes, no deletion.
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
        requiredPullRequestReviews: [
          {
            requiredApprovingReviewCount: args.requiredApprovals,
            dismissStaleReviews: true,
            requireCodeOwnerReviews: true,
            requireLastPushApproval: true,
          },
        ],
        enforceAdmins: true,
        allowsForcePushes: false,
        allowsDeletions: false,
      },
      { parent: this },
    );
    this.pattern = protection.pattern;
    this.registerOutputs({ pattern: this.pattern });
  }
}
