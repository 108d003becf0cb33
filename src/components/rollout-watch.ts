/**
 * What the rollout await reads: the Deployment, its ReplicaSets, its pods and their events,
 * each listed once and then watched from that list's resourceVersion (the informer
 * pattern), so a verdict is never drawn from half of the initial state. Objects stay the
 * API server's JSON (timestamps as strings), as rollout-verdict.ts reads them.
 */
import * as http from "node:http";
import * as https from "node:https";
import type * as k8s from "@kubernetes/client-node";
import type { KubeClient } from "./kube-client";

export type Kind = "deployment" | "replicaSets" | "pods" | "events";
export type Obj = {
  metadata: { name: string; uid?: string; resourceVersion?: string };
} & Record<string, unknown>;

/** GET of a collection as JSON, with the kubeconfig's credentials (exec plugins included). */
export async function listRaw(
  kc: k8s.KubeConfig,
  path: string,
  query: Readonly<Record<string, string>>,
): Promise<{ items: Obj[]; resourceVersion: string }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const url = new URL(cluster.server + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { ...opts, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        if (res.statusCode !== 200)
          return reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
        try {
          const list = JSON.parse(body) as {
            items?: Obj[];
            metadata?: { resourceVersion?: string };
          };
          resolve({
            items: list.items ?? [],
            resourceVersion: list.metadata?.resourceVersion ?? "",
          });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path}: no answer in 10s`)));
    req.on("error", reject);
  });
}

/** Each kind's objects by name, kept current; `synced` once every kind was listed. */
export class Watches {
  readonly objects: Record<Kind, Map<string, Obj>> = {
    deployment: new Map(),
    replicaSets: new Map(),
    pods: new Map(),
    events: new Map(),
  };
  /** Since when no request has got through, while failing (ms). */
  unreachableSince: number | undefined;
  lastError = "";
  private readonly listed = new Set<Kind>();
  private readonly controllers = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    private readonly kc: k8s.KubeConfig,
    private readonly onChange: () => void,
  ) {}

  /** Whether every kind started has been listed once. */
  get synced(): boolean {
    return this.listed.size === 4;
  }

  /** Lists `kind`, then watches it from there; starts over when the watch ends. */
  start(kind: Kind, path: string, query: Record<string, string>): void {
    void this.listThenWatch(kind, path, query);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.abort();
  }

  private failed(err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.unreachableSince ??= Date.now();
    this.onChange();
  }

  private async listThenWatch(kind: Kind, path: string, query: Record<string, string>) {
    if (this.stopped) return;
    const seen = this.objects[kind];
    let version: string;
    try {
      const list = await listRaw(this.kc, path, query);
      seen.clear();
      for (const o of list.items) seen.set(o.metadata.name, o);
      version = list.resourceVersion;
      this.unreachableSince = undefined;
      this.listed.add(kind);
      this.onChange();
    } catch (err) {
      this.failed(err);
      setTimeout(() => void this.listThenWatch(kind, path, query), 1000).unref();
      return;
    }
    const again = (err: unknown) => {
      if (this.stopped) return;
      if (err) this.failed(err);
      setTimeout(() => void this.listThenWatch(kind, path, query), err ? 1000 : 0).unref();
    };
    new this.client.Watch(this.kc)
      .watch(
        path,
        { ...query, resourceVersion: version, allowWatchBookmarks: true },
        (type, obj: Obj) => {
          this.unreachableSince = undefined;
          // ERROR (e.g. 410 Gone, the version is too old) ends the watch; it lists again.
          if (type === "ERROR" || type === "BOOKMARK") return;
          if (type === "DELETED") seen.delete(obj.metadata.name);
          else seen.set(obj.metadata.name, obj);
          this.onChange();
        },
        again,
      )
      .then(
        (c) => (this.stopped ? c.abort() : this.controllers.add(c)),
        (err: unknown) => again(err ?? new Error("watch failed")),
      );
  }
}
