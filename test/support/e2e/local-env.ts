/**
 * The local environment the end-to-end tests run against (tools/local-env.sh): a
 * Kubernetes control plane with one real node (containerd, kubelet, kube-proxy,
 * CoreDNS, kube-router, Traefik as the Gateway), and a registry on 127.0.0.1:5000
 * that requires basic auth. Assertions read these real parts, never Pulumi's report.
 */
import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { DOCKER, KUBECONFIG, REGISTRY as LOCAL_REGISTRY } from "../../../tools/local-env/layout";

export { KUBECONFIG, STATE } from "../../../tools/local-env/layout";
export const REGISTRY = LOCAL_REGISTRY.address;
export const REGISTRY_USER = LOCAL_REGISTRY.user;

export function registryToken(): string {
  return readFileSync(LOCAL_REGISTRY.tokenFile, "utf8").trim();
}

/** The pull user's token (the stacks' registryPullToken). */
export function registryPullToken(): string {
  return readFileSync(LOCAL_REGISTRY.pullTokenFile, "utf8").trim();
}

/** Runs kubectl against the local cluster and parses its JSON output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kubectl(...args: string[]): any {
  const out = execFileSync(
    process.env.TRAVEL_KUBECTL ?? "kubectl",
    ["--kubeconfig", KUBECONFIG, ...args, "-o", "json"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return JSON.parse(out);
}

/**
 * Runs kubectl against the local cluster without blocking the event loop (for samplers
 * running beside a request loop); resolves to its standard output.
 */
export async function kubectlText(...args: string[]): Promise<string> {
  const kubectlPath = process.env.TRAVEL_KUBECTL ?? "kubectl";
  return (await promisify(execFile)(kubectlPath, ["--kubeconfig", KUBECONFIG, ...args])).stdout;
}

/** kubectl apply of the given objects (as a List). */
export function kubectlApply(...objects: object[]): void {
  execFileSync(
    process.env.TRAVEL_KUBECTL ?? "kubectl",
    ["--kubeconfig", KUBECONFIG, "apply", "-f", "-"],
    {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
      stdio: ["pipe", "ignore", "pipe"],
    },
  );
}

/** kubectl delete of what the arguments name, not waiting; missing objects are fine. */
export function kubectlDelete(...args: string[]): void {
  execFileSync(
    process.env.TRAVEL_KUBECTL ?? "kubectl",
    ["--kubeconfig", KUBECONFIG, "delete", "--ignore-not-found", "--wait=false", ...args],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

/** kubectl with the given arguments, waiting for it to finish (e.g. a delete). */
export function kubectlWait(...args: string[]): void {
  execFileSync(process.env.TRAVEL_KUBECTL ?? "kubectl", ["--kubeconfig", KUBECONFIG, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 180_000,
  });
}

/** kubectl get, or undefined when the object does not exist. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kubectlGet(...args: string[]): any {
  try {
    return kubectl("get", ...args);
  } catch (err) {
    if (String((err as { stderr?: string }).stderr).includes("NotFound")) return undefined;
    throw err;
  }
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

function authHeader(token = registryToken()): string {
  return `Basic ${Buffer.from(`${REGISTRY_USER}:${token}`).toString("base64")}`;
}

/** Tags of a repository in the local registry (authenticated). */
export async function registryTags(repository: string): Promise<string[]> {
  const res = await fetch(`http://${REGISTRY}/v2/${repository}/tags/list`, {
    headers: { Authorization: authHeader() },
  });
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`registry tags/list ${repository}: HTTP ${res.status}`);
  const body = (await res.json()) as { tags: string[] | null };
  return body.tags ?? [];
}

/** The digest the registry serves for repository:tag (what a pull by tag resolves to). */
export async function registryDigest(repository: string, tag: string): Promise<string> {
  const res = await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: { Authorization: authHeader(), Accept: MANIFEST_TYPES },
  });
  const digest = res.headers.get("docker-content-digest");
  if (!res.ok || !digest) throw new Error(`registry HEAD ${repository}:${tag}: HTTP ${res.status}`);
  return digest;
}

interface Manifest {
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
  layers?: { size: number }[];
}

/** Bytes of repository:tag's linux/amd64 layers in the registry (compressed, as pulled). */
export async function registryImageBytes(repository: string, tag: string): Promise<number> {
  const read = async (ref: string) => {
    const res = await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${ref}`, {
      headers: { Authorization: authHeader(), Accept: MANIFEST_TYPES },
    });
    if (!res.ok) throw new Error(`registry GET ${repository}:${ref}: HTTP ${res.status}`);
    return (await res.json()) as Manifest;
  };
  let m = await read(tag);
  const amd64 = m.manifests?.find((x) => x.platform?.architecture === "amd64");
  if (amd64) m = await read(amd64.digest);
  return (m.layers ?? []).reduce((sum, l) => sum + l.size, 0);
}

/** Status of an unauthenticated request, to prove the registry demands credentials. */
export async function anonymousStatus(): Promise<number> {
  return (await fetch(`http://${REGISTRY}/v2/`)).status;
}

/** Builds `context` with dockerd and pushes it as `repository:tag` (no revision label). */
export async function pushImage(context: string, repository: string, tag: string): Promise<string> {
  const ref = `${REGISTRY}/${repository}:${tag}`;
  const docker = (args: string[], input?: string) =>
    execFileSync(DOCKER.cli, args, {
      input,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, DOCKER_BUILDKIT: "1" },
    });
  docker(["build", "-q", "-t", ref, context]);
  docker(["login", REGISTRY, "-u", REGISTRY_USER, "--password-stdin"], registryToken());
  try {
    docker(["push", ref]);
  } finally {
    // No stored credentials may stand in for the ones a program passes.
    docker(["logout", REGISTRY]);
  }
  return registryDigest(repository, tag);
}

/**
 * An image that is in the registry by digest but cannot be pulled: pushed, then its last
 * layer's blob deleted (what a registry garbage collection gone wrong leaves).
 * Returns `<registry>/<repo>@<digest>`.
 */
export async function pushUnpullableImage(
  context: string,
  repository: string,
  tag: string,
): Promise<string> {
  const digest = await pushImage(context, repository, tag);
  const manifest = (await (
    await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${digest}`, {
      headers: { Authorization: authHeader(), Accept: MANIFEST_TYPES },
    })
  ).json()) as { layers?: { digest: string }[] };
  const layer = manifest.layers?.at(-1)?.digest;
  if (!layer) throw new Error(`${repository}:${tag}: no layers in its manifest`);
  const res = await fetch(`http://${REGISTRY}/v2/${repository}/blobs/${layer}`, {
    method: "DELETE",
    headers: { Authorization: authHeader() },
  });
  if (res.status !== 202)
    throw new Error(`DELETE blob ${layer} of ${repository}:${tag}: HTTP ${res.status}`);
  return `${REGISTRY}/${repository}@${digest}`;
}
