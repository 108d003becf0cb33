/**
 * Whether the workflow copies can be pushed: the `workflow` scope of the token gh hands
 * git, read from `gh api -i user` (fake git and gh here), refused with the remedy when
 * it is missing, and nothing said when bootstrap cannot know (SSH, another credential
 * helper, no gh login, a fine-grained token's empty scopes) or writes no copy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CliResult } from "../../../../commands/bootstrap/pulumi-cli";
import {
  oauthScopes,
  type ToolRun,
  workflowPushProblem,
} from "../../../../commands/bootstrap/workflow-scope";

const FILES = [".github/workflows/deploy.yml", ".github/workflows/pr.yml"];
const HTTPS = "https://github.com/you/coagents-travel.git";
const GH_HELPER = "!/usr/bin/gh auth git-credential";

/** `gh api -i user` as gh prints it: the status line, the head, a blank line, the body. */
const response = (...head: string[]) =>
  ["HTTP/2.0 200 OK", "Content-Type: application/json; charset=utf-8", ...head, "", "{}"].join(
    "\n",
  );
const CLASSIC = response("X-Accepted-Oauth-Scopes: ", "X-Oauth-Scopes: gist, read:org, repo");

/** Fake git and gh answering by their arguments' start; records each call. */
function tools(answers: Record<string, Partial<CliResult>>): ToolRun & { calls: string[] } {
  const calls: string[] = [];
  const run = ((program, args) => {
    const cmd = [program, ...args].join(" ");
    calls.push(cmd);
    // The last that matches: a case overrides the setup it starts from.
    const key = Object.keys(answers)
      .reverse()
      .find((k) => cmd.startsWith(k));
    if (key === undefined) return { status: 1, stdout: "", stderr: `unexpected ${cmd}` };
    return { status: 0, stdout: "", stderr: "", ...answers[key] };
  }) as ToolRun & { calls: string[] };
  run.calls = calls;
  return run;
}

const setup = (over: Record<string, Partial<CliResult>> = {}) =>
  tools({
    "git -C /app remote get-url --push origin": { stdout: `${HTTPS}\n` },
    "git -C /app config --get-urlmatch credential.helper": { stdout: `${GH_HELPER}\n` },
    "gh api --hostname github.com -i user": { stdout: CLASSIC },
    ...over,
  });

describe("the workflow scope of the token git pushes the copies with", () => {
  it("refuses gh's login without it, naming the scopes, the files and the command", () => {
    const run = setup();
    assert.equal(
      workflowPushProblem("/app", FILES, run, {}),
      "gh's login for github.com has the scopes gist, read:org, repo and not workflow: git " +
        "pushes to https://github.com/you/coagents-travel.git with it (gh is git's credential " +
        "helper), and GitHub refuses a push that adds or changes .github/workflows/deploy.yml, " +
        ".github/workflows/pr.yml without that scope; run gh auth refresh -h github.com -s " +
        "workflow, then bootstrap again",
    );
    assert.deepEqual(run.calls, [
      "git -C /app remote get-url --push origin",
      `git -C /app config --get-urlmatch credential.helper ${HTTPS}`,
      "gh api --hostname github.com -i user",
    ]);
  });

  it("names the variable gh's token comes from, and how to do without it", () => {
    const run = setup({
      "git -C /app remote get-url": { stdout: "https://you@github.com/you/coagents-travel\n" },
    });
    assert.equal(
      workflowPushProblem("/app", FILES.slice(1), run, { GITHUB_TOKEN: "t", GH_TOKEN: "" }),
      "$GITHUB_TOKEN, the token gh hands git for github.com, has the scopes gist, read:org, " +
        "repo and not workflow: git pushes to https://github.com/you/coagents-travel with it " +
        "(gh is git's credential helper), and GitHub refuses a push that adds or changes " +
        ".github/workflows/pr.yml without that scope; add the workflow scope to the token in " +
        "GITHUB_TOKEN (https://github.com/settings/tokens), or unset GITHUB_TOKEN (bootstrap " +
        "asks for the token it needs) and give gh's own login the scope (gh auth refresh -h " +
        "github.com -s workflow), then run bootstrap again",
    );
  });

  it("takes a token with the scope", () => {
    const scoped = response("X-Oauth-Scopes: repo, workflow");
    assert.equal(
      workflowPushProblem("/app", FILES, setup({ "gh api": { stdout: scoped } }), {}),
      undefined,
    );
  });

  it("says nothing when it cannot know, or when nothing is copied", () => {
    const cases: [string, ToolRun & { calls: string[] }, number][] = [
      ["SSH", setup({ "git -C /app remote": { stdout: "git@github.com:you/app.git\n" } }), 1],
      [
        "a password in the URL",
        setup({ "git -C /app remote": { stdout: "https://u:p@github.com/a/b\n" } }),
        1,
      ],
      ["no origin", setup({ "git -C /app remote": { status: 2 } }), 1],
      ["another host", setup({ "git -C /app remote": { stdout: "https://gitlab.com/a/b\n" } }), 1],
      ["another helper", setup({ "git -C /app config": { stdout: "osxkeychain\n" } }), 2],
      ["no helper", setup({ "git -C /app config": { status: 1 } }), 2],
      ["no gh", setup({ "gh api": { status: 127 } }), 3],
      ["gh logged out", setup({ "gh api": { status: 4 } }), 3],
      ["a fine-grained token", setup({ "gh api": { stdout: response() } }), 3],
      ["empty scopes", setup({ "gh api": { stdout: response("X-Oauth-Scopes: ") } }), 3],
    ];
    for (const [what, run, calls] of cases) {
      assert.equal(workflowPushProblem("/app", FILES, run, {}), undefined, what);
      assert.equal(run.calls.length, calls, what);
    }
    const none = setup();
    assert.equal(workflowPushProblem("/app", [], none, {}), undefined);
    assert.equal(workflowPushProblem(undefined, FILES, none, {}), undefined);
    assert.deepEqual(none.calls, [], "nothing to push: nothing asked");
  });

  it("reads the scopes from the head only", () => {
    assert.deepEqual(oauthScopes(CLASSIC), ["gist", "read:org", "repo"]);
    assert.deepEqual(oauthScopes("HTTP/1.1 200 OK\r\nx-oauth-scopes: repo,workflow\r\n\r\n{}"), [
      "repo",
      "workflow",
    ]);
    assert.equal(oauthScopes(response() + "\nX-Oauth-Scopes: repo"), undefined);
  });
});
