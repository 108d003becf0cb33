/**
 * Failed rollouts on the real node, each under a request loop through the Gateway. What
 * will not fix itself fails `pulumi up` at once, at the default settings: an image that
 * crash-loops, one the registry refuses to serve, a Secret that is gone; and a pod no node
 * can take, once its scheduling budget is spent. Each report names the pod and its reason
 * and quotes the container's own log (when it has one) and the pod's events.
 * What may fix itself is waited for: an image that never gets ready fails only at the
 * progress deadline, and a slow rollout that keeps progressing completes past it. The old
 * pods keep answering throughout; the next good `up` converges.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { WorkloadName } from "../../src/names";
import { assertDeployed, deployment, pods, REPOS } from "../support/e2e/cluster";
import { RequestLoop, viaGateway } from "../support/e2e/http";
import { kubectlDelete, pushUnpullableImage } from "../support/e2e/local-env";
import {
  commitSource,
  createProject,
  destroyProjects,
  E2EProject,
  head,
  hostnameOf,
  slowFrontend,
  stackNameFor,
  up,
  upFails,
  writeConfig,
} from "../support/e2e/project";

const NS = "travel-rollouts";
/** What does not fix itself fails `up` within this, at the default settings. */
const FAIL_FAST = 30;
/** A pod no node can take fails after this many seconds unscheduled (the key's minimum). */
const UNSCHEDULABLE = 10;
/** A rollout that stops progressing fails after PROGRESS seconds, long before TIMEOUT. */
const PROGRESS = 30;
const TIMEOUT = 300;
const SLOW = {
  "travel:rolloutTimeoutSeconds": TIMEOUT,
  "travel:rolloutProgressDeadlineSeconds": PROGRESS,
};

interface Expected {
  /** `up` fails after at least / at most this many seconds. */
  readonly seconds: readonly [number, number];
  /** Why the rollout failed (after "failed: "). */
  readonly why: string;
  /** The failing pod's reason. */
  readonly reason: string;
  /** A line of the container's own log, and a reason of the pod's events, in the report. */
  readonly log?: RegExp;
  readonly event: string;
}

