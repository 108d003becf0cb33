/**
 * The builder: any tool of the table, from its pinned wrapper module, into
 * <cache>/<name>-<version>, published atomically (a concurrent build's complete
 * result is accepted). Go's output goes to <cache>/logs/<name>-<version>.log.
 */
import { spawnSync } from "node:child_process";
import {
  accessSync,
  appendFileSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { readPin } from "./gomod";
import { moduleDir } from "./hooks";
import type { Binary, HookContext, Probe, Tool } from "./spec";

/** The repository's toolchain/ folder (wrapper modules). */
export const TOOLCHAIN = __dirname;

/** The cache root: TRAVEL_TOOLCHAIN_DIR, else ~/.cache/travel-toolchain. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRAVEL_TOOLCHAIN_DIR ?? join(homedir(), ".cache", "travel-toolchain");
}

/** The tool's pinned version, from its wrapper module's go.mod. */
export function pinOf(tool: Tool, binary?: Binary): string {
  const dir = binary?.dir ?? tool.dir;
  return readPin(join(TOOLCHAIN, dir, "go.mod"), binary?.version ?? tool.version);
}

/** Where a built tool lives: <cache>/<name>-<pin>. */
export function destOf(tool: Tool, root = cacheRoot()): string {
  return join(root, `${tool.name}-${pinOf(tool)}`);
}

/** The folder callers use: bin/ of a built tool, or the files folder. */
export function outputOf(tool: Tool, dest: string): string {
  return join(dest, tool.files ? tool.files.to : "bin");
}

const PROBE_ENV = {
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
};

/** The version a binary reports through `probe`, or undefined when it does not answer. */
export function probeVersion(probe: Probe, bin: string, env = process.env): string | undefined {
  const [cmd, ...args] = probe.argv.map((a) => (a === "{bin}" ? bin : a));
  const res = spawnSync(cmd!, args, {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...env, ...PROBE_ENV },
  });
  if (res.error || res.status !== 0) return undefined;
  const m = probe.pattern.exec(`${res.stdout}\n${res.stderr}`);
  return m?.[1] === undefined ? undefined : m[1].startsWith("v") ? m[1] : `v${m[1]}`;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a built binary lives in a tool's destination: bin/, or its own folder. */
export function binaryPath(dest: string, binary: Binary): string {
  return join(dest, binary.folder ?? "bin", binary.name);
}

/** A build output is complete when every binary is there and reports its pin. */
export function isComplete(tool: Tool, dest: string): boolean {
  if (tool.files) return existsSync(join(dest, tool.files.to, ".complete"));
  return tool.binaries.every((b) => {
    const bin = binaryPath(dest, b);
    if (!isExecutable(bin)) return false;
    return b.probe === undefined || probeVersion(b.probe, bin) === pinOf(tool, b);
  });
}

/** Thrown when a build step fails: names the tool, the step and the log. */
export class BuildError extends Error {
  constructor(tool: string, step: string, log: string) {
    const tail = existsSync(log)
      ? readFileSync(log, "utf8").split("\n").slice(-25).join("\n  | ")
      : "";
    super(`building ${tool} failed at ${step}; log: ${log}${tail ? `\n  | ${tail}` : ""}`);
  }
}

/** Builds `tool` unless its cached output is complete; returns its output folder. */
export function build(tool: Tool, root = cacheRoot()): string {
  const version = pinOf(tool);
  const dest = destOf(tool, root);
  if (isComplete(tool, dest)) return outputOf(tool, dest);

  mkdirSync(join(root, "logs"), { recursive: true });
  const log = join(root, "logs", `${tool.name}-${version}.log`);
  writeFileSync(log, `==== ${new Date().toISOString()} building ${tool.name} ${version}\n`);
  const tmp = mkdtempSync(join(root, `.${tool.name}-${version}.`));
  const out = join(tmp, "out");
  const goEnv = { GOTOOLCHAIN: "local", GOFLAGS: "-buildvcs=false", CGO_ENABLED: "0" };
  const run: HookContext["run"] = (argv, opts = {}) => {
    appendFileSync(log, `$ ${argv.join(" ")}\n`);
    const res = spawnSync(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? join(TOOLCHAIN, tool.dir),
      env: { ...process.env, ...goEnv, ...opts.env },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    appendFileSync(log, res.stderr ?? "");
    if (res.error || res.status !== 0) {
      throw new BuildError(tool.name, argv.slice(0, 2).join(" "), log);
    }
    return res.stdout;
  };
  try {
    if (tool.files) {
      const from = join(
        moduleDir({ run } as HookContext, join(TOOLCHAIN, tool.dir), tool.files.module),
        tool.files.from,
      );
      const to = join(out, tool.files.to);
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(from).filter((n) => n.endsWith(".yaml")))
        cpSync(join(from, f), join(to, f));
      chmodSync(to, 0o755);
      writeFileSync(join(to, ".complete"), `${version}\n`);
    } else {
      goBuild(tool, out, tmp, run);
    }
    if (!isComplete(tool, out)) throw new BuildError(tool.name, "checking the result", log);
    chmodSync(out, 0o755);
    // A leftover incomplete install (a binary removed by hand, an older layout) is replaced.
    if (existsSync(dest) && !isComplete(tool, dest)) rmSync(dest, { recursive: true, force: true });
    try {
      renameSync(out, dest);
    } catch (err) {
      // Another build finished first: accept its result if it is complete.
      if (!isComplete(tool, dest)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return outputOf(tool, dest);
}

/** One `go build` per wrapper module, with the version stamp of that module's pin. */
function goBuild(tool: Tool, out: string, scratch: string, run: HookContext["run"]) {
  mkdirSync(join(out, "bin"), { recursive: true });
  const groups = new Map<string, Binary[]>();
  for (const b of tool.binaries) {
    const key = b.dir ?? tool.dir;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  for (const [dir, binaries] of groups) {
    const v = pinOf(tool, binaries[0]);
    const moduleDir = join(TOOLCHAIN, dir);
    const where =
      dir === tool.dir && tool.prepare
        ? tool.prepare({ moduleDir, scratch, version: v, run })
        : { cwd: moduleDir };
    const pkgs = where.pkgs ?? binaries.map((b) => b.pkg);
    const single = binaries.length === 1;
    if (!single && binaries.some((b) => basename(b.pkg) !== b.name || b.folder !== undefined)) {
      throw new Error(
        `toolchain table: ${tool.name} builds several binaries of one module: each must be named ` +
          `after its package and go to bin/`,
      );
    }
    const first = binaries[0]!;
    mkdirSync(join(out, first.folder ?? "bin"), { recursive: true });
    const ldflags = ["-s", "-w", ...(tool.ldflags?.(v) ?? [])].join(" ");
    run(
      [
        "go",
        "build",
        "-trimpath",
        ...(tool.tags ? ["-tags", tool.tags.join(",")] : []),
        "-ldflags",
        ldflags,
        "-o",
        single ? binaryPath(out, first) : `${join(out, "bin")}/`,
        ...pkgs,
      ],
      { cwd: where.cwd, ...(where.env ? { env: { ...where.env } } : {}) },
    );
  }
}
