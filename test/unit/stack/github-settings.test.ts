/**
 * The GitHub settings of the stacks: the proposed ones (test/fixtures/github) gate
 * staging and prod; proposed or committed, one stack alone protects the branch.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { githubConfigIssues, githubConfigSchema } from "../../../src/config/github-schema";
import { APP_SECRETS } from "../../support/github";

const ROOT = join(__dirname, "..", "..", "..");

describe("github settings of the stacks", () => {
  const proposed = parse(
    readFileSync(join(ROOT, "test", "fixtures", "github", "stack-config.yaml"), "utf8"),
  ) as Record<string, Record<string, unknown>>;

  /** The parsed `travel:github` of each stack that sets one. */
  const settingsOf = (stacks: Record<string, Record<string, unknown> | undefined>) =>
    Object.fromEntries(
      Object.entries(stacks)
        .filter(([, config]) => config?.["travel:github"] !== undefined)
        .map(([stack, config]) => [stack, githubConfigSchema.parse(config!["travel:github"])]),
    );

  it("the proposed settings gate staging and prod and protect the branch from one stack", () => {
    const settings = settingsOf(proposed);
    assert.deepEqual(Object.keys(settings).sort(), ["dev", "prod", "staging"]);
    assert.equal(settings.dev!.environment.requireApproval, false);
    assert.equal(settings.staging!.environment.requireApproval, true);
    assert.equal(settings.prod!.environment.requireApproval, true);
    assert.deepEqual(
      Object.entries(settings)
        .filter(([, s]) => s.manageBranchProtection)
        .map(([stack]) => stack),
      ["prod"],
    );
    for (const [stack, s] of Object.entries(settings)) {
      assert.deepEqual(
        githubConfigIssues({ github: s, appSecrets: APP_SECRETS, kubeconfig: "k" }),
        [],
        stack,
      );
    }
  });

  it("the committed stack files protect the branch from exactly one stack when any sets github", () => {
    const files = Object.fromEntries(
      ["dev", "staging", "prod"].map((stack) => [
        stack,
        (
          parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
            config?: Record<string, unknown>;
          }
        ).config,
      ]),
    );
    const settings = settingsOf(files);
    const owners = Object.values(settings).filter((s) => s.manageBranchProtection).length;
    assert.equal(owners, Object.keys(settings).length === 0 ? 0 : 1);
  });
});
