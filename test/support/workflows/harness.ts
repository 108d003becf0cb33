/**
 * The workflow tests' entry point: the workflows as GitHub reads them, the runner that
 * runs a job as GitHub does (runner.ts), the checkouts, pins and stub commands the tests
 * run jobs with (workspace.ts), and jobs with the standard stubs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Contexts } from "./expressions";
import { readAction, runJob } from "./runner";
import type { JobRun, Workflow } from "./types";
import { ROOT, STUB_PINS, SYSTEM_PATH, type Workspace } from "./workspace";

export type { Contexts };
export { readAction, runJob };
export type * from "./types";
export * from "./workspace";

export const WORKFLOWS = join(ROOT, ".github", "workflows");
/** A workflow as GitHub reads it (`yaml` keeps `on` a string key and resolves aliases). */
export function loadWorkflow(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
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

/** A same-repository pull request's preview of `stack`, on a self-managed backend. */
export const preview = (
  w: Workspace,
  stack: string,
  runnerEnv: Record<string, string> = {},
  until?: string,
  vars: Record<string, string> = {},
) =>
  run(
    w,
    loadWorkflow("pr.yml"),
    "preview",
    { matrix: { stack }, secrets: SELF_MANAGED, vars },
    { STUB_QUALIFIED: `organization/travel/${stack}`, ...runnerEnv },
    until,
  );

/** The failed steps and what they printed. */
export const problems = (r: JobRun) =>
  r.steps.flatMap((s) => (s.status !== 0 ? [`${s.step.name}: ${s.stdout}${s.stderr}`] : []));
/** The names of the steps that ran. */
export const ran = (r: JobRun) =>
  r.steps.filter((s) => s.ran).map((s) => s.step.name ?? s.step.run ?? s.step.uses);
