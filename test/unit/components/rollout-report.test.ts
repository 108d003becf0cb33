/**
 * What a failed rollout tells a person: the verdict, then for each failing pod the last
 * lines of its container's log (this run and the one before) and its recent events; and
 * one summary at the end for every workload that failed. No secret value ever appears:
 * the report reads nothing of a pod's spec.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requireRollouts, RolloutError, rolloutGroup } from "../../../src/components/rollout";
import { failureReport, rolloutSummary } from "../../../src/components/rollout-report";
import { judge, type EventJson, type PodJson } from "../../../src/components/rollout-verdict";
import { at, clock, deployment, pod, readyPod, snapshot } from "../../support/rollout-snapshots";

const SECRET = "sk-live-0123456789abcdef";

/** A crash-looping new pod whose spec carries a secret in its env, as a real one would. */
const crashing: PodJson = {
  ...pod("new", 1, {
    phase: "Running",
    containerStatuses: [
      {
        name: "backend",
        ready: false,
        restartCount: 1,
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting" } },
        lastState: { terminated: { reason: "Error", exitCode: 3 } },
      },
    ],
  }),
  ...({
    spec: { containers: [{ name: "backend", env: [{ name: "OPENAI_API_KEY", value: SECRET }] }] },
  } as object),
};

const events: EventJson[] = [
  ...Array.from({ length: 7 }, (_, i) => ({
    involvedObject: { name: crashing.metadata.name, kind: "Pod" },
    type: "Normal",
    reason: `Step${i}`,
    message: `step ${i}`,
    lastTimestamp: at(i),
  })),
  {
    involvedObject: { name: crashing.metadata.name, kind: "Pod" },
    type: "Warning",
    reason: "BackOff",
    count: 3,
    message: "Back-off restarting failed container backend",
    lastTimestamp: at(20),
  },
  {
    involvedObject: { name: "another-pod" },
    reason: "Other",
    message: "not this pod",
    lastTimestamp: at(30),
  },
];

function failedVerdict() {
  const v = judge(
    snapshot(deployment({ available: 0, total: 3 }), [crashing, readyPod("old", 1)], events, 0),
    2,
    clock(5),
    { maxRestarts: 1, unschedulableSeconds: 60 },
  );
  assert.equal(v.phase, "failed");
  return v as Extract<typeof v, { phase: "failed" }>;
}

describe("failure report", () => {
  it("quotes both runs' logs and the pod's last five events, oldest first", () => {
    const report = failureReport(
      failedVerdict(),
      [
        {
          pod: crashing.metadata.name,
          container: "backend",
          previous: ["backend: starting", "backend: fatal: cannot reach the model API"],
          current: [],
        },
      ],
      events,
    );
    assert.equal(
      report,
      [
        "rollout of Deployment travel/travel-frontend (generation 2) failed: Pod travel/travel-frontend-new-1: crashed 2 times (rolloutMaxRestarts: 1); 0/2 new pods ready:",
        "  [Pod travel/travel-frontend-new-1]: CrashLoopBackOff: back-off 10s restarting; last exit 3 (Error)",
        "  still serving: 1 ready pod(s) of the previous revision",
        "  Pod travel-frontend-new-1:",
        "    log of backend, previous run (last 2 lines):",
        "      | backend: starting",
        "      | backend: fatal: cannot reach the model API",
        "    log of backend, this run: empty",
        "    events (last 5):",
        `      | ${at(3)} Normal Step3: step 3`,
        `      | ${at(4)} Normal Step4: step 4`,
        `      | ${at(5)} Normal Step5: step 5`,
        `      | ${at(6)} Normal Step6: step 6`,
        `      | ${at(20)} Warning BackOff (×3): Back-off restarting failed container backend`,
      ].join("\n"),
    );
  });

  it("shows an event once when the watch and a later list both have it", () => {
    const v = failedVerdict();
    const once = failureReport(v, [], events);
    const newer = { ...events[7]!, count: 4, lastTimestamp: at(25) };
    const twice = failureReport(v, [], [...events, ...events, newer]);
    assert.equal(
      twice,
      once.replace(`${at(20)} Warning BackOff (×3)`, `${at(25)} Warning BackOff (×4)`),
    );
  });

  it("leaves out a log it could not read, and never shows an env value", () => {
    const report = failureReport(failedVerdict(), [{ pod: crashing.metadata.name }], events);
    assert.doesNotMatch(report, /log of/);
    assert.ok(!report.includes(SECRET), "a secret env value is in the report");
    assert.ok(!report.includes("OPENAI_API_KEY"), "an env name is in the report");
  });
});

describe("the summary at the end of up", () => {
  it("lists every failed workload, and those still rolling out when the wait stopped", () => {
    assert.equal(
      rolloutSummary(
        [{ workload: "backend", report: "rollout of X failed\n  [Pod p]: why" }],
        [{ workload: "frontend", summary: "1/2 pods of the new ReplicaSet ready" }],
        2,
      ),
      [
        "1 of 2 rollouts failed (the pods of the previous revision keep serving; fix the cause and run up again):",
        "- backend: rollout of X failed",
        "    [Pod p]: why",
        "- frontend: still rolling out when the update stopped waiting (1/2 pods of the new ReplicaSet ready)",
      ].join("\n"),
    );
  });

  it("rejects once, with every failed rollout, and resolves each revision when all completed", async () => {
    const complete = (revision: string) =>
      Promise.resolve({ phase: "complete" as const, revision, summary: "" });
    const failed = (report: string) => Promise.resolve({ phase: "failed" as const, report });
    assert.deepEqual(await requireRollouts({ backend: complete("3"), frontend: complete("7") }), {
      backend: "3",
      frontend: "7",
    });
    await assert.rejects(
      requireRollouts({ backend: failed("backend broke"), frontend: failed("frontend broke") }),
      (err: unknown) =>
        err instanceof RolloutError &&
        /^2 of 2 rollouts failed .*\n- backend: backend broke\n- frontend: frontend broke$/.test(
          err.message,
        ),
    );
  });
});

describe("the rollouts of one update", () => {
  it("stop waiting shortly after one fails, so the update ends at once", async () => {
    const target = (name: string) => ({ namespace: "ns", name, generation: 1, selector: {} });
    const limits = { timeoutSeconds: 600, maxRestarts: 1, unschedulableSeconds: 60 };
    const group = rolloutGroup(async (t, _limits, stop) => {
      if (t.name === "fails") return { phase: "failed", report: "broke" };
      // A rollout that would go on for ten minutes, unless told to stop.
      return new Promise((resolve) => {
        const timer = setTimeout(
          () => resolve({ phase: "complete", revision: "1", summary: "" }),
          600_000,
        );
        stop?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve({ phase: "stopped", summary: "1/2 ready" });
        });
      });
    });
    const started = Date.now();
    const [failed, slow] = await Promise.all([
      group(target("fails"), limits),
      group(target("slow"), limits),
    ]);
    assert.equal(failed.phase, "failed");
    assert.deepEqual(slow, { phase: "stopped", summary: "1/2 ready" });
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});
