/**
 * What the benchmark runs against: a stack of this program deployed to the local
 * environment (its own namespace), a kubectl-managed copy of the same objects in another
 * namespace, and an empty program in the same backend (Pulumi's floor here).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { DEPLOYMENT_REVISION } from "../../src/names";
import { DOCKER, KUBECONFIG } from "../local-env/layout";
import { createProject, PASSPHRASE, type E2EProject } from "../../test/support/e2e/project";

export const NS = "travel-bench";
export const COPY_NS = "travel-bench-kubectl";
const ROOT = join(__dirname, "..", "..");

export interface Bench {
  readonly p: E2EProject;
  /** The Pulumi CLI in the bench project, as a user runs it. */
  pulumi(args: string[], cwd?: string): string;
  kubectl(args: string[], input?: string): string;
  /** The docker CLI of the local environment (with the buildx plugin). */
  docker(args: string[], input?: string): string;
  /** A project with no resources, in the same backend: Pulumi's floor. */
  readonly empty: string;
  /** The objects of the stack, as one file applied to the copy namespace. */
  readonly copyFile: string;
}

function env(p: E2EProject): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PULUMI_BACKEND_URL: p.backendUrl,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    KUBECONFIG,
  };
}

/** Runs a command; a failure says which, with the end of what it printed. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string },
): string {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      maxBuffer: 256 << 20,
      stdio: ["pipe", "pipe", "pipe"],
      ...opts,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; status?: number };
    const tail = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
    const failure = new Error(
      `${cmd} ${args.join(" ")} exited ${e.status ?? "abnormally"}:\n${tail}`,
    );
    throw Object.assign(failure, { output: `${e.stdout ?? ""}${e.stderr ?? ""}` });
  }
}

/** What the API server owns in an object's metadata (dropped from the copy). */
const SERVER_OWNED = ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"];
const SERVER_ANNOTATIONS = [
  "kubectl.kubernetes.io/last-applied-configuration",
  DEPLOYMENT_REVISION,
];

type KubeObject = {
  kind: string;
  metadata: Record<string, unknown> & { annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: unknown;
};

/** Strips what the API server owns, and moves the object into `ns`. */
function portable(o: KubeObject, ns: string): KubeObject {
  const annotations = { ...o.metadata.annotations };
  const metadata: KubeObject["metadata"] = { ...o.metadata, namespace: ns, annotations };
  for (const k of SERVER_OWNED) delete metadata[k];
  for (const a of SERVER_ANNOTATIONS) delete annotations[a];
  const copy: KubeObject = { ...o, metadata };
  delete copy.status;
  if (o.kind === "Service" && o.spec) {
    const spec = { ...o.spec };
    delete spec.clusterIP;
    delete spec.clusterIPs;
    copy.spec = spec;
  }
  return copy;
}

export async function setupBench(kubectlBin: string): Promise<Bench> {
  const p = await createProject(`bench${Date.now().toString(36)}`, { namespace: NS });
  const e = env(p);
  const b: Bench = {
    p,
    pulumi: (args, cwd = p.dir) =>
      run("pulumi", [...args, "--stack", p.stack.name, "--non-interactive"], { cwd, env: e }),
    kubectl: (args, input) =>
      run(kubectlBin, ["--kubeconfig", KUBECONFIG, ...args], {
        env: e,
        ...(input ? { input } : {}),
      }),
    docker: (args, input) =>
      run(DOCKER.cli, args, {
        env: { ...e, DOCKER_HOST: `unix://${DOCKER.socket}`, DOCKER_CONFIG: DOCKER.config },
        ...(input ? { input } : {}),
      }),
    empty: mkdtempSync(join(tmpdir(), "bench-empty-")),
    copyFile: join(mkdtempSync(join(tmpdir(), "bench-copy-")), "objects.json"),
  };
  // Pulumi's floor: the same runtime (options and all) and backend, no resources.
  const { runtime } = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
    runtime: unknown;
  };
  writeFileSync(join(b.empty, "Pulumi.yaml"), stringify({ name: "empty", runtime }));
  writeFileSync(join(b.empty, "index.ts"), "export {};\n");
  writeFileSync(join(b.empty, "package.json"), '{ "name": "empty", "main": "index.ts" }\n');
  writeFileSync(
    join(b.empty, "tsconfig.json"),
    '{ "compilerOptions": { "module": "commonjs", "moduleResolution": "node", "target": "ES2022", "strict": true, "types": ["node"] } }\n',
  );
  symlinkSync(join(ROOT, "node_modules"), join(b.empty, "node_modules"));
  run("pulumi", ["stack", "init", p.stack.name, "--non-interactive"], { cwd: b.empty, env: e });
  return b;
}

/** Copies the stack's objects into COPY_NS and applies them there with kubectl. */
export function copyObjects(b: Bench): void {
  const kinds =
    "deployments,services,secrets,configmaps,serviceaccounts,networkpolicies,poddisruptionbudgets,httproutes.gateway.networking.k8s.io";
  const list = JSON.parse(
    b.kubectl([
      "get",
      kinds,
      "-n",
      NS,
      "-l",
      "app.kubernetes.io/part-of=coagents-travel",
      "-o",
      "json",
    ]),
  );
  const ns = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: COPY_NS,
      labels: JSON.parse(b.kubectl(["get", "namespace", NS, "-o", "json"])).metadata.labels,
    },
  };
  const items = [ns, ...list.items.map((o: KubeObject) => portable(o, COPY_NS))];
  writeFileSync(b.copyFile, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
  b.kubectl(["apply", "--server-side", "--force-conflicts", "-f", b.copyFile]);
}

/** The pulumi CLI's version, for the report. */
export const versionOf = (cmd: string, args: string[]) => run(cmd, args, {}).trim().split("\n")[0]!;
