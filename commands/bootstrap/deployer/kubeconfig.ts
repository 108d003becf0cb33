/**
 * A kubeconfig that logs in as the deployer with a ServiceAccount token: the cluster of
 * the admin's current context (server and CA, read from `kubectl config view --minify
 * --flatten`), a user holding the token, and one context in the app's namespace. No exec
 * plugin, no admin credential: what the deploy jobs can use as it is.
 */
import { stringify } from "yaml";
import { DEPLOYER } from "./rbac";

/** The part of `kubectl config view --minify --flatten -o json` that is read. */
interface FlatView {
  clusters?: { name?: string; cluster?: Record<string, unknown> }[];
}

/** The current cluster's server and CA from the admin's minified, flattened view. */
export function clusterOf(view: unknown): { server: string; caData?: string } {
  const cluster = (view as FlatView | null)?.clusters?.[0]?.cluster;
  const server = cluster?.server;
  if (typeof server !== "string" || server === "") {
    throw new Error(
      "kubeconfig: expected a current context whose cluster has a server (kubectl config view --minify)",
    );
  }
  const ca = cluster?.["certificate-authority-data"];
  return { server, ...(typeof ca === "string" && ca !== "" ? { caData: ca } : {}) };
}

/** The deployer's kubeconfig (YAML), its context named `<deployer>@<namespace>`. */
export function deployerKubeconfig(
  cluster: { server: string; caData?: string },
  namespace: string,
  token: string,
): string {
  const name = `${DEPLOYER}@${namespace}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { "certificate-authority-data": cluster.caData } : {}),
        },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace } }],
    "current-context": name,
  });
}
