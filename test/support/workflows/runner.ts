/**
 * Runs a workflow's job as GitHub runs it, for the workflow tests: the `${{ }}`
 * expressions of `if:`, `env:`, `with:`, `working-directory:` and `run:` evaluated like
 * GitHub's (expressions.ts), the environment built workflow < job < step plus what
 * earlier steps wrote to GITHUB_ENV and GITHUB_PATH, step outputs from GITHUB_OUTPUT, the
 * job summary, RUNNER_TEMP, each step's working directory (the job's default for its own
 * steps only), its shell (`bash -e {0}` unless `shell: bash`, which adds `--noprofile
 * --norc -o pipefail`), and the `::error::`/`::notice::` annotations. A local composite
 * action (`uses: ./…`) is read from the checkout and its steps run in place, with
 * `inputs.*` from `with:` and the action's defaults, its own `steps` context and the
 * calling step's env. Other `uses:` steps do not run (their effect, a checkout or a tool
 * on PATH, is set up by the test); whether they would run is recorded.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { condition, type Contexts, interpolate } from "./expressions";
import type { Action, JobRun, RunOptions, Step, StepResult, Workflow } from "./types";

/** A local action's metadata, read from `dir` (undefined when it has none). */
export function readAction(dir: string): Action | undefined {
  const file = ["action.yml", "action.yaml"].map((f) => join(dir, f)).find((f) => existsSync(f));
  return file === undefined ? undefined : (parse(readFileSync(file, "utf8")) as Action);
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

const SHELLS: Record<string, string[]> = {
  default: ["-e"],
  bash: ["--noprofile", "--norc", "-eo", "pipefail"],
};

const skipped = (step: Step, action?: string): StepResult => ({
  step,
  ran: false,
  status: 0,
  stdout: "",
  stderr: "",
  errors: [],
  notices: [],
  ...(action ? { action } : {}),
});

/** Where a list of steps runs: the job itself, or a composite action it uses. */
interface Scope {
  readonly inputs: unknown;
  readonly steps: Record<string, { outputs: Record<string, string> }>;
  /** The job's default working directory (its own steps only). */
  readonly dir?: string;
  /** The env of the step that uses the action (its steps inherit it). */
  readonly env: Record<string, string>;
  /** The action's `uses:` and folder, for its steps. */
  readonly action?: { readonly uses: string; readonly path: string };
}

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
    workspace: ws,
    event: { pull_request: { number: 7, head: { repo: { full_name: "acme/travel" } } } },
    ...((base.github as object | undefined) ?? {}),
  };
  const ctx = (scope: Scope, env: Record<string, string>): Contexts => ({
    vars: {},
    secrets: {},
    matrix: {},
    ...base,
    // A composite action's steps cannot read secrets: its caller passes them as inputs.
    ...(scope.action ? { secrets: undefined } : {}),
    inputs: scope.inputs ?? {},
    github: scope.action ? { ...github, action_path: scope.action.path } : github,
    steps: scope.steps,
    env,
  });
  const jobScope: Scope = {
    inputs: base.inputs,
    steps: {},
    dir: job.defaults?.run?.["working-directory"],
    env: {},
  };
  const wfEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(wf.env ?? {}))
    wfEnv[k] = interpolate(String(v), ctx(jobScope, {}));
  const jobEnv = { ...wfEnv };
  for (const [k, v] of Object.entries(job.env ?? {}))
    jobEnv[k] = interpolate(String(v), ctx(jobScope, jobEnv));
  const results: StepResult[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  let failed = false;
  let stopped = false;
  let index = 0;

  /** The env a step of `scope` sees before its own `env:`. */
  const envOf = (scope: Scope) => ({ ...jobEnv, ...readLines(files.env), ...scope.env });
  /** A step's own `env:`, evaluated. */
  const ownEnv = (step: Step, scope: Scope, envCtx: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [
        k,
        interpolate(String(v), ctx(scope, envCtx)),
      ]),
    );
  const record = (scope: Scope, id: string | undefined, values: Record<string, string>) => {
    if (id === undefined) return;
    scope.steps[id] = { outputs: values };
    outputs[id] = values;
  };

  function shell(step: Step, scope: Scope, envCtx: Record<string, string>): StepResult {
    const env = { ...envCtx, ...ownEnv(step, scope, envCtx) };
    const n = index++;
    const outFile = join(temp, `output-${n}`);
    writeFileSync(outFile, "");
    const script = join(temp, `step-${n}.sh`);
    writeFileSync(script, interpolate(step.run!, ctx(scope, env)));
    const flags = SHELLS[step.shell ?? "default"];
    assert.ok(flags, `the harness runs bash steps only, not shell: ${step.shell}`);
    const given = step["working-directory"];
    const dir = given === undefined ? (scope.dir ?? ".") : interpolate(given, ctx(scope, envCtx));
    const extraPath = readFileSync(files.path, "utf8").split("\n").filter(Boolean).reverse();
    const r = spawnSync("bash", [...flags, script], {
      cwd: resolve(ws, dir),
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
    record(scope, step.id, readLines(outFile));
    const out = `${r.stdout}`;
    return {
      step,
      ran: true,
      status: r.status ?? 1,
      stdout: out,
      stderr: r.stderr,
      errors: annotations(out, "error"),
      notices: annotations(out, "notice"),
      ...(scope.action ? { action: scope.action.uses } : {}),
    };
  }

  /** Runs a local composite action's steps in place, after the result of the step using it. */
  function composite(step: Step, scope: Scope, envCtx: Record<string, string>): void {
    const uses = step.uses!;
    const path = resolve(ws, uses);
    const action = readAction(path);
    if (action === undefined) {
      failed = true;
      const missing = `Can't find 'action.yml' or 'action.yaml' under '${path}'`;
      results.push({ ...skipped(step), ran: true, status: 1, errors: [missing] });
      return;
    }
    assert.equal(
      action.runs.using,
      "composite",
      `${uses}: the harness runs composite actions only`,
    );
    const callerCtx = ctx(scope, envCtx);
    const inputs: Record<string, string> = {};
    const env = ownEnv(step, scope, envCtx);
    const inner: Scope = { inputs, steps: {}, env, action: { uses, path } };
    for (const [k, spec] of Object.entries(action.inputs ?? {})) {
      const given = step.with?.[k];
      inputs[k] =
        given !== undefined
          ? interpolate(String(given), callerCtx)
          : interpolate(spec.default ?? "", ctx(inner, envOf(inner)));
    }
    const at = results.length;
    const before = failed;
    runSteps(action.runs.steps, inner);
    const ranAny = results.slice(at).some((r) => r.ran);
    const values: Record<string, string> = {};
    for (const [k, o] of Object.entries(action.outputs ?? {}))
      values[k] = interpolate(o.value, ctx(inner, envOf(inner)));
    record(scope, step.id, values);
    results.splice(at, 0, { ...skipped(step), ran: ranAny, status: failed && !before ? 1 : 0 });
  }

  function runSteps(steps: readonly Step[], scope: Scope): void {
    for (const step of steps) {
      if (stopped) return;
      const envCtx = envOf(scope);
      const local = step.uses?.startsWith("./") === true;
      const chosen = local || opts.only === undefined || opts.only.includes(step.name ?? "");
      if (!chosen || !condition(step.if, ctx(scope, envCtx), failed)) {
        results.push(skipped(step, scope.action?.uses));
        const action = local ? readAction(resolve(ws, step.uses!)) : undefined;
        for (const s of action?.runs.steps ?? []) results.push(skipped(s, step.uses));
        continue;
      }
      if (local) composite(step, scope, envCtx);
      else if (step.run === undefined) {
        results.push({ ...skipped(step, scope.action?.uses), ran: true });
      } else {
        const r = shell(step, scope, envCtx);
        results.push(r);
        if (r.status !== 0) failed = true;
      }
      if (opts.until !== undefined && step.name === opts.until) stopped = true;
    }
  }

  runSteps(job.steps, jobScope);
  return {
    steps: results,
    success: !failed,
    env: readLines(files.env),
    outputs,
    summary: readFileSync(files.summary, "utf8"),
    result(name) {
      const found = results.filter((s) => s.step.name === name);
      assert.equal(found.length, 1, `one step named "${name}" in ${jobId}`);
      return found[0]!;
    },
  };
}
