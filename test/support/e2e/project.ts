/**
 * A throwaway copy of this Pulumi project and of the fixture app's source (in
 * its own git repository, so source changes make new SHAs), driven through
 * the Automation API with the real CLI, a file state backend and passphrase
 * secrets. The project sits beside the app's repository (the separate layout, the
 * default) or in it as `deploy/` (the in-app layout), as docs/delivery.md describes.
 */
import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { parse, stringify } from "yaml";
import { compileFixtureServers } from "../../../fixtures/app/compile";
import { CA_CERT, GATEWAY } from "../../../tools/local-env/layout";
import { pulumiCli } from "./cli";
import { KUBECONFIG, kubectlGet, kubectlWait, registryPullToken, registryToken } from "./local-env";

const ROOT = join(__dirname, "..", "..", "..");
export const PASSPHRASE = "travel-e2e-passphrase";
export const E2E_NAMESPACE = "travel-e2e";

/**
 * The file backend in `dir`, without fileblob's metadata sidecars. The program reads its
 * own stack's last outputs during an update (src/images/lookup.ts) while the engine
 * writes the checkpoint; fileblob rewrites each blob's `.attrs` sidecar in place after
 * the blob, so such a read can find it empty and fail with "failed to load checkpoint:
 * EOF". `metadata=skip` writes no sidecar (docs/delivery.md, State backend and secrets).
 */
export const fileBackend = (dir: string) => `file://${dir}?metadata=skip`;

export interface E2EProject {
  dir: string;
  sourceDir: string;
  stateDir: string;
  /** The file backend in stateDir (fileBackend). */
  backendUrl: string;
  stack: Stack;
  /** Every line the CLI printed, across all operations. */
  output: string[];
  /** The app secret values this stack was given (to prove none leaks). */
  secretValues: string[];
  /** The Kubernetes namespace this stack deploys into. */
  namespace: string;
  /** Which apps it builds (ProjectOptions.app). */
  app: "seed" | "stand-ins";
}

