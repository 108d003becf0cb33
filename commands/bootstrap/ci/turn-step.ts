/**
 * The deploy and rollback jobs' "Wait for the stack's turn" step: the queue of one
 * stack's updates. The jobs have no GitHub concurrency group, which keeps one pending run
 * and cancels the one before it (a run waiting for its approval included). Instead, once
 * approved, a job waits while another deploy or rollback job of the same stack is
 * running that started before it (ties: the older run first), polling the Actions API.
 * A job waiting for approval holds nothing and is never cancelled. The backend's update
 * lock stays the last guard: two updates of one stack never overlap.
 */
import type { Step } from "./annotate";

/** The job names of a stack's updates (deploy.yml, rollback.yml). */
export const updateJobNames = (stack: string): string[] => [`deploy ${stack}`, `rollback ${stack}`];

interface ApiJob {
  readonly name: string;
  readonly status: string;
  readonly started_at: string | null;
  readonly run_id: number;
}

export interface TurnStepInput {
  readonly stack: string;
  /** GITHUB_RUN_ID: the run of this job. */
  readonly runId: number;
  /** GET a path of the repository's API (`/actions/runs?…`), parsed JSON. */
  readonly get: (path: string) => Promise<unknown>;
  readonly sleep: (seconds: number) => Promise<void>;
  readonly step: Step;
  /** Seconds between polls. */
  readonly interval?: number;
  /** Polls before giving up (the job's timeout ends it anyway). */
  readonly maxPolls?: number;
}

async function runningUpdates(input: TurnStepInput): Promise<ApiJob[]> {
  const runs = (await input.get("/actions/runs?status=in_progress&per_page=100")) as {
    workflow_runs: { id: number; path: string }[];
  };
  const names = updateJobNames(input.stack);
  const ids = new Set(
    runs.workflow_runs
      .filter((r) => /(^|\/)(deploy|rollback)\.yml$/.test(r.path))
      .map((r) => r.id)
      .concat(input.runId),
  );
  const jobs: ApiJob[] = [];
  for (const id of ids) {
    const page = (await input.get(`/actions/runs/${id}/jobs?filter=latest&per_page=100`)) as {
      jobs: ApiJob[];
    };
    jobs.push(
      ...page.jobs.filter(
        (j) => names.includes(j.name) && j.status === "in_progress" && j.started_at !== null,
      ),
    );
  }
  return jobs;
}

const before = (a: ApiJob, b: ApiJob) =>
  a.started_at! < b.started_at! || (a.started_at === b.started_at && a.run_id < b.run_id);

/** Runs the step; returns its exit code once no earlier update of the stack runs. */
export async function turnStep(input: TurnStepInput): Promise<number> {
  const { step, stack } = input;
  const polls = input.maxPolls ?? 360;
  for (let poll = 0; poll < polls; poll++) {
    const jobs = await runningUpdates(input);
    const self = jobs.find((j) => j.run_id === input.runId);
    if (self === undefined) {
      step.error(
        `no running job named ${updateJobNames(stack).join(" or ")} in run ${input.runId}`,
      );
      return 1;
    }
    const ahead = jobs.filter((j) => j !== self && before(j, self));
    if (ahead.length === 0) {
      step.info(`${stack}: no earlier update of the stack is running; going ahead`);
      return 0;
    }
    step.info(
      `${stack}: waiting for ${ahead.map((j) => `${j.name} (run ${j.run_id})`).join(", ")}`,
    );
    await input.sleep(input.interval ?? 20);
  }
  step.error(`${stack}: an earlier update of the stack was still running after ${polls} polls`);
  return 1;
}
