/**
 * Failed rollouts on the real node, each under a request loop through the Gateway: an
 * image that crash-loops, one that cannot be pulled, one that never gets ready. Each
 * `pulumi up` fails within the configured timeout, names the failing pod and its
 * reason; the old pods keep answering throughout; the next good `up` converges.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertDeployed, deployment, pods, REPOS } from "./support/cluster";
import type { WorkloadName } from "../../src/names";
import { RequestLoop, viaGateway } from "./support/http";
import { pushUnpullableImage } from "./support/local-env";
import {
  commitSource,
  createProject,
  destroyProjects,
  E2EProject,
  head,
  hostnameOf,
  stackNameFor,
  up,
  upFails,
  writeConfig,
} from "./support/project";

const NS = "travel-rollouts";
/** A stuck rollout fails after PROGRESS seconds without progress, long before TIMEOUT. */
const PROGRESS = 30;
const TIMEOUT = 300;
const LIMITS = {
  "travel:rolloutTimeoutSeconds": TIMEOUT,
  "travel:rolloutProgressDeadlineSeconds": PROGRESS,
};

describe("failed rollouts on the real node", { timeout: 30 * 60_000 }, () => {
  let p: E2EProject;
  let loop: RequestLoop;
  let goodRefs: Record<WorkloadName, string>;

  before(async () => {
    p = await createProject(stackNameFor("rollouts"), { namespace: NS });
    await writeConfig(p, LIMITS);
    await up(p);
    goodRefs = await assertDeployed(NS, head(p));
    loop = new RequestLoop(() => viaGateway(hostnameOf(p)), 100);
  });

  after(async () => {
    await loop?.stop();
    await destroyProjects(p);
  });

  /** `up` fails within the progress deadline, naming the new backend pod and its reason. */
  async function assertFailsSafely(reason: string): Promise<void> {
    const { message, seconds } = await upFails(p);
    const report = [
      ...new Set(
        message.split("\n").filter((l) => /^\s*(error: rollout of|\[Pod |still serving)/.test(l)),
      ),
    ];
    process.stdout.write(
      `# failed after ${seconds.toFixed(0)}s:\n${report.map((l) => `#   ${l.trim()}`).join("\n")}\n`,
    );
    assert.ok(
      seconds >= PROGRESS && seconds < PROGRESS + 45,
      `failed after ${seconds}s (no progress for ${PROGRESS}s): ${message.slice(-1500)}`,
    );
    assert.match(
      message,
      new RegExp(
        `rollout of Deployment ${NS}/travel-backend-[0-9a-f]+ \\(generation \\d+\\) failed: no progress for ${PROGRESS}s`,
      ),
    );
    assert.match(
      message,
      new RegExp(`\\[Pod ${NS}/travel-backend-[0-9a-f]+-[a-z0-9]+-[a-z0-9]+\\]: ${reason}`),
      message,
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
  async function recover(): Promise<void> {
    await writeConfig(p, LIMITS);
    writeFileSync(join(p.sourceDir, "backend", "mode"), "ok\n");
    commitSource(p, "backend/message", `travel backend fixture, recovered ${Date.now()}\n`);
    await up(p);
    goodRefs = await assertDeployed(NS, head(p));
  }

  it("an image that crash-loops: up fails naming the pod and CrashLoopBackOff", async () => {
    commitSource(p, "backend/mode", "crash\n");
    await assertFailsSafely(
      "CrashLoopBackOff: back-off \\d+s restarting failed container=backend .*; last exit 1 \\(Error\\)",
    );
    await recover();
  });

  it("an image that cannot be pulled: up fails naming the pod and ImagePullBackOff", async () => {
    // In the registry by digest, but a layer's blob is gone.
    const context = mkdtempSync(join(tmpdir(), "unpullable-"));
    cpSync(join(p.sourceDir, "backend"), context, { recursive: true });
    writeFileSync(join(context, "message"), `unpullable ${Date.now()}\n`);
    const ref = await pushUnpullableImage(context, REPOS.backend, `unpullable-${Date.now()}`);
    await writeConfig(p, {
      ...LIMITS,
      "travel:images": {
        mode: "pinned",
        backend: { ref, gitSha: head(p) },
        frontend: { ref: goodRefs.frontend, gitSha: head(p) },
      },
    });
    await assertFailsSafely(
      "(ErrImagePull|ImagePullBackOff): .*(not found|unknown blob|blob unknown)",
    );
    await recover();
  });

  it("an image that never gets ready: up fails naming the pod and its failing probe", async () => {
    commitSource(p, "backend/mode", "never-ready\n");
    await assertFailsSafely(
      "not ready: (Startup|Readiness) probe failed: HTTP probe failed with statuscode: 503",
    );
    assert.equal(
      deployment(NS, "backend").spec.template.spec.containers[0].readinessProbe.httpGet.path,
      "/docs",
    );
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
