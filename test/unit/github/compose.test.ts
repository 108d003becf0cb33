/**
 * composeGitHub: the settings stack manages GitHub settings only (one provider for the
 * repository's owner, no app or cluster resource) and no secret at all.
 */
import { CI_ENVIRONMENTS } from "../../../src/config/ci-environments";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { recorded, resetRecorded } from "../../support/mocks";
import {
  BRANCH_PROTECTION,
  composeWith,
  GITHUB_ENV,
  ENVIRONMENT,
  POLICY,
  PROTECTION,
  PROVIDER,
  SECRET,
} from "../../support/github-compose";
import { githubConfig, SETTINGS } from "../../support/github";

describe("composeGitHub", () => {
  beforeEach(() => resetRecorded());

  it("registers GitHub settings only, through one provider for the repository's owner", async () => {
    await composeWith(githubConfig(SETTINGS));
    const types = recorded.map((r) => r.type);
    assert.deepEqual(
      recorded.filter((r) => r.type === PROVIDER).map((r) => [r.name, r.inputs.owner]),
      [["travel-github", "acme"]],
    );
    // No kubernetes, docker-build or app component: GitHub's resources and their components.
    assert.deepEqual(
      [...new Set(types)].sort(),
      [PROTECTION, ENVIRONMENT, POLICY, PROVIDER, BRANCH_PROTECTION, GITHUB_ENV].sort(),
    );
    assert.equal(
      types.filter((t) => t === ENVIRONMENT).length,
      Object.keys(CI_ENVIRONMENTS).length,
    );
    assert.equal(types.filter((t) => t === ENVIRONMENT).length, 7);
  });

  it("creates no environment secret (no secret value passes through the settings stack)", async () => {
    await composeWith(githubConfig(SETTINGS));
    assert.ok(recorded.length > 0);
    assert.deepEqual(
      recorded.filter((r) => r.type === SECRET || /Secret/.test(r.type)),
      [],
    );
  });
});
