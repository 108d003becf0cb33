/**
 * What bootstrap refuses of the GitHub settings before it changes anything: reviewers
 * that are not logins or team slugs (options), and any `travel:github` of a stack file
 * that the program would refuse once bootstrap has set its part, such as a deployment
 * branch written as a ref, which GitHub would take and match no branch with. Every
 * problem at once, one line each, naming the stack file, the key, the value and what
 * was expected, as the program says it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { githubSettingsProblems } from "../../../../commands/bootstrap/github-check";
import { parseOptions } from "../../../../commands/bootstrap/options";
import { resolveSettings } from "../../../../commands/bootstrap/settings";
import { parseStackFile } from "../../../../commands/bootstrap/stack-file";
import { appCheckout, committed, STACKS, text } from "../../../support/bootstrap";

const GITHUB = { repository: "acme/travel", reviewers: { users: ["alice"], teams: [] } };
const INPUT = { org: "organization", project: "travel", github: GITHUB };

/** Pulumi.prod.yaml with `github` settings of its own, as a user may have written them. */
const prodWith = (github: string) =>
  `${text("prod").replace(/^config:\n/m, `config:\n  travel:github:\n${github}`)}`;
const PLANTED = prodWith(
  [
    "    environment:",
    "      deploymentBranch: refs/heads/main",
    "    requiredChecks: [unit tests, pr / unit tests (pull_request)]",
    "",
  ].join("\n"),
);
const REF_LINE =
  'Pulumi.prod.yaml: travel:github.environment.deploymentBranch = "refs/heads/main": ' +
  'expected a branch name such as "main", not a ref: GitHub matches the deployment branch ' +
  "policy and the branch protection against branch names, so a ref matches no branch";
const CHECK_LINE =
  'Pulumi.prod.yaml: travel:github.requiredChecks[1] = "pr / unit tests (pull_request)": ' +
  'expected the name a job reports, such as "unit tests": GitHub shows checks as ' +
  '"<workflow> / <job> (<event>)", a name no check reports, so the branch would wait for ' +
  "it forever";

describe("bootstrap's GitHub settings", () => {
  const files = Object.fromEntries(STACKS.map((s) => [s, committed(s)])) as Record<
    (typeof STACKS)[number],
    ReturnType<typeof committed>
  >;

  it("finds nothing to refuse in the committed stack files with what bootstrap sets", () => {
    assert.deepEqual(githubSettingsProblems(files, INPUT), []);
  });

  it("refuses what a stack file sets that GitHub would take and never act on", () => {
    const prod = parseStackFile("/x/deploy/Pulumi.prod.yaml", PLANTED, "travel");
    assert.deepEqual(githubSettingsProblems({ ...files, prod }, INPUT), [REF_LINE, CHECK_LINE]);
    assert.deepEqual(
      githubSettingsProblems({ ...files, prod }, { ...INPUT, github: undefined }),
      [],
    );
  });

  it("reports them with the run's other problems, before anything is read from the backend", () => {
    const deploy = appCheckout({ "Pulumi.prod.yaml": PLANTED });
    const opts = parseOptions(["--backend", "file:///tmp/x", "--github", "acme/travel"]);
    assert.throws(
      () =>
        resolveSettings(opts, {}, deploy, () => {
          throw new Error("the backend was asked");
        }),
      (err: Error) =>
        err.message ===
        [
          "--reviewers/--reviewer-teams: expected 1 to 6 required reviewers of staging and prod " +
            "(or --no-github and set them by hand): GitHub creates a missing environment without any",
          REF_LINE,
          CHECK_LINE,
        ].join("\n"),
    );
  });

  it("refuses reviewers that are not logins or team slugs, with the other options", () => {
    assert.throws(
      () =>
        parseOptions([
          "--reviewers",
          "@alice,bob",
          "--reviewer-teams",
          "acme/platform,ops",
          "--layout",
          "mono",
        ]),
      (err: Error) =>
        err.message ===
        [
          '--layout = "mono": expected in-app or separate',
          '--reviewers = "@alice": expected a GitHub user login',
          '--reviewer-teams = "acme/platform": expected a GitHub team slug (lowercase)',
        ].join("\n"),
    );
  });
});
