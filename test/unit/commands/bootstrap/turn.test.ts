/**
 * The deploy and rollback jobs' queue ("Wait for the stack's turn",
 * commands/bootstrap/ci/turn-step.ts) against a fake Actions API: a job goes ahead when
 * no earlier update of its stack runs, waits while one does, and is never held by a job
 * that waits for approval, by a later one, or by another stack's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { turnStep } from "../../../../commands/bootstrap/ci/turn-step";
import { recorder } from "../../../support/step-recorder";

interface FakeJob {
  name: string;
  status: string;
  started_at: string | null;
  run_id: number;
  path?: string;
}

/** The API as the step reads it; `rounds[i]` are the jobs seen at the i-th poll. */
function api(rounds: FakeJob[][]) {
  let poll = -1;
  const seen = () => rounds[Math.min(poll, rounds.length - 1)]!;
  const get = (path: string): Promise<unknown> => {
    if (path.startsWith("/actions/runs?")) {
      poll++;
      const runs = new Map(seen().map((j) => [j.run_id, j.path ?? ".github/workflows/deploy.yml"]));
      return Promise.resolve({ workflow_runs: [...runs].map(([id, p]) => ({ id, path: p })) });
    }
    const id = Number(/\/actions\/runs\/(\d+)\/jobs/.exec(path)![1]);
    return Promise.resolve({ jobs: seen().filter((j) => j.run_id === id) });
  };
  return { get, polls: () => poll + 1 };
}

const SELF: FakeJob = {
  name: "deploy prod",
  status: "in_progress",
  started_at: "2026-12-05T10:05:00Z",
  run_id: 20,
};

async function turn(rounds: FakeJob[][]) {
  const fake = api(rounds);
  const { step, lines } = recorder();
  const sleeps: number[] = [];
  const code = await turnStep({
    stack: "prod",
    runId: 20,
    get: fake.get,
    sleep: (s) => {
      sleeps.push(s);
      return Promise.resolve();
    },
    step,
    maxPolls: 5,
  });
  return { code, lines, sleeps, polls: fake.polls() };
}

describe("the stack's turn", () => {
  it("goes ahead when only later, waiting or other stacks' jobs exist", async () => {
    const r = await turn([
      [
        SELF,
        {
          name: "deploy prod",
          status: "in_progress",
          started_at: "2026-12-05T10:06:00Z",
          run_id: 21,
        },
        {
          name: "rollback prod",
          status: "waiting",
          started_at: null,
          run_id: 19,
          path: ".github/workflows/rollback.yml",
        },
        {
          name: "deploy staging",
          status: "in_progress",
          started_at: "2026-12-05T10:00:00Z",
          run_id: 18,
        },
      ],
    ]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.sleeps, []);
    assert.deepEqual(r.lines, ["prod: no earlier update of the stack is running; going ahead"]);
  });

  it("waits while an earlier deploy or rollback of the stack runs, then goes ahead", async () => {
    const earlier: FakeJob = {
      name: "rollback prod",
      status: "in_progress",
      started_at: "2026-12-05T10:01:00Z",
      run_id: 25,
      path: ".github/workflows/rollback.yml",
    };
    const tie: FakeJob = {
      name: "deploy prod",
      status: "in_progress",
      started_at: SELF.started_at,
      run_id: 17,
    };
    const r = await turn([[SELF, earlier, tie], [SELF, tie], [SELF]]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.sleeps, [20, 20]);
    assert.deepEqual(r.lines, [
      "prod: waiting for rollback prod (run 25), deploy prod (run 17)",
      "prod: waiting for deploy prod (run 17)",
      "prod: no earlier update of the stack is running; going ahead",
    ]);
  });

  it("gives up after its polls, and fails when it cannot find its own job", async () => {
    const stuck: FakeJob = {
      name: "deploy prod",
      status: "in_progress",
      started_at: "2026-12-05T09:00:00Z",
      run_id: 3,
    };
    const r = await turn([[SELF, stuck]]);
    assert.equal(r.code, 1);
    assert.equal(r.polls, 5);
    assert.equal(
      r.lines.at(-1),
      "error: prod: an earlier update of the stack was still running after 5 polls",
    );
    const lost = await turn([[{ ...SELF, status: "queued" }]]);
    assert.equal(lost.code, 1);
    assert.deepEqual(lost.lines, [
      "error: no running job named deploy prod or rollback prod in run 20",
    ]);
  });
});
