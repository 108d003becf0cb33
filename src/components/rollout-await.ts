/**
 * The rollout await, run by the program itself during `pulumi up` (never in a preview):
 * it watches the Deployment, its ReplicaSets, its pods and their events through the
 * Kubernetes API (@kubernetes/client-node, with the kubeconfig the kubernetes provider
 * uses: KUBECONFIG or ~/.kube/config, exec plugins included), judges every change with
 * rollout-verdict.ts, and on failure reads the failing containers' logs for the report.
 * The client is imported only when an update waits (kube-client.ts).
 */
import type * as k8s from "@kubernetes/client-node";
import { DEPLOYMENT_REVISION } from "../names";
import type { EventJson, FailFast, PodTrouble, Snapshot } from "./rollout-verdict";
import { judge } from "./rollout-verdict";
import { failureReport, type PodLogs } from "./rollout-report";
import { listRaw, Watches } from "./rollout-watch";
import { kubeClient, type KubeClient } from "./kube-client";

/** The Deployment whose rollout to await, as the provider applied it. */
export interface RolloutTarget {
  readonly namespace: string;
  readonly name: string;
  /** metadata.generation after this update. */
  readonly generation: number;
  /** spec.selector.matchLabels: its ReplicaSets and pods. */
  readonly selector: Readonly<Record<string, string>>;
}

export interface RolloutLimits extends FailFast {
  /** How long the rollout may take in all. */
  readonly timeoutSeconds: number;
}

export type RolloutOutcome =
  | {
      readonly phase: "complete";
      readonly revision: string;
      readonly summary: string;
      /**
       * Pods of earlier revisions still stopping at completion: draining, they may still get
       * requests from the Gateway for up to the workload's drainSeconds.
       */
      readonly draining?: number;
    }
  | { readonly phase: "failed"; readonly report: string }
  /** Told to stop waiting (another rollout of the update failed) while still going. */
  | { readonly phase: "stopped"; readonly summary: string };

/** How long the API may stay unreachable before the wait gives up saying so. */
const UNREACHABLE_SECONDS = 10;
/** Lines of each log (current and previous run) in a failure report. */
const LOG_LINES = 20;

/** The last lines of a container's log, or what kept us from reading it. */
async function tail(
  core: k8s.CoreV1Api,
  namespace: string,
  pod: string,
  container: string,
  previous: boolean,
): Promise<string[] | undefined> {
  try {
    const text = await core.readNamespacedPodLog({
      name: pod,
      namespace,
      container,
      previous,
      tailLines: LOG_LINES,
    });
    const lines = String(text).trimEnd().split("\n");
    return lines.length === 1 && lines[0] === "" ? [] : lines;
  } catch {
    // No previous run, or a container that never started: nothing to show.
    return undefined;
  }
}

async function logsOf(
  core: k8s.CoreV1Api,
  namespace: string,
  pods: readonly PodTrouble[],
): Promise<PodLogs[]> {
  return Promise.all(
    pods.map(async (p) => {
      if (!p.container) return { pod: p.pod };
      const [current, previous] = await Promise.all([
        tail(core, namespace, p.pod, p.container, false),
        tail(core, namespace, p.pod, p.container, true),
      ]);
      return { pod: p.pod, container: p.container, current, previous };
    }),
  );
}

/**
 * The failing pods' events as the API lists them now: the watch may not have delivered the
 * event behind a status it has seen (a pull failure's Failed event trails the pod's status
 * under load). A pod with none yet is asked once more a second later.
 */
