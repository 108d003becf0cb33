/**
 * What the workflow runner (runner.ts) reads and returns: a workflow, its jobs and steps,
 * a composite action's metadata (as GitHub reads them, YAML anchors resolved), and the
 * result of a job's run. No tests of its own.
 */
import type { Contexts } from "./expressions";

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
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
  /** Job outputs, each an expression (a later job reads them as needs.<job>.outputs). */
  outputs?: Record<string, string>;
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
/** A composite action's metadata (action.yml). */
export interface Action {
  name: string;
  description: string;
  inputs?: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

export interface StepResult {
  readonly step: Step;
  readonly ran: boolean;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly errors: string[];
  readonly notices: string[];
  /** For a step of a local composite action: the `uses:` of the job's step that ran it. */
  readonly action?: string;
}

export interface JobRun {
  /** Every step in order; a local composite action's step, then its steps. */
  readonly steps: StepResult[];
  /** The job's outcome: every step that ran exited 0. */
  readonly success: boolean;
  /** What the steps wrote to GITHUB_ENV, the last value per name. */
  readonly env: Record<string, string>;
  /** Step outputs by id: the job's steps and its composite actions' steps. */
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
