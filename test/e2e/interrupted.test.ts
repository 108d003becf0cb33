/**
 * Faults: two updates of one stack at once, and the CLI killed (SIGKILL) mid-update. The
 * second update is refused by the backend's lock while the first completes; after a kill
 * (while the program awaits the frontend's rollout) the state stays readable, the next `up`
 * says which command clears the lock, then resolves any interrupted operation and
 * converges, and every object in the namespace is in state.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertDeployed, deploymentUpdated, programObjects } from "../support/e2e/cluster";
import { pulumiCli } from "../support/e2e/cli";
import { startCli } from "../support/e2e/faults";
import { eventually } from "../support/e2e/http";
import {
  deployProject,
  destroyProjects,
  type E2EProject,
  head,
  slowFrontend,
  stateObjects,
} from "../support/e2e/project";

const NS = "travel-interrupted";
const UP = ["up", "--yes", "--skip-preview"];

describe("interrupted and concurrent updates", () => {
  let p: E2EProject;

  before(async () => {
    p = await deployProject("interrupted", { namespace: NS });
  });

  after(async () => {
    await pulumiCli(p, ["cancel", "--yes"]).catch(() => undefined);
    await destroyProjects(p);
  });

  it("a second update while one runs is refused by the lock; the first completes", async () => {
    const sha = slowFrontend(p, 6);
    const first = startCli(p, UP);
    // Once the first holds the lock (its program has started building).
    await eventually("the first update has started", 120, () =>
      first.output().includes("docker-build:index:Image"),
    );
    const second = await pulumiCli(p, UP);
    assert.notEqual(second.code, 0, "the second update failed");
    assert.match(
      `${second.stdout}${second.stderr}`,
      /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./,
    );
    process.stderr.write(`# concurrent update refused after ${second.seconds.toFixed(1)}s\n`);
    assert.equal(await first.exited, 0, first.output().slice(-3000));
    await assertDeployed(NS, sha);
  });

  it("after a SIGKILL mid-update: readable state, the lock's command, then it converges", async () => {
    const sha = slowFrontend(p, 20);
    const run = startCli(p, UP);
    // Killed while the new frontend pods start: its Deployment is updated, its rollout not
    // (the program is awaiting it; the provider may still be applying other objects).
    await deploymentUpdated(NS, "frontend", sha);
    run.killCli();
    assert.equal(await run.exited, null, "the CLI was killed");
    run.killGroup(); // the plugins and program it left behind, as the end of a CI job would

    const exported = await p.stack.exportStack();
    const pending = (exported.deployment.pending_operations ?? []) as {
      type: string;
      resource: { urn: string };
    }[];
    const interrupted = pending.map((o) => `${o.resource.urn.split("::").pop()} (${o.type})`);
    process.stderr.write(`# interrupted: ${interrupted.join(", ")}\n`);

    const locked = await pulumiCli(p, UP);
    assert.notEqual(locked.code, 0);
    assert.match(`${locked.stdout}${locked.stderr}`, /delete the lock file with `pulumi cancel`/);
    assert.equal((await pulumiCli(p, ["cancel", "--yes"])).code, 0);

    const resumed = await pulumiCli(p, UP);
    assert.equal(resumed.code, 0, resumed.stdout.slice(-3000));
    if (pending.length)
      assert.match(
        resumed.stdout,
        new RegExp(
          `Attempting to deploy or update resources with ${pending.length} pending operations`,
        ),
      );
    for (const o of pending) assert.ok(resumed.stdout.includes(o.resource.urn), o.resource.urn);
    await assertDeployed(NS, head(p));
    process.stderr.write(`# resumed up converged in ${resumed.seconds.toFixed(1)}s\n`);
    assert.deepEqual(programObjects(NS), await stateObjects(p), "every object is in state");
  });
});
