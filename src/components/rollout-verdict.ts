/**
 * Whether a Deployment's rollout of one generation is complete, still going, or failed,
 * judged from what the API server says about it, its ReplicaSets, pods and events, and
 * why: each pod of the new ReplicaSet that is not ready, with its reason.
 *
 * Pure, so every case is unit-tested; `rollout.ts` feeds it from kubectl.
 */
import { DEPLOYMENT_REVISION } from "../names";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
}

interface Meta {
  name: string;
  namespace?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string }[];
  uid?: string;
  deletionTimestamp?: string;
}

export interface DeploymentJson {
  metadata: Meta;
  spec: { replicas?: number; progressDeadlineSeconds?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSetJson {
  metadata: Meta;
  status?: { readyReplicas?: number };
}

export interface ContainerStatusJson {
  name: string;
  ready: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

export interface PodJson {
  metadata: Meta;
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatusJson[];
  };
}

export interface EventJson {
  involvedObject: { name: string; kind?: string };
  reason?: string;
  message?: string;
  type?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

export interface Snapshot {
  readonly deployment: DeploymentJson;
  readonly replicaSets: readonly ReplicaSetJson[];
  readonly pods: readonly PodJson[];
  readonly events: readonly EventJson[];
}

export interface Clock {
  /** When the wait began (ms). */
  readonly startedAt: number;
  readonly now: number;
  /** The whole time the rollout may take. */
  readonly timeoutSeconds: number;
}

export type Verdict =
  | { readonly phase: "complete"; readonly summary: string }
  | { readonly phase: "progressing"; readonly summary: string }
  | { readonly phase: "failed"; readonly summary: string; readonly message: string };

/** The ReplicaSet of the Deployment's current revision. */
export function newReplicaSet(s: Snapshot): ReplicaSetJson | undefined {
  const revision = s.deployment.metadata.annotations?.[DEPLOYMENT_REVISION];
  const uid = s.deployment.metadata.uid;
  return s.replicaSets.find(
    (rs) =>
      rs.metadata.annotations?.[DEPLOYMENT_REVISION] === revision &&
      (uid === undefined || (rs.metadata.ownerReferences ?? []).some((o) => o.uid === uid)),
  );
}

const hashOf = (o: { metadata: Meta }) => o.metadata.labels?.["pod-template-hash"];

/** Why a pod of the new ReplicaSet is not ready, in the words the cluster used. */
export function podProblem(pod: PodJson, events: readonly EventJson[]): string | undefined {
  const st = pod.status ?? {};
  const containers = st.containerStatuses ?? [];
  if (containers.length > 0 && containers.every((c) => c.ready)) return undefined;
  const unscheduled = (st.conditions ?? []).find(
    (c) => c.type === "PodScheduled" && c.status === "False",
  );
  if (unscheduled)
    return `${unscheduled.reason ?? "Unschedulable"}: ${unscheduled.message ?? ""}`.trim();
  for (const c of containers) {
    if (c.ready) continue;
    const waiting = c.state?.waiting;
    const last = c.lastState?.terminated ?? c.state?.terminated;
    const exit = last ? `; last exit ${last.exitCode ?? "?"} (${last.reason ?? "terminated"})` : "";
    if (waiting?.reason)
      return `${waiting.reason}: ${waiting.message ?? ""}`.trim().replace(/:$/, "") + exit;
  }
  const probe = [...events]
    .filter((e) => e.involvedObject.name === pod.metadata.name && e.reason === "Unhealthy")
    .sort((a, b) =>
      (a.lastTimestamp ?? a.eventTime ?? "").localeCompare(b.lastTimestamp ?? b.eventTime ?? ""),
    )
    .at(-1);
  if (probe?.message) return `not ready: ${probe.message}`;
  const ready = (st.conditions ?? []).find((c) => c.type === "Ready");
  return `not ready (${st.phase ?? "Pending"}${ready?.reason ? `, ${ready.reason}` : ""})`;
}

/** The verdict on the rollout of `generation`, at `clock.now`. */
export function judge(s: Snapshot, generation: number, clock: Clock): Verdict {
  const d = s.deployment;
  const ns = d.metadata.namespace ?? "default";
  const name = `Deployment ${ns}/${d.metadata.name}`;
  const st = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  const rs = newReplicaSet(s);
  const observed = (st.observedGeneration ?? 0) >= generation;
  const ready = rs?.status?.readyReplicas ?? 0;
  if (
    observed &&
    rs &&
    st.updatedReplicas === want &&
    st.replicas === want &&
    st.availableReplicas === want &&
    ready >= want
  ) {
    return {
      phase: "complete",
      summary: `${name}: ${want}/${want} pods of ReplicaSet ${rs.metadata.name} ready`,
    };
  }
  const summary = `${name}: ${ready}/${want} pods of the new ReplicaSet ready`;
  const elapsed = (clock.now - clock.startedAt) / 1000;
  const progressing = (st.conditions ?? []).find((c) => c.type === "Progressing");
  const stuck =
    observed &&
    progressing?.status === "False" &&
    progressing.reason === "ProgressDeadlineExceeded" &&
    // A deadline exceeded before this wait began counts once a deadline has passed again.
    (Date.parse(progressing.lastUpdateTime ?? "") >= clock.startedAt ||
      elapsed >= (d.spec.progressDeadlineSeconds ?? 600));
  if (!stuck && elapsed < clock.timeoutSeconds) return { phase: "progressing", summary };

  const why = stuck
    ? `no progress for ${d.spec.progressDeadlineSeconds ?? 600}s (ProgressDeadlineExceeded: ${progressing?.message ?? ""})`
    : `not complete after ${clock.timeoutSeconds}s`;
  const hash = rs ? hashOf(rs) : undefined;
  const newPods = s.pods.filter(
    (p) => hash !== undefined && hashOf(p) === hash && !p.metadata.deletionTimestamp,
  );
  const lines = newPods.flatMap((p) => {
    const problem = podProblem(p, s.events);
    return problem ? [`  [Pod ${ns}/${p.metadata.name}]: ${problem}`] : [];
  });
  if (!rs) lines.push("  the Deployment controller has not created the new ReplicaSet");
  else if (newPods.length === 0) lines.push(`  ReplicaSet ${rs.metadata.name} has no pods yet`);
  const serving = s.pods.filter(
    (p) =>
      hashOf(p) !== hash &&
      (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  );
  if (serving.length)
    lines.push(`  still serving: ${serving.length} ready pod(s) of the previous revision`);
  return {
    phase: "failed",
    summary,
    message: [
      `rollout of ${name} (generation ${generation}) failed: ${why}; ${ready}/${want} new pods ready:`,
      ...lines,
    ].join("\n"),
  };
}
