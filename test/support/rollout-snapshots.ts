/**
 * What the API server says about a Deployment's rollout, for the verdict and report
 * tests: the Deployment (generation 2, revision 2 by default), its old and new
 * ReplicaSets, pods of either, events and the clock of the wait.
 */
import type {
  DeploymentJson,
  EventJson,
  PodJson,
  Snapshot,
} from "../../src/components/rollout-verdict";

export const START = Date.parse("2026-12-01T10:00:00Z");
export const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();
export const UID = "d-uid";

export function deployment(over: {
  generation?: number;
  observedGeneration?: number;
  revision?: string;
  replicas?: number;
  updated?: number;
  available?: number;
  total?: number;
  progressing?: { status: string; reason: string; message?: string; lastUpdateTime: string };
}): DeploymentJson {
  const want = over.replicas ?? 2;
  return {
    metadata: {
      name: "travel-frontend",
      namespace: "travel",
      uid: UID,
      generation: over.generation ?? 2,
      annotations: { "deployment.kubernetes.io/revision": over.revision ?? "2" },
    },
    spec: { replicas: want, progressDeadlineSeconds: 30 },
    status: {
      observedGeneration: over.observedGeneration ?? 2,
      replicas: over.total ?? want,
      updatedReplicas: over.updated ?? want,
      availableReplicas: over.available ?? want,
      conditions: over.progressing ? [{ type: "Progressing", ...over.progressing }] : [],
    },
  };
}

export const replicaSet = (revision: string, hash: string, ready: number) => ({
  metadata: {
    name: `travel-frontend-${hash}`,
    labels: { "pod-template-hash": hash },
    annotations: { "deployment.kubernetes.io/revision": revision },
    ownerReferences: [{ uid: UID }],
  },
  status: { readyReplicas: ready },
});

export function pod(hash: string, n: number, status: PodJson["status"]): PodJson {
  return {
    metadata: { name: `travel-frontend-${hash}-${n}`, labels: { "pod-template-hash": hash } },
    ...(status ? { status } : {}),
  };
}

export const readyPod = (hash: string, n: number) =>
  pod(hash, n, {
    phase: "Running",
    conditions: [{ type: "Ready", status: "True" }],
    containerStatuses: [{ name: "frontend", ready: true, state: {} }],
  });

export const crashing = (hash: string, n: number) =>
  pod(hash, n, {
    phase: "Running",
    conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady" }],
    containerStatuses: [
      {
        name: "frontend",
        ready: false,
        state: {
          waiting: {
            reason: "CrashLoopBackOff",
            message: "back-off 10s restarting failed container",
          },
        },
        lastState: { terminated: { reason: "Error", exitCode: 1 } },
      },
    ],
  });

export const snapshot = (
  d: DeploymentJson,
  pods: PodJson[],
  events: EventJson[] = [],
  newReady = 0,
): Snapshot => ({
  deployment: d,
  replicaSets: [replicaSet("1", "old", 2), replicaSet("2", "new", newReady)],
  pods,
  events,
});

export const clock = (elapsed: number, timeoutSeconds = 300) => ({
  startedAt: START,
  now: START + elapsed * 1000,
  timeoutSeconds,
});

export const STUCK = {
  status: "False",
  reason: "ProgressDeadlineExceeded",
  message: 'ReplicaSet "travel-frontend-new" has timed out progressing.',
};

/** A new pod the scheduler could not place (since `since`, if given). */
export const unschedulablePod = (since?: string) =>
  pod("new", 1, {
    phase: "Pending",
    conditions: [
      {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message: "0/1 nodes are available: 1 Insufficient cpu.",
        ...(since ? { lastTransitionTime: since } : {}),
      },
    ],
  });
