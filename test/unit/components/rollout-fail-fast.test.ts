/**
 * The rollout fails at once on what will not fix itself (a pull the registry refused, a
 * container past its crash budget, a missing Secret or ConfigMap key, a pod no node
 * takes within its budget), and keeps waiting on what may (a transient pull error, a
 * first crash, a slow start).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  judge,
  podTrouble,
  type ContainerStatusJson,
  type FailFast,
  type PodJson,
} from "../../../src/components/rollout-verdict";
import {
  at,
  clock,
  deployment,
  pod,
  readyPod,
  snapshot,
  unschedulablePod,
} from "../../support/rollout-snapshots";

const LIMITS: FailFast = { maxRestarts: 1, unschedulableSeconds: 60 };
const NOW = { ...LIMITS, now: Date.parse(at(0)) };

const waitingPod = (c: Partial<ContainerStatusJson>): PodJson =>
  pod("new", 1, {
    phase: "Pending",
    containerStatuses: [{ name: "backend", ready: false, ...c }],
  });
const pulling = (reason: string, message: string) =>
  waitingPod({ state: { waiting: { reason, message } } });
const crashed = (restartCount: number) =>
  waitingPod({
    restartCount,
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting" } },
    lastState: { terminated: { reason: "Error", exitCode: 3 } },
  });

/** The verdict a few seconds into the wait, long before any deadline, for one new pod. */
const verdictOn = (p: PodJson) =>
  judge(
    snapshot(deployment({ available: 0, total: 3 }), [p, readyPod("old", 1)], [], 0),
    2,
    clock(5),
    LIMITS,
  );

describe("fail fast", () => {
  for (const [what, message] of [
    [
      "401",
      "failed to resolve reference: pulling from host failed with status code: 401 Unauthorized",
    ],
    ["403", "unexpected status from HEAD request: 403 Forbidden"],
    ["manifest unknown", "failed to resolve reference: manifest unknown"],
    [
      "a deleted blob",
      "failed to copy: httpReadSeeker: failed open: content at x not found: not found",
    ],
  ]) {
    it(`on a pull the registry refused: ${what}`, () => {
      const t = podTrouble(pulling("ErrImagePull", message!), [], NOW);
      assert.equal(t?.fatal, "the registry refused the pull");
      assert.equal(t?.container, "backend");
      const v = verdictOn(pulling("ImagePullBackOff", `Back-off pulling image "x": ${message}`));
      assert.equal(v.phase, "failed");
      assert.match(
        v.phase === "failed" ? v.message : "",
        /^rollout of Deployment travel\/travel-frontend \(generation 2\) failed: Pod travel\/travel-frontend-new-1: the registry refused the pull; 0\/2 new pods ready:\n {2}\[Pod travel\/travel-frontend-new-1\]: ImagePullBackOff: /,
      );
    });
  }

  it("not on a pull that may work next time (a timeout, a registry error)", () => {
    for (const message of ["dial tcp 127.0.0.1:5000: i/o timeout", "500 Internal Server Error"]) {
      assert.equal(podTrouble(pulling("ErrImagePull", message), [], NOW)?.fatal, undefined);
      assert.equal(verdictOn(pulling("ErrImagePull", message)).phase, "progressing");
    }
  });

  it("on a container past its crash budget, not on its first crash", () => {
    assert.equal(podTrouble(crashed(0), [], NOW)?.fatal, undefined);
    assert.equal(verdictOn(crashed(0)).phase, "progressing");
    assert.equal(podTrouble(crashed(1), [], NOW)?.fatal, "crashed 2 times (rolloutMaxRestarts: 1)");
    const v = verdictOn(crashed(1));
    assert.match(
      v.phase === "failed" ? v.message : "",
      /failed: Pod travel\/travel-frontend-new-1: crashed 2 times \(rolloutMaxRestarts: 1\);[^\n]*\n {2}\[Pod travel\/travel-frontend-new-1\]: CrashLoopBackOff: back-off 10s restarting; last exit 3 \(Error\)\n {2}still serving: 1 ready pod\(s\) of the previous revision$/,
    );
    // Caught between the second crash and its back-off: terminated, not yet waiting.
    const justCrashed = waitingPod({
      restartCount: 1,
      state: { terminated: { reason: "Error", exitCode: 3 } },
      lastState: { terminated: { reason: "Error", exitCode: 3 } },
    });
    assert.deepEqual(podTrouble(justCrashed, [], NOW), {
      pod: "travel-frontend-new-1",
      container: "backend",
      problem: "exited 3 (Error)",
      fatal: "crashed 2 times (rolloutMaxRestarts: 1)",
    });
    // A budget of 0: the first crash fails it.
    assert.ok(podTrouble(crashed(0), [], { ...NOW, maxRestarts: 0 })?.fatal);
  });

  it("on a missing Secret or ConfigMap key, and an invalid image name", () => {
    const missing = waitingPod({
      state: {
        waiting: {
          reason: "CreateContainerConfigError",
          message: "couldn't find key OPENAI_API_KEY in Secret app/travel-secrets",
        },
      },
    });
    assert.equal(podTrouble(missing, [], NOW)?.fatal, "the pod's configuration is wrong");
    assert.equal(verdictOn(missing).phase, "failed");
    const invalid = waitingPod({ state: { waiting: { reason: "InvalidImageName" } } });
    assert.equal(verdictOn(invalid).phase, "failed");
  });

  it("on a pod no node takes within its budget, not before", () => {
    const unschedulable = unschedulablePod(at(0));
    const at59 = { ...LIMITS, now: Date.parse(at(59)) };
    const at60 = { ...LIMITS, now: Date.parse(at(60)) };
    assert.equal(podTrouble(unschedulable, [], at59)?.fatal, undefined);
    assert.equal(
      podTrouble(unschedulable, [], at60)?.fatal,
      "not scheduled for 60s (rolloutUnschedulableSeconds: 60)",
    );
  });

  it("not on a slow start that keeps progressing, nor on pods of the old ReplicaSet", () => {
    const starting = waitingPod({ state: { waiting: { reason: "ContainerCreating" } } });
    assert.equal(verdictOn(starting).phase, "progressing");
    const oldCrashing = {
      ...crashed(5),
      metadata: { ...crashed(5).metadata, labels: { "pod-template-hash": "old" } },
    };
    assert.equal(verdictOn(oldCrashing).phase, "progressing");
  });
});
