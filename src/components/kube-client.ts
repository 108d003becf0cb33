/**
 * The Kubernetes client (@kubernetes/client-node), imported when an update first waits for
 * a rollout: a preview never loads it. It is an ES module of some 960 files; the program
 * runs as CommonJS through tsx's require hook (Pulumi.yaml's `nodeargs`), so Node's own
 * ES module loader reads it, in about 0.6 CPU-seconds where tsx's module hooks took 1.4
 * (docs/benchmarks.md).
 */
export type KubeClient = typeof import("@kubernetes/client-node");

let client: Promise<KubeClient> | undefined;

/** The client's module, imported once. */
export function kubeClient(): Promise<KubeClient> {
  client ??= import("@kubernetes/client-node");
  return client;
}