describe("failed rollouts on the real node", { timeout: 30 * 60_000 }, () => {
  let p: E2EProject;
  let loop: RequestLoop;
  let goodRefs: Record<WorkloadName, string>;

  before(async () => {
    p = await createProject(stackNameFor("rollouts"), { namespace: NS });
    await up(p);
    goodRefs = await assertDeployed(NS, head(p));
    loop = new RequestLoop(() => viaGateway(hostnameOf(p)), 100);
  });

  after(async () => {
    await loop?.stop();
    await destroyProjects(p);
  });

  /** `up` fails in the expected time with a report a person can act on; the old pod serves. */
  async function assertFailsSafely(want: Expected): Promise<void> {
    const { message, seconds } = await upFails(p);
    const report = message.slice(message.indexOf("rollouts failed"));
    process.stdout.write(
      `# failed after ${seconds.toFixed(0)}s:\n# ${report.slice(0, 4000).split("\n").join("\n# ")}\n`,
    );
    assert.ok(
      seconds >= want.seconds[0] && seconds <= want.seconds[1],
      `failed after ${seconds}s, expected ${want.seconds.join(" to ")}: ${message.slice(-2000)}`,
    );
    assert.match(
      message,
      /1 of 2 rollouts failed \(the pods of the previous revision keep serving/,
    );
    assert.match(
      message,
      new RegExp(
        `- backend: rollout of Deployment ${NS}/travel-backend-[0-9a-f]+ \\(generation \\d+\\) failed: ${want.why}`,
      ),
    );
    assert.match(
      message,
      new RegExp(`\\[Pod ${NS}/travel-backend-[0-9a-f]+-[a-z0-9]+-[a-z0-9]+\\]: ${want.reason}`),
    );
    if (want.log) assert.match(message, want.log);
    assert.match(
      message,
      new RegExp(`events \\(last \\d+\\):(\\n\\s+\\| .*)*\\n\\s+\\| \\S+ \\w+ ${want.event}`),
    );
    assert.match(message, /still serving: 1 ready pod\(s\) of the previous revision/);
    const serving = pods(NS, "backend").filter((x) => x.status.containerStatuses?.[0]?.ready);
    assert.deepEqual(
      serving.map((x) => x.spec.containers[0]!.image),
      [goodRefs.backend],
      "only the old pod serves",
    );
  }

  /** Back to a good build: the next `up` converges. */
  async function recover(refresh = false): Promise<void> {
    await writeConfig(p, {});
    writeFileSync(join(p.sourceDir, "backend", "mode"), "ok\n");
    commitSource(p, "backend/message", `travel backend fixture, recovered ${Date.now()}\n`);
    await up(p, refresh ? ["--refresh"] : []);
    goodRefs = await assertDeployed(NS, head(p));
  }

  it("an image that crash-loops fails at once, quoting its log", async () => {
    commitSource(p, "backend/mode", "crash\n");
    await assertFailsSafely({
      seconds: [0, FAIL_FAST],
      why: `Pod ${NS}/travel-backend-\\S+: crashed 2 times \\(rolloutMaxRestarts: 1\\)`,
      // Caught between the crash and its back-off, or in the back-off.
      reason:
        "(CrashLoopBackOff: back-off \\d+s restarting failed container=backend .*; last exit 1|exited 1) \\(Error\\)",
      log: /log of backend, (previous|this) run \(last \d+ lines\):\n\s+\| .*crashing at start, as this image was built to \(mode crash\)/,
      event: "(BackOff|Started)",
    });
    await recover();
  });

  it("an image the registry cannot serve fails at once, naming the pull error", async () => {
    // In the registry by digest, but a layer's blob is gone.
    const context = mkdtempSync(join(tmpdir(), "unpullable-"));
    cpSync(join(p.sourceDir, "backend"), context, { recursive: true });
    writeFileSync(join(context, "message"), `unpullable ${Date.now()}\n`);
    const ref = await pushUnpullableImage(context, REPOS.backend, `unpullable-${Date.now()}`);
    await writeConfig(p, {
      "travel:images": {
        mode: "pinned",
        backend: { ref, gitSha: head(p) },
        frontend: { ref: goodRefs.frontend, gitSha: head(p) },
      },
    });
    await assertFailsSafely({
      seconds: [0, FAIL_FAST],
      why: `Pod ${NS}/travel-backend-\\S+: the registry refused the pull`,
      reason: "(ErrImagePull|ImagePullBackOff): .*(not found|unknown blob|blob unknown)",
      event: "(Failed|BackOff)",
    });
    await recover();
  });

  it("a Secret that is gone fails at once with CreateContainerConfigError", async () => {
    const env = deployment(NS, "backend").spec.template.spec.containers[0].env as {
      valueFrom: { secretKeyRef: { name: string } };
    }[];
    kubectlDelete("secret", env[0]!.valueFrom.secretKeyRef.name, "-n", NS);
    commitSource(p, "backend/message", `travel backend fixture, no secret ${Date.now()}\n`);
    await assertFailsSafely({
      seconds: [0, FAIL_FAST],
      why: `Pod ${NS}/travel-backend-\\S+: the pod's configuration is wrong`,
      reason: 'CreateContainerConfigError: secret "[^"]+" not found',
      event: "Failed",
    });
    // The state still lists the Secret: a refresh sees it gone, and the update makes it again.
    await recover(true);
  });

  it("a pod no node can take fails at its scheduling budget, naming the scheduler's reason", async () => {
    // More CPU than the node has: the scheduler will never place it.
    const cpu = "64";
    await writeConfig(p, {
      "travel:rolloutUnschedulableSeconds": UNSCHEDULABLE,
      "travel:backend": {
        resources: { requests: { cpu, memory: "32Mi" }, limits: { cpu, memory: "64Mi" } },
      },
    });
    await assertFailsSafely({
      seconds: [UNSCHEDULABLE, FAIL_FAST],
      why: `Pod ${NS}/travel-backend-\\S+: not scheduled for \\d+s \\(rolloutUnschedulableSeconds: ${UNSCHEDULABLE}\\)`,
      reason: "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu",
      event: "FailedScheduling",
    });
    await recover();
  });

  it("an image that never gets ready fails at the progress deadline, naming its failing probe", async () => {
    await writeConfig(p, SLOW);
    commitSource(p, "backend/mode", "never-ready\n");
    await assertFailsSafely({
      seconds: [PROGRESS, PROGRESS + 45],
      why: `no progress for ${PROGRESS}s`,
      reason: "not ready: (Startup|Readiness) probe failed: HTTP probe failed with statuscode: 503",
      log: /log of backend, this run \(last \d+ lines\):/,
      event: "Unhealthy",
    });
    assert.equal(
      deployment(NS, "backend").spec.template.spec.containers[0].readinessProbe.httpGet.path,
      "/docs",
    );
    await recover();
  });

  it("a slow rollout that keeps progressing completes past its progress deadline", async () => {
    const deadline = 15;
    await writeConfig(p, { "travel:rolloutProgressDeadlineSeconds": deadline });
    const sha = slowFrontend(p, 8);
    const started = Date.now();
    await up(p);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds > deadline, `completed in ${seconds}s, within the ${deadline}s deadline`);
    await assertDeployed(NS, sha);
    writeFileSync(join(p.sourceDir, "frontend", "mode"), "ok\n");
    await recover();
  });

  it("the old pods answered every request throughout", async () => {
    const result = await loop.stop();
    assert.ok(result.total > 100, `${result.total} requests`);
    assert.equal(
      result.failed,
      0,
      `${result.failed} of ${result.total} failed: ${result.failures.join("; ")}`,
    );
  });
});
