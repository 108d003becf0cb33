/**
 * The workflow tests' entry point: the workflows and the setup action as GitHub reads
 * them, the runner that runs a job as GitHub does (runner.ts), the checkouts, pins and
 * stub commands the tests run jobs with (workspace.ts), and jobs with the standard stubs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { binary, select } from "../../../toolchain/select";
import { expand } from "../../../toolchain/tools";
import type { Contexts } from "./expressions";
import { readAction, runJob } from "./runner";
import type { Action, Job, JobRun, Step, Workflow } from "./types";
import { ROOT, STUB_PINS, SYSTEM_PATH, type Workspace } from "./workspace";

export type { Contexts };
export { readAction, runJob };
export type * from "./types";
export * from "./workspace";

export const WORKFLOWS = join(ROOT, ".github", "workflows");

/**
 * A workflow's text without the version comments of its pinned actions (`uses: a/b@<sha> #
 * v6.1.0`: the commit pins it, test/unit/workflows/pins.test.ts checks the comment).
 */
export const withoutPinComments = (text: string) => text.replace(/ # v\d+(\.\d+)*$/gm, "");
/** The folder of the composite action every Pulumi job uses, in this checkout. */
export const SETUP_ACTION = join(ROOT, ".github", "actions", "setup");
/** How the jobs use it: from the program's checkout in deploy/ (either layout). */
export const SETUP_USES = "./deploy/.github/actions/setup";

/** A workflow as GitHub reads it (`yaml` keeps `on` a string key and resolves aliases). */
export function loadWorkflow(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
}

let setupAction: Action | undefined;
/** The setup action's metadata, as GitHub reads it (read once: its steps keep their identity). */
export function loadSetupAction(): Action {
  setupAction ??= readAction(SETUP_ACTION)!;
  return setupAction;
}

// ---- workflows read as data -------------------------------------------------------------

/** A job's steps as they run: the setup action's steps right after the step that uses it. */
export const stepsOf = (job: Job): Step[] =>
  job.steps.flatMap((s) => (s.uses === SETUP_USES ? [s, ...loadSetupAction().runs.steps] : [s]));
/** The scripts of a job's steps, the setup action's included. */
export const runs = (job: Job) =>
  stepsOf(job)
    .filter((s) => s.run !== undefined)
    .map((s) => s.run!.trim());
/** The one step of a job named `name`, the setup action's included. */
export function named(job: Job, name: string): Step {
  const found = stepsOf(job).filter((s) => s.name === name);
  assert.equal(found.length, 1, `one step named "${name}"`);
  return found[0]!;
}
/** Where the step named `name` runs in a job, the setup action's steps counted. */
export const indexOf = (job: Job, name: string) => stepsOf(job).indexOf(named(job, name));

/** actionlint, as the toolchain chose it (installed at its pin, or its cached build), in `cwd`. */
export function actionlint(args: string[], cwd = ROOT) {
  const bin = binary(
    select(expand(["lint"]), { build: false, log: () => undefined }),
    "actionlint",
  );
  if (!existsSync(bin))
    assert.fail(`actionlint is not built (${bin}): run \`npm run toolchain -- lint\``);
  return spawnSync(bin, ["-no-color", "-oneline", ...args], { cwd, encoding: "utf8" });
}

// ---- jobs with the standard stubs ------------------------------------------------------

/** A self-managed backend, as the repository secrets give it. */
export const SELF_MANAGED = { PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "p" };
/** Outputs of a source stack that has deployed. */
export const VERIFIED = JSON.stringify({
  verifiedImages: {
    backend: { ref: "r", gitSha: "a".repeat(40) },
    frontend: { ref: "r", gitSha: "a".repeat(40) },
  },
});
/** The release a gated job gets from the job before it (`needs.<job>.outputs.release`). */
export const RELEASE = {
  backend: { ref: `ghcr.io/acme/travel-backend@sha256:${"1".repeat(64)}`, gitSha: "a".repeat(40) },
  frontend: {
    ref: `ghcr.io/acme/travel-frontend@sha256:${"2".repeat(64)}`,
    gitSha: "a".repeat(40),
  },
  verifiedAt: "2026-12-05T12:00:00.000Z",
};
/** The `needs` context of a gated stack's jobs: the stack before it passed RELEASE. */
export const releasedBy = (release: unknown = RELEASE) => {
  const outputs = { release: JSON.stringify(release) };
  return { dev: { outputs }, staging: { outputs } };
};
/** The committed text of Pulumi.<stack>.yaml. */
export const stackFile = (stack: string) =>
  readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");

/** Runs a job with the standard stubs first on PATH and the pins they report. */
export function run(
  w: Workspace,
  wf: Workflow,
  job: string,
  contexts: Contexts,
  runnerEnv: Record<string, string> = {},
  until?: string,
): JobRun {
  return runJob(wf, job, {
    workspace: w.ws,
    path: [w.bin],
    basePath: SYSTEM_PATH,
    contexts,
    runnerEnv: { ...STUB_PINS, ...runnerEnv },
    ...(until ? { until } : {}),
  });
}

/**
 * The preview of `stack` on a self-managed backend: dev's in a same-repository pull
 * request (pr.yml), a gated stack's plan on main (deploy.yml, plan-<stack>).
 */
export const preview = (
  w: Workspace,
  stack: string,
  runnerEnv: Record<string, string> = {},
  until?: string,
  vars: Record<string, string> = {},
) =>
  run(
    w,
    loadWorkflow(stack === "dev" ? "pr.yml" : "deploy.yml"),
    stack === "dev" ? "preview" : `plan-${stack}`,
    { matrix: { stack }, secrets: SELF_MANAGED, vars, needs: releasedBy() },
    { STUB_QUALIFIED: `organization/travel/${stack}`, ...runnerEnv },
    until,
  );

/** The failed steps and what they printed. */
export const problems = (r: JobRun) =>
  r.steps.flatMap((s) => (s.status !== 0 ? [`${s.step.name}: ${s.stdout}${s.stderr}`] : []));
/** The names of the steps that ran. */
export const ran = (r: JobRun) =>
  r.steps.filter((s) => s.ran).map((s) => s.step.name ?? s.step.run ?? s.step.uses);
