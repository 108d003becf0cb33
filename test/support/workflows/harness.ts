/**
 * A runner for the workflows' jobs, as GitHub runs them, for the workflow tests: the
 * `${{ }}` expressions of `if:`, `env:` and `with:` evaluated like GitHub's (loose
 * equality, case-insensitive strings, `||`/`&&` returning operands, format()), the
 * environment built workflow < job < step plus what earlier steps wrote to GITHUB_ENV
 * and GITHUB_PATH, step outputs from GITHUB_OUTPUT, the job summary, RUNNER_TEMP, each
 * step's working-directory, `bash --noprofile --norc -eo pipefail {0}`, and the
 * `::error::`/`::notice::` annotations. `uses:` steps do not run (their effect, a
 * checkout or a tool on PATH, is set up by the test); whether they would run is recorded.
 * The checkouts, pins and stub commands the tests run jobs with: workspace.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { condition, type Contexts, interpolate } from "./expressions";

export type { Contexts };
export * from "./workspace";

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { "fail-fast"?: boolean; matrix: Record<string, string[]> };
  env?: Record<string, string>;
  defaults?: { run?: { "working-directory"?: string } };
  steps: Step[];
}
export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

import { ROOT, STUB_PINS, SYSTEM_PATH, type Workspace } from "./workspace";

export const WORKFLOWS = join(ROOT, ".github", "workflows");

/** A workflow as GitHub reads it (`yaml` keeps `on` a string key and resolves aliases). */
export function loadWorkflow(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
}

export interface StepResult {
  readonly step: Step;
  readonly ran: boolean;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly errors: string[];
  readonly notices: string[];
}

export interface JobRun {
  readonly steps: StepResult[];
  /** The job's outcome: every step that ran exited 0. */
  readonly success: boolean;
  /** What the steps wrote to GITHUB_ENV, the last value per name. */
  readonly env: Record<string, string>;
  readonly outputs: Record<string, Record<string, string>>;
  readonly summary: string;
  /** The result of the step named `name` (throws if none). */
  result(name: string): StepResult;
}

export interface RunOptions {
  /** $GITHUB_WORKSPACE: the checkout the test prepared. */
  readonly workspace: string;
  /** Folders put first on PATH (stub commands). */
  readonly path?: readonly string[];
  /** Context values: vars, secrets, matrix, inputs, github (merged over defaults). */
  readonly contexts?: Contexts;
  /** Extra variables of the runner's environment (e.g. a stub's instructions). */
  readonly runnerEnv?: Record<string, string>;
  /** Stop after the step with this name (for a job whose later steps need the network). */
  readonly until?: string;
  /** Run only the steps with these names (the others count as skipped). */
  readonly only?: readonly string[];
  /** The runner's PATH after the stubs (default: this process's). */
  readonly basePath?: string;
}

const readLines = (file: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );

const annotations = (out: string, level: string) =>
  out
    .split("\n")
    .filter((l) => l.startsWith(`::${level}`))
    .map((l) =>
      l
        .slice(l.indexOf("::", 2) + 2)
        .replace(/%0A/g, "\n")
        .replace(/%25/g, "%"),
    );

/** Runs a job's steps in order, as the runner would. */
export function runJob(wf: Workflow, jobId: string, opts: RunOptions): JobRun {
  const job = wf.jobs[jobId]!;
  const ws = opts.workspace;
  const temp = join(ws, "..", "runner-temp");
  mkdirSync(temp, { recursive: true });
  const files = {
    env: join(temp, "github-env"),
    path: join(temp, "github-path"),
    summary: join(temp, "summary"),
  };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const base = (opts.contexts ?? {}) as Contexts;
  const github = {
    token: "ghs_job_token",
    repository: "acme/travel",
    actor: "alice",
    ref: "refs/heads/main",
    sha: "0".repeat(40),
    event: { pull_request: { number: 7, head: { repo: { full_name: "acme/travel" } } } },
    ...((base.github as object | undefined) ?? {}),
  };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const ctx = (env: Record<string, string>): Contexts => ({
    vars: {},
    secrets: {},
    matrix: {},
    inputs: {},
    ...base,
    github,
    steps,
    env,
  });
  const wfEnv = Object.fromEntries(
    Object.entries(wf.env ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx({}))]),
  );
  const jobEnv = { ...wfEnv };
  for (const [k, v] of Object.entries(job.env ?? {}))
    jobEnv[k] = interpolate(String(v), ctx(jobEnv));
  const results: StepResult[] = [];
  let failed = false;
  for (const [index, step] of job.steps.entries()) {
    const written = readLines(files.env);
    const envCtx = { ...jobEnv, ...written };
    const chosen = opts.only === undefined || opts.only.includes(step.name ?? "");
    if (!chosen || !condition(step.if, ctx(envCtx), failed)) {
      results.push({
        step,
        ran: false,
        status: 0,
        stdout: "",
        stderr: "",
        errors: [],
        notices: [],
      });
      continue;
    }
    if (step.run === undefined) {
      results.push({ step, ran: true, status: 0, stdout: "", stderr: "", errors: [], notices: [] });
      if (opts.until !== undefined && step.name === opts.until) break;
      continue;
    }
    const env: Record<string, string> = { ...envCtx };
    for (const [k, v] of Object.entries(step.env ?? {}))
      env[k] = interpolate(String(v), ctx(envCtx));
    const outFile = join(temp, `output-${index}`);
    writeFileSync(outFile, "");
    const script = join(temp, `step-${index}.sh`);
    writeFileSync(script, step.run);
    const dir = step["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".";
    const extraPath = readFileSync(files.path, "utf8").split("\n").filter(Boolean).reverse();
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd: join(ws, dir),
      encoding: "utf8",
      env: {
        HOME: join(ws, "..", "home"),
        PATH: [...(opts.path ?? []), ...extraPath, opts.basePath ?? process.env.PATH].join(":"),
        ...opts.runnerEnv,
        ...env,
        CI: "true",
        GITHUB_ACTIONS: "true",
        GITHUB_WORKSPACE: ws,
        GITHUB_REPOSITORY: github.repository,
        GITHUB_SHA: github.sha,
        GITHUB_REF: github.ref,
        GITHUB_API_URL: "https://api.github.com",
        RUNNER_TEMP: temp,
        GITHUB_ENV: files.env,
        GITHUB_PATH: files.path,
        GITHUB_OUTPUT: outFile,
        GITHUB_STEP_SUMMARY: files.summary,
      },
    });
    if (step.id) steps[step.id] = { outputs: readLines(outFile) };
    const status = r.status ?? 1;
    const out = `${r.stdout}`;
    results.push({
      step,
      ran: true,
      status,
      stdout: out,
      stderr: r.stderr,
      errors: annotations(out, "error"),
      notices: annotations(out, "notice"),
    });
    if (status !== 0) failed = true;
    if (opts.until !== undefined && step.name === opts.until) break;
  }
  return {
    steps: results,
    success: !failed,
    env: readLines(files.env),
    outputs: Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, s.outputs])),
    summary: readFileSync(files.summary, "utf8"),
    result(name) {
      const found = results.filter((s) => s.step.name === name);
      assert.equal(found.length, 1, `one step named "${name}" in ${jobId}`);
      return found[0]!;
    },
  };
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
