/**
 * Whether a Deployment's rollout of one generation is complete, still going, or failed,
 * judged from what the API server says about it, its ReplicaSets, pods and events, and
 * why: each pod of the new ReplicaSet that is not ready, with its reason.
 *
 * It fails fast on what will not fix itself (a pull the registry refused, a container
 * that keeps crashing past its restart budget, a missing Secret or ConfigMap key, a pod
 * the scheduler could not place within its budget) and otherwise waits for the
 * Deployment's progress deadline or the timeout, so a slow start that keeps progressing
 * completes. Pure, so every case is unit-tested; rollout-await.ts feeds it from watches.
 */
import { DEPLOYMENT_REVISION } from "../names";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
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
  restartCount?: number;
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
  count?: number;
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

/** When a pod's trouble will not fix itself (the config keys rollout*). */
export interface FailFast {
  /** A container that crashed more often than this fails the rollout. */
  readonly maxRestarts: number;
  /** A pod the scheduler could not place for longer than this fails the rollout. */
  readonly unschedulableSeconds: number;
}

/** One pod of the new ReplicaSet that is not ready, and why. */
export interface PodTrouble {
  readonly pod: string;
  /** The container the trouble is in (its log is the one to read), if any. */
  readonly container?: string;
  /** The reason, in the cluster's words. */
  readonly problem: string;
  /** Why it will not fix itself, when it will not. */
  readonly fatal?: string;
}

export type Verdict =
  | { readonly phase: "complete"; readonly summary: string }
  | { readonly phase: "progressing"; readonly summary: string }
  | {
      readonly phase: "failed";
      readonly summary: string;
      readonly message: string;
      /** The new pods that are not ready (for their logs and events). */
      readonly pods: readonly PodTrouble[];
    };

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

/** A pull the registry refused: it answers the same until the image or the credentials change. */
const PULL_REFUSED =
  /\b(401|403|404)\b|unauthorized|forbidden|denied|manifest unknown|not found|NotFound/i;
/** Container reasons that mean the pod spec or its references are wrong. */
const CONFIG_ERRORS = new Set(["CreateContainerConfigError", "InvalidImageName"]);

/** How often a container has crashed: its restarts, plus the crash it is backing off from now. */
function crashes(c: ContainerStatusJson): number {
  const down =
    c.state?.waiting?.reason === "CrashLoopBackOff" ||
    (c.state?.terminated !== undefined && c.state.terminated.exitCode !== 0);
  return (c.restartCount ?? 0) + (down ? 1 : 0);
}

/** Why a pod of the new ReplicaSet is not ready, in the words the cluster used. */
export function podProblem(pod: PodJson, events: readonly EventJson[]): string | undefined {
  return podTrouble(pod, events)?.problem;
}

/** Why a pod is not ready, and whether that will fix itself (under `limits`, at `now`). */
export function podTrouble(
  pod: PodJson,
  events: readonly EventJson[],
  limits?: FailFast & { readonly now: number },
): PodTrouble | undefined {
  const st = pod.status ?? {};
  const containers = st.containerStatuses ?? [];
  const name = pod.metadata.name;
  if (containers.length > 0 && containers.every((c) => c.ready)) return undefined;
  const unscheduled = (st.conditions ?? []).find(
    (c) => c.type === "PodScheduled" && c.status === "False",
  );
  if (unscheduled) {
    const problem = `${unscheduled.reason ?? "Unschedulable"}: ${unscheduled.message ?? ""}`.trim();
    const since = Date.parse(unscheduled.lastTransitionTime ?? "");
    const seconds = limits ? (limits.now - since) / 1000 : NaN;
    const fatal =
      limits && seconds >= limits.unschedulableSeconds
        ? `not scheduled for ${Math.floor(seconds)}s (rolloutUnschedulableSeconds: ${limits.unschedulableSeconds})`
        : undefined;
    return { pod: name, problem, ...(fatal ? { fatal } : {}) };
  }
  for (const c of containers) {
    if (c.ready) continue;
    const waiting = c.state?.waiting;
    // Between a crash and its back-off the container is terminated, not waiting.
    const down = c.state?.terminated;
    const reason = waiting?.reason ?? (down && down.exitCode !== 0 ? down.reason : undefined);
    if (!reason) continue;
    const last = c.lastState?.terminated ?? down;
    const exit = last ? `; last exit ${last.exitCode ?? "?"} (${last.reason ?? "terminated"})` : "";
    const problem = waiting
      ? `${reason}: ${waiting.message ?? ""}`.trim().replace(/:$/, "") + exit
      : `exited ${down?.exitCode ?? "?"} (${reason})`;
    let fatal: string | undefined;
    if (/^(ErrImagePull|ImagePullBackOff)$/.test(reason) && PULL_REFUSED.test(problem))
      fatal = "the registry refused the pull";
    else if (CONFIG_ERRORS.has(reason)) fatal = "the pod's configuration is wrong";
    else if (limits && crashes(c) > limits.maxRestarts)
      fatal = `crashed ${crashes(c)} times (rolloutMaxRestarts: ${limits.maxRestarts})`;
    return { pod: name, container: c.name, problem, ...(fatal ? { fatal } : {}) };
  }
  const probe = [...events]
    .filter((e) => e.involvedObject.name === name && e.reason === "Unhealthy")
    .sort((a, b) =>
      (a.lastTimestamp ?? a.eventTime ?? "").localeCompare(b.lastTimestamp ?? b.eventTime ?? ""),
    )
    .at(-1);
  const container = containers.find((c) => !c.ready)?.name;
  const where = container ? { container } : {};
  if (probe?.message) return { pod: name, ...where, problem: `not ready: ${probe.message}` };
  const ready = (st.conditions ?? []).find((c) => c.type === "Ready");
  return {
    pod: name,
    ...where,
    problem: `not ready (${st.phase ?? "Pending"}${ready?.reason ? `, ${ready.reason}` : ""})`,
  };
}

/** The verdict on the rollout of `generation`, at `clock.now`. */
export function judge(
  s: Snapshot,
  generation: number,
  clock: Clock,
  limits: FailFast = { maxRestarts: Infinity, unschedulableSeconds: Infinity },
): Verdict {
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
  const hash = rs ? hashOf(rs) : undefined;
  const newPods = s.pods.filter(
    (p) => hash !== undefined && hashOf(p) === hash && !p.metadata.deletionTimestamp,
  );
  const troubles = observed
    ? newPods.flatMap((p) => podTrouble(p, s.events, { ...limits, now: clock.now }) ?? [])
    : [];
  const fatal = troubles.find((t) => t.fatal !== undefined);
  if (!stuck && !fatal && elapsed < clock.timeoutSeconds) return { phase: "progressing", summary };

  const why = fatal
    ? `Pod ${ns}/${fatal.pod}: ${fatal.fatal}`
    : stuck
      ? `no progress for ${d.spec.progressDeadlineSeconds ?? 600}s (ProgressDeadlineExceeded: ${progressing?.message ?? ""})`
      : `not complete after ${clock.timeoutSeconds}s`;
  const lines = troubles.map((t) => `  [Pod ${ns}/${t.pod}]: ${t.problem}`);
  if (!rs) lines.push("  the Deployment controller has not created the new ReplicaSet");
  else if (newPods.length === 0) lines.push(`  ReplicaSet ${rs.metadata.name} has no pods yet`);
  // Pods of an earlier revision still stopping (draining) are not what keeps serving.
  const serving = s.pods.filter(
    (p) =>
      hashOf(p) !== hash &&
      !p.metadata.deletionTimestamp &&
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
    pods: troubles,
  };
}
