/** Branch protection: only on the stack that sets the flag, requiring the checks. */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { ofType, one, resetRecorded, valueOf } from "../../support/mocks";
import { BRANCH_PROTECTION, composeWith, PROTECTION } from "../../support/github-compose";
import { PR_CHECKS } from "../../../src/github";
import { githubConfig, PROD } from "../../support/github";

describe("composeGitHub: branch protection", () => {
  beforeEach(() => resetRecorded());

  it("protects the branch, requiring the pull-request checks, only when the flag is set", async () => {
    const out = await composeWith(githubConfig({ ...PROD, manageBranchProtection: true }));
    assert.deepEqual(
      ofType(BRANCH_PROTECTION).map((r) => r.name),
      ["travel"],
    );
    assert.deepEqual(one(PROTECTION, "travel-branch").inputs, {
      repositoryId: "travel-deploy",
      pattern: "main",
      requiredStatusChecks: [{ strict: true, contexts: PR_CHECKS }],
      allowsForcePushes: false,
      allowsDeletions: false,
    });
    assert.equal(await valueOf(out!.protectedBranch!), "main");

    await composeWith(
      githubConfig({ ...PROD, manageBranchProtection: true, requiredChecks: ["unit tests"] }),
    );
    assert.deepEqual(one(PROTECTION, "travel-branch").inputs.requiredStatusChecks, [
      { strict: true, contexts: ["unit tests"] },
    ]);
  });
});
