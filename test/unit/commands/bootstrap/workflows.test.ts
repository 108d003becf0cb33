/**
 * The workflows bootstrap copies into an app repository (the in-app layout: this program
 * in deploy/, GitHub reading the repository's root .github/workflows): only the
 * workflows are copied, the local actions they use resolve from either layout's checkout
 * without a copy, and actionlint passes over the copies with the setup action read from
 * deploy/ (and fails when a workflow gives it an input it does not declare).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { type Action, describeAction } from "../../../../commands/bootstrap/actions";
import { execute } from "../../../../commands/bootstrap/execute";
import { gitTopLevel, workflowCopies } from "../../../../commands/bootstrap/observe";
import { PROGRAM_FOLDER } from "../../../../commands/bootstrap/layout";
import { plan } from "../../../../commands/bootstrap/plan";
import { needsCopy, workflowCopyProblems } from "../../../../commands/bootstrap/workflow-copy";
import { fresh, input, ROOT } from "../../../support/bootstrap";
import { actionlint, readAction } from "../../../support/workflows/harness";

const root = mkdtempSync(join(tmpdir(), "bootstrap-workflows-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** An app repository with this program's .github in deploy/, as git sees it. */
function appRepository(name: string): { app: string; deploy: string } {
  const app = join(root, name);
  const deploy = join(app, PROGRAM_FOLDER);
  mkdirSync(deploy, { recursive: true });
  cpSync(join(ROOT, ".github"), join(deploy, ".github"), { recursive: true });
  spawnSync("git", ["-C", app, "init", "-q"]);
  return { app, deploy };
}

/** Copies the workflows as bootstrap's plan does (its copy-workflow actions). */
async function bootstrapCopies(app: string, deploy: string): Promise<void> {
  const top = gitTopLevel(deploy);
  assert.ok(top !== undefined);
  const actions: Action[] = workflowCopies(deploy, top)
    .filter(needsCopy)
    .map((w) => ({ kind: "copy-workflow", from: w.from, to: w.to, replace: w.state === "ours" }));
  const fail = () => assert.fail("copying a workflow runs no Pulumi command");
  await execute(actions, {
    cli: { cwd: deploy, run: fail },
    project: "travel",
    top: app,
    secretValue: fail,
    githubEnv: () => ({}),
    gh: fail,
    log: () => undefined,
  });
}

/** The `uses: ./…` of every step of the workflows in `dir`. */
function localActions(dir: string): string[] {
  const files = ["deploy.yml", "pr.yml", "rollback.yml", "settings.yml"];
  const uses = files.flatMap((f) => {
    const wf = parse(readFileSync(join(dir, f), "utf8")) as {
      jobs: Record<string, { steps: { uses?: string }[] }>;
    };
    return Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.uses ?? ""));
  });
  return [...new Set(uses.filter((u) => u.startsWith("./")))];
}

