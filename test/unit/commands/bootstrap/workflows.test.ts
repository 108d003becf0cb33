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
import type { Action } from "../../../../commands/bootstrap/actions";
import { execute } from "../../../../commands/bootstrap/execute";
import { gitTopLevel, workflowCopies } from "../../../../commands/bootstrap/observe";
import { PROGRAM_FOLDER } from "../../../../commands/bootstrap/layout";
import { ROOT } from "../../../support/bootstrap";
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
  const actions: Action[] = workflowCopies(deploy, top).map((w) => ({
    kind: "copy-workflow",
    from: w.from,
    to: w.to,
  }));
  const fail = () => assert.fail("copying a workflow runs no Pulumi command");
  await execute(actions, {
    cli: { cwd: deploy, run: fail },
    project: "travel",
    top: app,
    secretValue: fail,
    githubEnv: {},
    log: () => undefined,
  });
}

/** The `uses: ./…` of every step of the workflows in `dir`. */
function localActions(dir: string): string[] {
  const files = ["deploy.yml", "pr.yml", "rollback.yml"];
  const uses = files.flatMap((f) => {
    const wf = parse(readFileSync(join(dir, f), "utf8")) as {
      jobs: Record<string, { steps: { uses?: string }[] }>;
    };
    return Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.uses ?? ""));
  });
  return [...new Set(uses.filter((u) => u.startsWith("./")))];
}

describe("the workflows bootstrap copies into an app repository", () => {
  it("are the three workflows only: the setup action stays in deploy/", async () => {
    const { app, deploy } = appRepository("copies");
    assert.deepEqual(
      workflowCopies(deploy, gitTopLevel(deploy)).map((w) => [w.from, w.to, w.same]),
      ["deploy.yml", "pr.yml", "rollback.yml"].map((f) => [
        `deploy/.github/workflows/${f}`,
        `.github/workflows/${f}`,
        false,
      ]),
    );
    await bootstrapCopies(app, deploy);
    assert.ok(workflowCopies(deploy, gitTopLevel(deploy)).every((w) => w.same));
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
});
