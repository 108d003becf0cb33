/**
 * What bootstrap refuses of the GitHub settings before it changes anything: reviewers
 * that are not logins or team slugs (options), and any `travel:github` of the settings
 * stack's file that the program would refuse once bootstrap has set its part, such as a
 * deployment branch written as a ref, which GitHub would take and match no branch with.
 * Every problem at once, one line each, naming the stack file, the key, the value and
 * what was expected, as the program says it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { githubSettingsProblems } from "../../../../commands/bootstrap/github-check";
import { parseOptions } from "../../../../commands/bootstrap/options";
import { resolveSettings } from "../../../../commands/bootstrap/settings";
import { parseStackFile } from "../../../../commands/bootstrap/stack-file";
import { appCheckout, NO_SETTINGS_FILE } from "../../../support/bootstrap";

const GITHUB = { repository: "acme/travel", reviewers: { users: ["alice"], teams: [] } };
const INPUT = { org: "organization", project: "travel", github: GITHUB };

/** Pulumi.github.yaml with settings of its own, as a user may have written them. */
const PLANTED = [
  "config:",
  "  travel:github:",
  "    deploymentBranch: refs/heads/main",
  "    requiredChecks: [unit tests, pr / unit tests (pull_request)]",
  "  travel:hostnames: [travel.example.com]",
  "",
].join("\n");
const REF_LINE =
  'Pulumi.github.yaml: travel:github.deploymentBranch = "refs/heads/main": ' +
  'expected a branch name such as "main", not a ref: GitHub matches the deployment branch ' +
  "policy and the branch protection against branch names, so a ref matches no branch";
const CHECK_LINE =
  'Pulumi.github.yaml: travel:github.requiredChecks[1] = "pr / unit tests (pull_request)": ' +
  'expected the name a job reports, such as "unit tests": GitHub shows checks as ' +
  '"<workflow> / <job> (<event>)", a name no check reports, so the branch would wait for ' +
  "it forever";
const APP_KEY_LINE =
  'Pulumi.github.yaml: travel:hostnames = ["travel.example.com"]: expected no app key on the ' +
  'settings stack "github": it manages only the repository\'s GitHub settings (app keys ' +
  "belong in the app stacks' files)";

describe("bootstrap's GitHub settings", () => {
  it("finds nothing to refuse in a new settings stack with what bootstrap sets", () => {
    assert.deepEqual(githubSettingsProblems(NO_SETTINGS_FILE, INPUT), []);
  });

  it("refuses what the settings file sets that GitHub would take and never act on, and app keys", () => {
    const settings = parseStackFile("/x/deploy/Pulumi.github.yaml", PLANTED, "travel");
    assert.deepEqual(githubSettingsProblems(settings, INPUT), [APP_KEY_LINE, REF_LINE, CHECK_LINE]);
    assert.deepEqual(githubSettingsProblems(settings, { ...INPUT, github: undefined }), []);
  });

  it("reports them with the run's other problems, before anything is read from the backend", () => {
    const deploy = appCheckout({ "Pulumi.github.yaml": PLANTED });
    const opts = parseOptions([
      ...["--backend", "file:///tmp/x", "--github", "acme/travel", "--reviewers", "alice"],
      ...["--layout", "separate"],
    ]);
    assert.throws(
      () =>
        resolveSettings(opts, {}, deploy, () => {
          throw new Error("the backend was asked");
        }),
      (err: Error) =>
        /^images\.backend\.context = "\.\.\/coagents-travel\/agent": expected an existing directory/.test(
          err.message,
        ) && err.message.endsWith(["", APP_KEY_LINE, REF_LINE, CHECK_LINE].join("\n")),
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
