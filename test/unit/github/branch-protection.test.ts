/**
 * Branch protection of the deployment branch: the pull-request checks, reviews (one at
 * least, stale ones dismissed, code owners', not by the last pusher) and admins held to it.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ofType, one, resetRecorded, valueOf } from "../../support/mocks";
import { BRANCH_PROTECTION, composeWith, PROTECTION } from "../../support/github-compose";
import { PR_CHECKS } from "../../../src/github";
import { githubConfig, SETTINGS } from "../../support/github";

describe("composeGitHub: branch protection", () => {
  beforeEach(() => resetRecorded());

  it("requires the checks and one approving review, and holds admins to it", async () => {
    const out = await composeWith(githubConfig(SETTINGS));
    assert.deepEqual(
      ofType(BRANCH_PROTECTION).map((r) => r.name),
      ["travel"],
    );
    assert.deepEqual(one(PROTECTION, "travel-branch").inputs, {
      repositoryId: "travel-deploy",
      pattern: "main",
      requiredStatusChecks: [{ strict: true, contexts: PR_CHECKS }],
      requiredPullRequestReviews: [
        {
          requiredApprovingReviewCount: 1,
          dismissStaleReviews: true,
          requireCodeOwnerReviews: true,
          requireLastPushApproval: true,
        },
      ],
      enforceAdmins: true,
      allowsForcePushes: false,
      allowsDeletions: false,
    });
    assert.equal(await valueOf(out.protectedBranch), "main");
  });

  it("takes the branch, the checks and the number of approvals from the config", async () => {
    const out = await composeWith(
      githubConfig({
        ...SETTINGS,
        deploymentBranch: "release",
        requiredChecks: ["unit tests"],
        requiredApprovals: 2,
      }),
    );
    const inputs = one(PROTECTION, "travel-branch").inputs;
    assert.equal(inputs.pattern, "release");
    assert.deepEqual(inputs.requiredStatusChecks, [{ strict: true, contexts: ["unit tests"] }]);
    assert.equal(inputs.requiredPullRequestReviews[0].requiredApprovingReviewCount, 2);
    assert.equal(inputs.enforceAdmins, true);
    assert.equal(await valueOf(out.protectedBranch), "release");
  });
});
