/**
 * Faults for the end-to-end fault tests: one of the environment's processes stopped (and
 * the environment brought back by its own idempotent `up`), a registry endpoint that
 * refuses writes or stops answering, and a CLI run whose process can be killed.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { REGISTRY } from "../../../tools/local-env/layout";
import { CONF } from "../../../tools/local-env/supervisor";
import type { E2EProject } from "./project";

const ROOT = join(__dirname, "..", "..", "..");

/**
 * Runs a command without blocking the event loop (a request loop in the same process
 * keeps sending and reading its answers while a fault is made or undone); never throws on
 * a non-zero exit.
 */
function runAsync(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return promisify(execFile)(file, args, {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  }).then(
    (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: `${e.stdout}${e.stderr}`,
    }),
  );
}

/** Stops one program of the environment (its supervisord name, e.g. "kube-apiserver"). */
export async function stopComponent(name: string): Promise<void> {
  const { out } = await runAsync("supervisorctl", ["-c", CONF, "stop", name]);
  if (!/stopped|not running/.test(out)) throw new Error(`supervisorctl stop ${name}: ${out}`);
}

/** `tools/local-env.sh up --no-verify`: starts whatever is down and waits until ready. */
export async function restoreEnvironment(): Promise<void> {
  const { code, out } = await runAsync("bash", ["tools/local-env.sh", "up", "--no-verify"]);
  if (code !== 0) throw new Error(`local-env.sh up failed:\n${out.slice(-3000)}`);
}

/** What the proxy does with a request. */
export type ProxyMode = "forward" | "refuse-writes";

/**
 * The registry as one stack sees it: a proxy on REGISTRY.faultProxy in front of the real
 * registry. "refuse-writes" answers every upload with 503 (a registry that fails during
 * a push); `down()` stops listening (a registry that does not answer at all).
 */
export class RegistryProxy {
  public mode: ProxyMode = "forward";
  /** Uploads refused so far. */
  public refused = 0;
  public readonly address = REGISTRY.faultProxy;
  private server: Server | undefined;

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      if (this.mode === "refuse-writes" && req.method !== "GET" && req.method !== "HEAD") {
        this.refused++;
        req.resume();
        res.writeHead(503, { "Content-Type": "application/json" });
        res.end('{"errors":[{"code":"UNAVAILABLE","message":"the fault test refuses uploads"}]}');
        return;
      }
      forward(req, res);
    });
    const [host, port] = this.address.split(":");
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(port), host, () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function forward(req: IncomingMessage, res: import("node:http").ServerResponse): void {
  const [host, port] = REGISTRY.address.split(":");
  // The Host header stays the proxy's, so the registry's upload locations point back here.
  const upstream = request(
    { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    res.writeHead(502);
    res.end(String(err));
  });
  req.pipe(upstream);
}

/** A `pulumi` CLI run in its own process group, so a test can kill the CLI alone. */
export interface CliRun {
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL of the CLI process only (its plugins are left as a crash would leave them). */
  killCli(): void;
  /**
   * SIGKILL of everything the CLI left, as the end of a CI job would: its process group and
   * the process group of each plugin it had started. The CLI starts every plugin (language
   * host, providers) in a group of its own, so killing its group alone left them running:
   * the orphaned program of a killed update spun at 74% of a core for 38 minutes, slowing
   * every later suite and the next CI run on the machine.
   */
  killGroup(): void;
}

/** The processes below `pid`: its children, theirs, and so on (from ps). */
function descendants(pid: number): number[] {
  const rows = spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .stdout.trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  for (let parents = [pid]; parents.length > 0;) {
    const children = rows.filter(([, ppid]) => parents.includes(ppid)).map(([child]) => child);
    found.push(...children);
    parents = children;
  }
  return found;
}

const sigkill = (target: number) => {
  try {
    process.kill(target, "SIGKILL");
  } catch {
    // Gone already, or not a process group.
  }
};

export function startCli(p: E2EProject, args: readonly string[]): CliRun {
  const workspace = p.stack.workspace as LocalWorkspace;
  const child = spawn(
    "pulumi",
    [...args, "--stack", p.stack.name, "--non-interactive", "--color", "never"],
    {
      cwd: p.dir,
      env: { ...process.env, ...workspace.envVars },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const pid = child.pid!;
  // What the CLI had started, found before it dies (its orphans are then init's children).
  let left: number[] = [];
  return {
    pid,
    output: () => out,
    exited,
    killCli: () => {
      left = descendants(pid);
      process.kill(pid, "SIGKILL");
    },
    killGroup: () => {
      for (const p of [pid, ...left]) {
        sigkill(-p);
        sigkill(p);
      }
    },
  };
}
