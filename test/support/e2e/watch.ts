/**
 * Watches of the local cluster through @kubernetes/client-node, for cases that follow
 * objects while something else runs (an update, a request loop): one connection for as
 * long as the case needs it, and each change seen when it happens, where polling started
 * a kubectl process every few hundred milliseconds (docs/benchmarks.md). No tests of its
 * own.
 */
import type * as k8s from "@kubernetes/client-node";
import { kubeClient } from "../../../src/components/kube-client";
import { KUBECONFIG } from "./local-env";

/** An object as the watch delivers it: only what the cases read is typed. */
export interface Watched {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
}

export interface Watching {
  /** Ends the watch; no callback runs after it. */
  stop(): void;
}

let config: Promise<{ client: typeof k8s; kc: k8s.KubeConfig }> | undefined;

function cluster() {
  config ??= kubeClient().then((client) => {
    const kc = new client.KubeConfig();
    kc.loadFromFile(KUBECONFIG);
    return { client, kc };
  });
  return config;
}

/**
 * Calls `seen` with each object of the collection at `path` (for example
 * `/api/v1/namespaces/ns/pods`): every object there when the watch opens, then every
 * change, as the API server sends them. When the server ends the watch, it opens again
 * (and delivers the objects there again). Resolves once the first watch is open.
 */
export async function watchObjects(
  path: string,
  query: Record<string, string>,
  seen: (type: "ADDED" | "MODIFIED" | "DELETED", obj: Watched) => void,
): Promise<Watching> {
  const { client, kc } = await cluster();
  let stopped = false;
  let controller: AbortController | undefined;
  const open = async (): Promise<void> => {
    const c = await new client.Watch(kc).watch(
      path,
      query,
      (type: string, obj: Watched) => {
        if (!stopped && (type === "ADDED" || type === "MODIFIED" || type === "DELETED"))
          seen(type, obj);
      },
      (err: unknown) => {
        if (!stopped) setTimeout(() => void open(), err ? 500 : 0);
      },
    );
    controller = c;
    if (stopped) c.abort();
  };
  await open();
  return {
    stop: () => {
      stopped = true;
      controller?.abort();
    },
  };
}

/**
 * Resolves with the first object of the collection at `path` for which `holds` is true;
 * throws `what` after `seconds`.
 */
export async function whenObject(
  what: string,
  seconds: number,
  path: string,
  query: Record<string, string>,
  holds: (obj: Watched) => boolean,
): Promise<Watched> {
  let resolve!: (o: Watched) => void;
  const found = new Promise<Watched>((r) => (resolve = r));
  const watching = await watchObjects(path, query, (type, obj) => {
    if (type !== "DELETED" && holds(obj)) resolve(obj);
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${seconds}s waiting until ${what}`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([found, late]);
  } finally {
    clearTimeout(timer);
    watching.stop();
  }
}