export interface ProjectOptions {
  /** Share another project's file backend (for StackReferences between them). */
  stateDir?: string;
  /** Namespace to deploy into. */
  namespace?: string;
  /**
   * "in-app": the project is `deploy/` of the app's repository, committed with it (its
   * node_modules ignored); "separate": a folder beside it, in no repository.
   * @default "separate"
   */
  layout?: "in-app" | "separate";
  /**
   * "seed": the apps in the seed's frameworks (fixtures/travel: FastAPI and Next.js, built
   * from the local base images with the machine's CA bundle as the build secret);
   * "stand-ins": the Go servers of fixtures/app, whose modes make the failure cases.
   * @default "stand-ins"
   */
  app?: "seed" | "stand-ins";
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/** Commits a change to the fixture source and returns the new HEAD. */
export function commitSource(p: E2EProject, file: string, content: string): string {
  writeFileSync(join(p.sourceDir, file), content);
  git(p.sourceDir, "add", "-A");
  git(p.sourceDir, "commit", "-qm", `change ${file}`);
  return git(p.sourceDir, "rev-parse", "HEAD");
}

export function head(p: E2EProject): string {
  return git(p.sourceDir, "rev-parse", "HEAD");
}

/** The local stack's committed config, as YAML values keyed by full key. */
export function committedLocalConfig(): Record<string, unknown> {
  const file = parse(readFileSync(join(ROOT, "Pulumi.local.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  // Secure values belong to the committed file's salt; the test sets its own.
  return Object.fromEntries(
    Object.entries(file.config).filter(
      ([, v]) => !(v && typeof v === "object" && "secure" in (v as object)),
    ),
  );
}

/**
 * The committed local stack's `verify`, sent to the Gateway's address and trusting the
 * environment's CA (the hostnames do not resolve), with `overrides`.
 */
export function verifyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(committedLocalConfig()["travel:verify"] as object),
    connectTo: `${GATEWAY.address}:${GATEWAY.httpsPort}`,
    caCert: CA_CERT,
    ...overrides,
  };
}

/** The frontend path that calls the backend: the committed local stack's verify.backend.path. */
export const BACKEND_STATUS_PATH = (
  committedLocalConfig()["travel:verify"] as { backend: { path: string } }
).backend.path;

/** A stack name of its own for this run: `<prefix><time in base 36>`. */
export const stackNameFor = (prefix: string) => `${prefix}${Date.now().toString(36)}`;

/** The committed local stack's frontend with one replica: a smaller stack to run beside others. */
export const ONE_FRONTEND = {
  "travel:frontend": { ...(committedLocalConfig()["travel:frontend"] as object), replicas: 1 },
};

/** A new stack of its own (`stackNameFor(prefix)`), deployed once with `pulumi up`. */
export async function deployProject(
  prefix: string,
  opts: ProjectOptions = {},
): Promise<E2EProject> {
  const p = await createProject(stackNameFor(prefix), opts);
  await up(p);
  return p;
}

/** Destroys each stack whose namespace is still there (a case may have failed midway). */
export async function destroyProjects(...projects: (E2EProject | undefined)[]): Promise<void> {
  for (const p of projects) {
    if (p && kubectlGet("namespace", p.namespace))
      await pulumiCli(p, ["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
  }
}

export async function createProject(name: string, opts: ProjectOptions = {}): Promise<E2EProject> {
  // A run that was interrupted leaves its namespace behind, owned by a stack that is gone.
  kubectlWait("delete", "namespace", opts.namespace ?? E2E_NAMESPACE, "--ignore-not-found");
  const dir = mkdtempSync(join(tmpdir(), `travel-e2e-${name}-`));
  const stateDir = opts.stateDir ?? join(dir, ".state");
  const sourceDir = join(dir, "source");
  cpSync(join(ROOT, "fixtures", "app"), sourceDir, { recursive: true });
  compileFixtureServers(sourceDir);
  // The apps in the seed's frameworks, beside the stand-ins (SEED_APP names their contexts).
  cpSync(join(ROOT, "fixtures", "travel"), join(sourceDir, "travel"), { recursive: true });
  const projectDir = opts.layout === "in-app" ? join(sourceDir, "deploy") : join(dir, "project");
  execFileSync("mkdir", ["-p", stateDir, projectDir]);
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) {
    cpSync(join(ROOT, f), join(projectDir, f));
  }
  cpSync(join(ROOT, "src"), join(projectDir, "src"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(projectDir, "node_modules"));
  if (opts.layout === "in-app")
    appendFileSync(join(sourceDir, ".gitignore"), "/deploy/node_modules\n");

  git(sourceDir, "init", "-q");
  git(sourceDir, "config", "user.email", "e2e@example.invalid");
  git(sourceDir, "config", "user.name", "e2e");
  git(sourceDir, "add", "-A");
  // The stack's name in the message: two suites that start in the same second would
  // otherwise make the same commit, push the same tag with different images, and each
  // find the other's image under its tag (a rebuild where none was expected).
  git(sourceDir, "commit", "-qm", `fixture app for ${name}`);

  const backendUrl = fileBackend(stateDir);
  const envVars: Record<string, string> = {
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    KUBECONFIG,
  };
  // The program reads CI's commit variables first; the tests want the git HEAD.
  for (const v of ["TRAVEL_SOURCE_SHA", "GITHUB_SHA", "CI_COMMIT_SHA"]) delete process.env[v];

  const stack = await LocalWorkspace.createStack(
    { stackName: name, workDir: projectDir },
    { workDir: projectDir, envVars },
  );
  const secretValues = [`sk-e2e-${Date.now()}-openai`, `maps-e2e-${Date.now()}-key`];
  const p: E2EProject = {
    dir: projectDir,
    sourceDir,
    stateDir,
    backendUrl,
    stack,
    output: [],
    secretValues,
    namespace: opts.namespace ?? E2E_NAMESPACE,
    app: opts.app ?? "stand-ins",
  };
  await writeConfig(p, {});
  setSecret(p, "travel:registryToken", registryToken());
  setSecret(p, "travel:registryPullToken", registryPullToken());
  setSecret(
    p,
    "travel:appSecrets",
    JSON.stringify({ OPENAI_API_KEY: secretValues[0], GOOGLE_MAPS_API_KEY: secretValues[1] }),
  );
  return p;
}

/**
 * `pulumi config set --secret` with the value on stdin, as users are told to: the
 * Automation API's setConfig puts it on the CLI's command line, where any process of the
 * machine can read it.
 */
export function setSecret(p: Pick<E2EProject, "dir" | "stack">, key: string, value: string): void {
  execFileSync("pulumi", ["config", "set", "--secret", "--stack", p.stack.name, key, "--"], {
    cwd: p.dir,
    input: value,
    env: { ...process.env, ...p.stack.workspace.envVars },
    stdio: ["pipe", "ignore", "pipe"],
  });
}

/**
 * Writes the stack's non-secret config: the committed local stack's values,
 * the fixture source as build contexts, then `overrides` (a key set to
 * undefined is removed). Secure values already in the file are kept.
 */
export async function writeConfig(
  p: E2EProject,
  overrides: Record<string, unknown>,
): Promise<void> {
  const file = join(p.dir, `Pulumi.${p.stack.name}.yaml`);
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const secure = Object.fromEntries(
    Object.entries(doc.config ?? {}).filter(
      ([, v]) => v && typeof v === "object" && "secure" in (v as object),
    ),
  );
  const config: Record<string, unknown> = {
    ...committedLocalConfig(),
    // Its own namespace and hostname, so it can run beside the local stack.
    "travel:namespace": p.namespace,
    "travel:hostnames": [hostnameOf(p)],
    "travel:images": {
      mode: "build",
      backend: { context: join(appDir(p), "backend") },
      frontend: { context: join(appDir(p), "frontend") },
      // The seed's apps download packages while they build (the CA bundle the committed
      // local stack names); the stand-ins download nothing.
      ...(p.app === "seed"
        ? { buildSecrets: (committedLocalConfig()["travel:images"] as ImagesInput).buildSecrets }
        : {}),
    },
    "travel:verify": verifyConfig(),
    ...secure,
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete config[k];
    else config[k] = v;
  }
  writeFileSync(file, stringify({ ...doc, config }));
}

type ImagesInput = { buildSecrets?: Record<string, string> };

/** Where the project's apps are in its source: fixtures/travel's copy, or fixtures/app's. */
export const appDir = (p: Pick<E2EProject, "app" | "sourceDir">) =>
  p.app === "seed" ? join(p.sourceDir, "travel") : p.sourceDir;

/** The stack's hostname on the local Gateway. */
export function hostnameOf(p: Pick<E2EProject, "namespace">): string {
  return `${p.namespace}.local.test`;
}

/**
 * `pulumi up --yes --skip-preview [args]` through the CLI, as the deploy workflow runs
 * it; throws with the CLI's output when it fails. (The Automation API's `up` runs three
 * more CLI commands after each update, the outputs twice and the history: about 1.1
 * CPU-seconds an update, docs/benchmarks.md. A case reads what it needs afterwards:
 * `p.stack.outputs()`, `changes(p)`.)
 */
export async function up(p: E2EProject, args: readonly string[] = []): Promise<void> {
  const run = await pulumiCli(p, ["up", "--yes", "--skip-preview", ...args]);
  if (run.code !== 0) {
    throw new Error(
      `pulumi up ${args.join(" ")} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`,
    );
  }
}

/** Runs `up` expecting failure; returns the error's text and the elapsed seconds. */
export async function upFails(p: E2EProject): Promise<{ message: string; seconds: number }> {
  const started = Date.now();
  try {
    await up(p);
  } catch (err) {
    return { message: String(err), seconds: (Date.now() - started) / 1000 };
  }
  throw new Error(
    `pulumi up succeeded but was expected to fail; its output ended with:\n${p.output.slice(-40).join("\n")}`,
  );
}

/** The change counts of the stack's last update, e.g. { same: 20, update: 1 }. */
export async function changes(p: E2EProject): Promise<Record<string, number>> {
  const [last] = await p.stack.history(1);
  if (!last) throw new Error(`stack ${p.stack.name} has no update in its history`);
  return (last.resourceChanges ?? {}) as Record<string, number>;
}

/** The raw JSON of the stack's state file in the file backend. */
export function stateFileText(p: E2EProject): string {
  const out = execFileSync(
    "sh",
    ["-c", `cat $(find "${p.stateDir}" -name '*.json' -path '*stacks*')`],
    {
      encoding: "utf8",
    },
  );
  return out;
}

/** The frontend's pods take `seconds` to start: a rollout long enough to interrupt. */
export const slowFrontend = (p: E2EProject, seconds: number): string =>
  commitSource(p, "frontend/mode", `slow-start:${seconds}\n`);

/** The Kubernetes objects of the stack's state in its namespace, as `Kind/name`. */
export async function stateObjects(p: E2EProject): Promise<string[]> {
  const state = await p.stack.exportStack();
  const resources = (state.deployment.resources ?? []) as {
    type: string;
    outputs?: { kind?: string; metadata?: { name?: string; namespace?: string } };
  }[];
  return resources
    .filter(
      (r) => r.type.startsWith("kubernetes:") && r.outputs?.metadata?.namespace === p.namespace,
    )
    .map((r) => `${r.outputs!.kind}/${r.outputs!.metadata!.name}`)
    .sort();
}
