/**
 * The rollout verdict (src/components/rollout-verdict.ts): complete only for the generation that was
 * applied, failed at the progress deadline (stuck) or the timeout, still going while a
 * slow rollout keeps making progress; a failure names each new pod's reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judge, podProblem, type EventJson } from "../../../src/components/rollout-verdict";
import {
  at,
  clock,
  crashing,
  deployment,
  pod,
  readyPod,
  snapshot,
  STUCK,
  unschedulablePod,
} from "../../support/rollout-snapshots";

describe("rollout verdict", () => {
  it("is complete when the new ReplicaSet has every replica ready for the applied generation", () => {
    const v = judge(
      snapshot(deployment({}), [readyPod("new", 1), readyPod("new", 2)], [], 2),
      2,
      clock(5),
    );
    assert.deepEqual(v, {
      phase: "complete",
      summary:
        "Deployment travel/travel-frontend: 2/2 pods of ReplicaSet travel-frontend-new ready",
    });
  });

  it("is not complete while the controller has not observed the generation (the old ReplicaSet still fully ready)", () => {
    const d = deployment({ generation: 3, observedGeneration: 2, revision: "1" });
    const v = judge(snapshot(d, [readyPod("old", 1), readyPod("old", 2)]), 3, clock(1));
    assert.equal(v.phase, "progressing");
  });

  it("keeps waiting on a slow rollout that makes progress, past the progress deadline", () => {
    const d = deployment({
      updated: 2,
      available: 1,
      total: 3,
      progressing: { status: "True", reason: "ReplicaSetUpdated", lastUpdateTime: at(50) },
    });
    const v = judge(snapshot(d, [readyPod("new", 1), readyPod("old", 1)], [], 1), 2, clock(55));
    assert.deepEqual(v, {
      phase: "progressing",
      summary: "Deployment travel/travel-frontend: 1/2 pods of the new ReplicaSet ready",
    });
  });

  it("fails a stuck rollout at the progress deadline, naming each new pod's reason and the old pods still serving", () => {
    const d = deployment({
      available: 2,
      total: 4,
      progressing: { ...STUCK, lastUpdateTime: at(31) },
    });
    const pods = [crashing("new", 1), crashing("new", 2), readyPod("old", 1), readyPod("old", 2)];
    const v = judge(snapshot(d, pods), 2, clock(32));
    assert.equal(v.phase, "failed");
    assert.equal(
      v.phase === "failed" ? v.message : "",
      [
        'rollout of Deployment travel/travel-frontend (generation 2) failed: no progress for 30s (ProgressDeadlineExceeded: ReplicaSet "travel-frontend-new" has timed out progressing.); 0/2 new pods ready:',
        "  [Pod travel/travel-frontend-new-1]: CrashLoopBackOff: back-off 10s restarting failed container; last exit 1 (Error)",
        "  [Pod travel/travel-frontend-new-2]: CrashLoopBackOff: back-off 10s restarting failed container; last exit 1 (Error)",
        "  still serving: 2 ready pod(s) of the previous revision",
      ].join("\n"),
    );
  });

  it("does not count a deadline exceeded before the wait began until a deadline has passed again", () => {
    const d = deployment({
      available: 2,
      total: 3,
      progressing: { ...STUCK, lastUpdateTime: at(-100) },
    });
    const pods = [crashing("new", 1), readyPod("old", 1), readyPod("old", 2)];
    assert.equal(judge(snapshot(d, pods), 2, clock(10)).phase, "progressing");
    assert.equal(judge(snapshot(d, pods), 2, clock(30)).phase, "failed");
  });

  it("fails at the timeout when the rollout is neither complete nor stuck", () => {
    const d = deployment({
      available: 1,
      progressing: { status: "True", reason: "ReplicaSetUpdated", lastUpdateTime: at(290) },
    });
    const v = judge(
      snapshot(d, [readyPod("new", 1), readyPod("old", 1)], [], 1),
      2,
      clock(300, 300),
    );
    assert.equal(v.phase, "failed");
    assert.match(
      v.phase === "failed" ? v.message : "",
      /^rollout of Deployment travel\/travel-frontend \(generation 2\) failed: not complete after 300s; 1\/2 new pods ready:/,
    );
  });

  it("says when the controller has not created the new ReplicaSet", () => {
    const d = deployment({ revision: "7", progressing: { ...STUCK, lastUpdateTime: at(31) } });
    const v = judge(snapshot(d, []), 2, clock(32));
    assert.match(
      v.phase === "failed" ? v.message : "",
      /\n {2}the Deployment controller has not created the new ReplicaSet$/,
    );
  });
});

describe("why a pod is not ready", () => {
  it("quotes an image pull failure", () => {
    const p = pod("new", 1, {
      phase: "Pending",
      containerStatuses: [
        {
          name: "backend",
          ready: false,
          state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "x"' } },
        },
      ],
    });
    assert.equal(podProblem(p, []), 'ImagePullBackOff: Back-off pulling image "x"');
  });

  it("quotes the latest failing probe from the pod's events", () => {
    const p = pod("new", 1, {
      phase: "Running",
      containerStatuses: [{ name: "backend", ready: false, state: {} }],
    });
    const events: EventJson[] = [
      {
        involvedObject: { name: p.metadata.name },
        reason: "Unhealthy",
        message: "Startup probe failed: HTTP probe failed with statuscode: 500",
        lastTimestamp: at(5),
      },
      {
        involvedObject: { name: p.metadata.name },
        reason: "Unhealthy",
        message: "Startup probe failed: HTTP probe failed with statuscode: 503",
        lastTimestamp: at(9),
      },
      {
        involvedObject: { name: "another-pod" },
        reason: "Unhealthy",
        message: "Readiness probe failed: connection refused",
        lastTimestamp: at(10),
      },
    ];
    assert.equal(
      podProblem(p, events),
      "not ready: Startup probe failed: HTTP probe failed with statuscode: 503",
    );
  });

  it("names a pod the scheduler cannot place", () => {
    assert.equal(
      podProblem(unschedulablePod(), []),
      "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.",
    );
  });

  it("has nothing to say about a ready pod", () => {
    assert.equal(podProblem(readyPod("new", 1), []), undefined);
  });
});