describe("the workflows bootstrap copies into an app repository", () => {
  it("are the four workflows only: the setup action stays in deploy/", async () => {
    const { app, deploy } = appRepository("copies");
    assert.deepEqual(
      workflowCopies(deploy, gitTopLevel(deploy)),
      ["deploy.yml", "pr.yml", "rollback.yml", "settings.yml"].map((f) => ({
        from: `deploy/.github/workflows/${f}`,
        to: `.github/workflows/${f}`,
        state: "missing",
      })),
    );
    await bootstrapCopies(app, deploy);
    assert.deepEqual(
      workflowCopies(deploy, gitTopLevel(deploy)).map((w) => w.state),
      ["same", "same", "same", "same"],
    );
  });

  it("use local actions that resolve from the checkout of either layout, without a copy", () => {
    const uses = localActions(join(ROOT, ".github", "workflows"));
    assert.deepEqual(uses, ["./deploy/.github/actions/setup"]);
    // in-app: the app's repository is the workspace, this program its deploy/;
    // separate: this repository is checked out into deploy/ of the workspace.
    const { app } = appRepository("layouts");
    const separate = join(root, "separate");
    mkdirSync(separate);
    spawnSync("ln", ["-s", ROOT, join(separate, PROGRAM_FOLDER)]);
    for (const workspace of [app, separate]) {
      for (const u of uses) {
        assert.equal(readAction(join(workspace, u))?.runs.using, "composite", `${workspace}: ${u}`);
      }
    }
  });

  it("pass actionlint at the app repository's root, with the setup action's inputs checked", async () => {
    const { app, deploy } = appRepository("lint");
    await bootstrapCopies(app, deploy);
    const ok = actionlint([], app);
    assert.equal(ok.stdout + ok.stderr, "");
    assert.equal(ok.status, 0);

    const rollback = join(app, ".github", "workflows", "rollback.yml");
    const text = readFileSync(rollback, "utf8");
    writeFileSync(rollback, text.replace("check-app-source:", "check-app-sources:"));
    const bad = actionlint([], app);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /input "check-app-sources" is not defined in action/);
  });

  it("replace only what bootstrap wrote: an app's own workflow or an edited copy is refused", async () => {
    const { app, deploy } = appRepository("overwrite");
    const at = (f: string) => join(app, ".github", "workflows", f);
    const source = (f: string) => join(deploy, ".github", "workflows", f);
    const states = () => workflowCopies(deploy, gitTopLevel(deploy)).map((w) => w.state);
    // A copy made before copies were marked is the source's text: bootstrap's own.
    mkdirSync(join(app, ".github", "workflows"), { recursive: true });
    writeFileSync(at("pr.yml"), readFileSync(source("pr.yml"), "utf8"));
    assert.deepEqual(states(), ["missing", "ours", "missing", "missing"]);
    await bootstrapCopies(app, deploy);
    assert.deepEqual(states(), ["same", "same", "same", "same"]);
    const [marker, ...rest] = readFileSync(at("pr.yml"), "utf8").split("\n");
    assert.match(
      marker!,
      /^# Copied by npm run bootstrap from deploy\/\.github\/workflows\/pr\.yml \(sha256 [0-9a-f]{64} of the lines below\): edit that file and run bootstrap again, not this copy\.$/,
    );
    assert.equal(rest.join("\n"), readFileSync(source("pr.yml"), "utf8"));

    // The program's rollback.yml changed: its unchanged copy is replaced.
    writeFileSync(source("rollback.yml"), `${readFileSync(source("rollback.yml"), "utf8")}# v2\n`);
    // Someone edited the copy of deploy.yml, and the app has a pr.yml of its own.
    writeFileSync(
      at("deploy.yml"),
      readFileSync(at("deploy.yml"), "utf8").replace("main", "trunk"),
    );
    const own = "name: app ci\non: push\njobs: {}\n";
    writeFileSync(at("pr.yml"), own);
    const copies = workflowCopies(deploy, gitTopLevel(deploy));
    assert.deepEqual(states(), ["edited", "foreign", "ours", "same"]);
    assert.deepEqual(workflowCopyProblems(copies), [
      ".github/workflows/deploy.yml: expected no file or bootstrap's copy of " +
        "deploy/.github/workflows/deploy.yml, found that copy changed by hand since bootstrap " +
        "wrote it (it would overwrite the change): make the change in " +
        "deploy/.github/workflows/deploy.yml and delete the copy (or rename the copy to keep it " +
        "as a workflow of your own), and run bootstrap again",
      ".github/workflows/pr.yml: expected no file or bootstrap's copy of " +
        "deploy/.github/workflows/pr.yml, found a workflow bootstrap did not write (it would " +
        "overwrite it): rename yours (for example to .github/workflows/pr-app.yml), or delete it " +
        "to take bootstrap's, and run bootstrap again",
    ]);
    const planned = plan(input({ ...fresh(), workflows: copies })).actions;
    assert.deepEqual(planned.filter((a) => a.kind === "copy-workflow").map(describeAction), [
      "replace bootstrap's earlier copy of deploy/.github/workflows/rollback.yml at " +
        ".github/workflows/rollback.yml (GitHub runs workflows from the repository's root only)",
    ]);
    await bootstrapCopies(app, deploy);
    assert.equal(readFileSync(at("pr.yml"), "utf8"), own, "the app's own workflow is untouched");
    assert.deepEqual(states(), ["edited", "foreign", "same", "same"]);
  });
});
