/**
 * What the cluster says about a stack's workloads: Deployments, pods (live ones only),
 * ReplicaSets and the digests they run, read with kubectl.
 */
import assert from "node:assert/strict";
import { APP, WORKLOADS, type WorkloadName } from "../../../src/names";
import { NODE } from "../../../tools/local-env/layout";
import { eventually } from "./http";
import { kubectl, REGISTRY, registryDigest, registryTags } from "./local-env";
import { whenObject } from "./watch";

/** Each workload's repository in the local registry (the local stack's owner and image names). */
export const REPOS: Readonly<Record<WorkloadName, string>> = {
  backend: "travel/coagents-travel-backend",
  frontend: "travel/coagents-travel-frontend",
};

export interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  state: { waiting?: { reason?: string; message?: string }; running?: object };
}

export interface Pod {
  metadata: {
    name: string;
    labels: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec: { containers: { image: string }[]; imagePullSecrets?: { name: string }[] };
  status: {
    phase: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[];
    containerStatuses?: ContainerStatus[];
  };
}

const selector = (w: WorkloadName) => `app.kubernetes.io/name=${APP}-${w}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function deployment(ns: string, w: WorkloadName): any {
  const list = kubectl("get", "deployments", "-n", ns, "-l", selector(w));
  assert.equal(list.items.length, 1, `one ${w} Deployment in ${ns}`);
  return list.items[0];
}

/**
 * Resolves as soon as the workload's Deployment carries commit `sha` (its pod template's
 * version label): the update has written it, its rollout has just begun. Watched.
 */
export async function deploymentUpdated(
  ns: string,
  w: WorkloadName,
  sha: string,
  seconds = 180,
): Promise<void> {
  await whenObject(
    `the ${w} Deployment has commit ${sha}`,
    seconds,
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    { labelSelector: selector(w) },
    (d) => d.spec?.template?.metadata?.labels?.["app.kubernetes.io/version"] === sha,
  );
}

/** The workload's pods that are not being deleted. */
export function pods(ns: string, w: WorkloadName): Pod[] {
  return (kubectl("get", "pods", "-n", ns, "-l", selector(w)).items as Pod[]).filter(
    (p) => !p.metadata.deletionTimestamp,
  );
}

export function available(ns: string, w: WorkloadName): boolean {
  return (deployment(ns, w).status.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === "Available" && c.status === "True",
  );
}

/** A pod a real node runs: a containerd container, an address on the node's pod subnet. */
export function assertRealPod(p: Pod): void {
  const c = p.status.containerStatuses?.[0];
  assert.equal(p.status.phase, "Running", `${p.metadata.name} Running`);
  assert.ok(c?.ready, `${p.metadata.name} Ready`);
  assert.match(
    c.containerID ?? "",
    /^containerd:\/\/[0-9a-f]{64}$/,
    `${p.metadata.name} runs in containerd`,
  );
  const subnet = NODE.podCidr.split(".").slice(0, 3).join(".");
  assert.ok(
    p.status.podIP?.startsWith(`${subnet}.`),
    `${p.metadata.name} has ${p.status.podIP} on ${NODE.podCidr}`,
  );
}

/**
 * Both workloads run the registry's digest of `sha`, every live pod on it; returns the
 * refs. `server` is the registry address the stack deploys from (the registry itself, or
 * the fault tests' proxy in front of it).
 */
export async function assertDeployed(
  ns: string,
  sha: string,
  server: string = REGISTRY,
): Promise<Record<WorkloadName, string>> {
  const refs = {} as Record<WorkloadName, string>;
  for (const w of WORKLOADS) {
    assert.ok((await registryTags(REPOS[w])).includes(sha), `${w} tag ${sha} in the registry`);
    const ref = `${server}/${REPOS[w]}@${await registryDigest(REPOS[w], sha)}`;
    const d = deployment(ns, w);
    assert.equal(d.spec.template.spec.containers[0].image, ref, `${w} Deployment pins the digest`);
    const live = pods(ns, w);
    assert.deepEqual(
      [...new Set(live.map((p) => p.spec.containers[0]!.image))],
      [ref],
      `${w} pods run ${ref}`,
    );
    for (const p of live) {
      assertRealPod(p);
      // What containerd pulled is that digest.
      assert.equal(
        p.status.containerStatuses![0]!.imageID,
        ref,
        `${p.metadata.name} pulled ${ref}`,
      );
    }
    assert.equal(d.status.updatedReplicas, d.spec.replicas);
    assert.ok(available(ns, w), `${w} Available`);
    refs[w] = ref;
  }
  return refs;
}

/** The ClusterIP of a Service. */
export function clusterIp(ns: string, service: string): string {
  return kubectl("get", "service", service, "-n", ns).spec.clusterIP as string;
}

/** Names of the program's objects in a namespace, as `Kind/name`. */
export function programObjects(ns: string): string[] {
  const kinds =
    "deployments,services,secrets,configmaps,serviceaccounts,networkpolicies,poddisruptionbudgets,httproutes.gateway.networking.k8s.io";
  const list = kubectl("get", kinds, "-n", ns, "-l", "app.kubernetes.io/part-of=coagents-travel");
  return (list.items as { kind: string; metadata: { name: string } }[])
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();
}

/** Namespaces being deleted, as `kubectl get namespaces` lists them. */
function terminatingNamespaces(): string[] {
  const list = kubectl("get", "namespaces") as {
    items: { metadata: { name: string }; status?: { phase?: string } }[];
  };
  return list.items.filter((n) => n.status?.phase === "Terminating").map((n) => n.metadata.name);
}

/**
 * Resolves once no namespace is being deleted (the environment's smoke check and earlier
 * runs delete theirs without waiting): a fault test starts from a settled cluster.
 */
export async function quietCluster(): Promise<void> {
  await eventually("no namespace is being deleted", 300, () => {
    return terminatingNamespaces().length === 0;
  });
}