async function eventsOf(
  kc: k8s.KubeConfig,
  namespace: string,
  pods: readonly PodTrouble[],
): Promise<EventJson[]> {
  const list = async (pod: string): Promise<EventJson[]> =>
    listRaw(kc, `/api/v1/namespaces/${namespace}/events`, {
      fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}`,
    }).then(
      (l) => l.items as unknown as EventJson[],
      () => [],
    );
  const each = await Promise.all(
    pods.map(async (p) => {
      const first = await list(p.pod);
      if (first.length) return first;
      await new Promise((r) => setTimeout(r, 1000));
      return list(p.pod);
    }),
  );
  return each.flat();
}

const selectorOf = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/**
 * Waits until the rollout of `target` completes or fails, or `stop` is aborted; never
 * throws for a failed rollout.
 */
export async function awaitRollout(
  target: RolloutTarget,
  limits: RolloutLimits,
  stop?: AbortSignal,
): Promise<RolloutOutcome> {
  const { namespace, name, generation } = target;
  const startedAt = Date.now();
  const client = await kubeClient();
  const kubeconfig = defaultKubeConfig(client);
  const core = kubeconfig.makeApiClient(client.CoreV1Api);
  return new Promise<RolloutOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: RolloutOutcome) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      watches.stop();
      resolve(outcome);
    };
    const evaluate = () => {
      if (settled) return;
      const server = kubeconfig.getCurrentCluster()?.server ?? "the Kubernetes API";
      if (
        watches.unreachableSince !== undefined &&
        Date.now() - watches.unreachableSince >= UNREACHABLE_SECONDS * 1000
      ) {
        finish({
          phase: "failed",
          report: `Deployment ${namespace}/${name}: cannot watch its rollout: ${server} did not answer for ${UNREACHABLE_SECONDS}s (${watches.lastError})`,
        });
        return;
      }
      const deployment = watches.objects.deployment.get(name);
      // Judged only on the whole state: every kind listed once, then watched.
      if (!deployment || !watches.synced) return;
      const snapshot = {
        deployment,
        replicaSets: [...watches.objects.replicaSets.values()],
        pods: [...watches.objects.pods.values()],
        events: [...watches.objects.events.values()],
      } as unknown as Snapshot;
      const clock = { startedAt, now: Date.now(), timeoutSeconds: limits.timeoutSeconds };
      const verdict = judge(snapshot, generation, clock, limits);
      if (verdict.phase === "progressing" && stop?.aborted) {
        finish({ phase: "stopped", summary: verdict.summary });
        return;
      }
      if (verdict.phase === "complete") {
        const annotations = snapshot.deployment.metadata.annotations ?? {};
        finish({
          phase: "complete",
          revision: annotations[DEPLOYMENT_REVISION] ?? "",
          summary: verdict.summary,
          draining: snapshot.pods.filter((p) => p.metadata.deletionTimestamp).length,
        });
      } else if (verdict.phase === "failed") {
        settled = true;
        clearInterval(timer);
        watches.stop();
        void Promise.all([
          logsOf(core, namespace, verdict.pods),
          eventsOf(kubeconfig, namespace, verdict.pods),
        ]).then(([logs, listed]) =>
          resolve({
            phase: "failed",
            report: failureReport(verdict, logs, [
              ...(snapshot.events as readonly EventJson[]),
              ...listed,
            ]),
          }),
        );
      }
    };
    const watches = new Watches(client, kubeconfig, evaluate);
    const selector = selectorOf(target.selector);
    watches.start("deployment", `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      fieldSelector: `metadata.name=${name}`,
    });
    watches.start("replicaSets", `/apis/apps/v1/namespaces/${namespace}/replicasets`, {
      labelSelector: selector,
    });
    watches.start("pods", `/api/v1/namespaces/${namespace}/pods`, { labelSelector: selector });
    watches.start("events", `/api/v1/namespaces/${namespace}/events`, {
      fieldSelector: "involvedObject.kind=Pod",
    });
    // Deadlines pass without any change to watch: judge again every second.
    const timer = setInterval(evaluate, 1000);
    stop?.addEventListener("abort", evaluate);
  });
}

/** The kubeconfig the kubernetes provider reads by default. */
export function defaultKubeConfig(client: KubeClient): k8s.KubeConfig {
  const kc = new client.KubeConfig();
  kc.loadFromDefault();
  return kc;
}
