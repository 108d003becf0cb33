/**
 * What `npm run bootstrap` refuses once it has looked at the backend and the repository,
 * and before it changes anything: every problem at once, one line each, and nothing
 * created, written or asked for (the state folder, the stacks, the workflow copies), in
 * a real run of the command with stub tools.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bootstrapWorkspace } from "../../../support/bootstrap-run";
import { EKS } from "../../../support/kubeconfigs";

const OWN_PR = "name: app ci\non: push\njobs: {}\n";
const OWN_PR_LINE =
  ".github/workflows/pr.yml: expected no file or bootstrap's copy of " +
  "deploy/.github/workflows/pr.yml, found a workflow bootstrap did not write (it would " +
  "overwrite it): rename yours (for example to .github/workflows/pr-app.yml), or delete " +
  "it to take bootstrap's, and run bootstrap again";
/** `gh api -i user` of a token `gh auth login` made: no workflow scope. */
const GH_LOGIN = "HTTP/2.0 200 OK\nX-Oauth-Scopes: gist, read:org, repo\n\n{}";

describe("bootstrap refuses before it changes anything", () => {
  it("a workflow of the app's own where it would copy one", () => {
    const w = bootstrapWorkspace();
    const workflows = join(w.app, ".github", "workflows");
    mkdirSync(workflows, { recursive: true });
    writeFileSync(join(workflows, "pr.yml"), OWN_PR);
    const r = w.run(["--no-github"]);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `bootstrap: ${OWN_PR_LINE}\n`);
    assert.equal(r.status, 1);
    assert.equal(readFileSync(join(workflows, "pr.yml"), "utf8"), OWN_PR);
    assert.deepEqual(
      ["deploy.yml", "rollback.yml", "settings.yml"].filter((f) =>
        w.appHas(`.github/workflows/${f}`),
      ),
      [],
      "no other workflow was copied",
    );
    assert.equal(w.stateExists(), false, "the state folder was created");
    assert.deepEqual(w.calls(), ["pulumi --non-interactive plugin ls --json"]);
  });

  it("a gh token that cannot push the copies, with every other problem", () => {
    const w = bootstrapWorkspace();
    const workflows = join(w.app, ".github", "workflows");
    mkdirSync(workflows, { recursive: true });
    writeFileSync(join(workflows, "pr.yml"), OWN_PR);
    // As `gh repo fork --clone` and `gh auth login` leave a clone.
    w.git("remote", "add", "origin", "https://github.com/you/coagents-travel.git");
    w.git("config", "credential.https://github.com.helper", "!/usr/bin/gh auth git-credential");
    const r = w.run(["--no-github"], { STUB_GH_RESPONSE: GH_LOGIN });
    assert.equal(
      r.stderr,
      [
        `bootstrap: ${OWN_PR_LINE}`,
        "gh's login for github.com has the scopes gist, read:org, repo and not workflow: git " +
          "pushes to https://github.com/you/coagents-travel.git with it (gh is git's " +
          "credential helper), and GitHub refuses a push that adds or changes " +
          ".github/workflows/deploy.yml, .github/workflows/rollback.yml, .github/workflows/settings.yml without that scope; " +
          "run gh auth refresh -h github.com -s workflow, then bootstrap again",
        "",
      ].join("\n"),
    );
    assert.equal(r.status, 1);
    assert.equal(w.stateExists(), false, "the state folder was created");
    assert.deepEqual(w.calls(), [
      "pulumi --non-interactive plugin ls --json",
      "gh api --hostname github.com -i user",
    ]);

    // With the scope, and the app's workflow renamed, the run goes on to the backend.
    rmSync(join(workflows, "pr.yml"));
    const scoped = w.run(["--no-github", "--dry-run"], {
      STUB_GH_RESPONSE: GH_LOGIN.replace("repo", "repo, workflow"),
    });
    assert.equal(scoped.stderr, "");
    assert.equal(scoped.status, 0);
    assert.match(
      scoped.stdout,
      /copy deploy\/\.github\/workflows\/pr\.yml to \.github\/workflows\/pr\.yml/,
    );
  });

  it("a kubeconfig the deploy jobs cannot use, with the file that holds it", () => {
    const w = bootstrapWorkspace();
    const file = join(w.app, "..", "prod.kubeconfig");
    writeFileSync(file, EKS);
    const r = w.run(["--github", "you/coagents-travel", "--reviewers", "alice"], {
      KUBECONFIG_PROD: file,
    });
    assert.equal(
      r.stderr,
      `bootstrap: KUBECONFIG_PROD = "${file}": expected credentials the deploy and rollback ` +
        'jobs can use: the current context "prod" logs in as user "admin" through the exec ' +
        "plugin aws, which those jobs neither install nor sign in for; use a kubeconfig with a " +
        "ServiceAccount token (docs/delivery.md#a-kubeconfig-for-the-jobs), or set the plugin up " +
        "in the jobs and accept it with github.environments.prod.kubeconfigPlugin: aws " +
        "(Pulumi.github.yaml)\n",
    );
    assert.equal(r.status, 1);
    assert.equal(w.stateExists(), false, "the state folder was created");
    assert.deepEqual(w.calls(), ["pulumi --non-interactive plugin ls --json"]);
  });
});
