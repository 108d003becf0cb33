/**
 * The workflow runner (test/support/workflows/runner.ts) against what GitHub documents
 * for a job and a local composite action, on a made-up workflow: the default shell and
 * `shell: bash`, a composite action's steps run in place with `inputs.*` from `with:`
 * and its defaults, the calling step's env, its own `steps` context and outputs, the
 * workspace as its working directory, GITHUB_ENV across the boundary, and a skipped or
 * missing action.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { runJob, type Step, type Workflow } from "../../support/workflows/harness";

const root = mkdtempSync(join(tmpdir(), "workflow-runner-"));
after(() => rmSync(root, { recursive: true, force: true }));
const ws = join(root, "ws");
mkdirSync(join(ws, "app", ".github", "actions", "greet"), { recursive: true });
writeFileSync(
  join(ws, "app", ".github", "actions", "greet", "action.yml"),
  stringify({
    name: "greet",
    description: "a composite action for the runner's tests",
    inputs: {
      who: { description: "whom", required: true },
      how: { description: "how", default: "hello ${{ github.actor }}" },
    },
    outputs: { said: { description: "what", value: "${{ steps.say.outputs.said }}" } },
    runs: {
      using: "composite",
      steps: [
        {
          name: "Say",
          id: "say",
          shell: "bash",
          env: { WHO: "${{ inputs.who }}", HOW: "${{ inputs.how }}" },
          run: 'echo "said=$HOW $WHO from $(basename "$PWD") with $FROM" >>"$GITHUB_OUTPUT"\necho "SAID=yes" >>"$GITHUB_ENV"',
        },
        {
          name: "After",
          if: "env.SAID == 'yes'",
          shell: "bash",
          run: 'echo "inner sees ${{ steps.say.outputs.said }}"',
        },
        { name: "Pipe", shell: "bash", run: "false | true" },
      ],
    },
  }),
);

const job = (steps: Step[], env: Record<string, string> = {}): Workflow => ({
  name: "t",
  on: { push: {} },
  jobs: { j: { defaults: { run: { "working-directory": "app" } }, env, steps } },
});
const uses = (over: Partial<Step> = {}): Step => ({
  name: "Greet",
  id: "greet",
  uses: "./app/.github/actions/greet",
  with: { who: "${{ matrix.stack }}" },
  env: { FROM: "the caller" },
  ...over,
});
const run = (wf: Workflow) =>
  runJob(wf, "j", { workspace: ws, contexts: { matrix: { stack: "dev" } } });

describe("the workflow runner", () => {
  it("runs a job's step in `bash -e` (no pipefail) unless it says shell: bash, in the job's folder", () => {
    const r = run(
      job([
        { name: "Default", run: 'false | true\necho "in $(basename "$PWD")"' },
        { name: "Bash", shell: "bash", run: "false | true" },
      ]),
    );
    assert.equal(r.result("Default").status, 0);
    assert.match(r.result("Default").stdout, /in app/);
    assert.equal(r.result("Bash").status, 1);
  });

  it("runs a local composite action's steps in place, with inputs, env, steps and outputs", () => {
    const r = run(job([uses(), { name: "Later", run: 'echo "job sees $SAID"' }]));
    assert.deepEqual(
      r.steps.map((s) => [s.step.name, s.ran, s.action ?? ""]),
      [
        ["Greet", true, ""],
        ["Say", true, "./app/.github/actions/greet"],
        ["After", true, "./app/.github/actions/greet"],
        ["Pipe", true, "./app/.github/actions/greet"],
        ["Later", false, ""],
      ],
    );
    assert.equal(r.result("Pipe").status, 1, "shell: bash has pipefail");
    assert.equal(r.result("Greet").status, 1, "the action failed with its step");
    assert.match(r.result("After").stdout, /inner sees hello alice dev from ws with the caller/);
    assert.equal(r.outputs.greet?.said, "hello alice dev from ws with the caller");
    assert.equal(r.outputs.say?.said, r.outputs.greet?.said);
    assert.equal(r.env.SAID, "yes");
  });

  it("lists a skipped action's steps as not run, and fails a step whose action is missing", () => {
    const skipped = run(job([uses({ if: "matrix.stack == 'prod'" })]));
    assert.deepEqual(
      skipped.steps.map((s) => [s.step.name, s.ran]),
      [
        ["Greet", false],
        ["Say", false],
        ["After", false],
        ["Pipe", false],
      ],
    );
    assert.ok(skipped.success);
    const missing = run(job([uses({ uses: "./app/.github/actions/absent" })]));
    assert.equal(missing.success, false);
    assert.match(missing.result("Greet").errors[0]!, /Can't find 'action\.yml'/);
  });
});
