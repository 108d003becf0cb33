/**
 * Installed or built: for each tool, use a copy already on the machine when its version
 * matches the pin (per the table's rule), otherwise the one built from the pinned
 * module into the cache. TRAVEL_TOOLCHAIN chooses: auto (default), installed (fail
 * with everything that is missing) or build.
 */
import { spawnSync } from "node:child_process";
import { delimiter, join, resolve, sep } from "node:path";
import {
  build,
  cacheRoot,
  destOf,
  isComplete,
  isExecutable,
  outputOf,
  pinOf,
  probeVersion,
} from "./build";
import type { Accept, Tool } from "./spec";

export const MODES = ["auto", "installed", "build"] as const;
export type Mode = (typeof MODES)[number];

/** Reads TRAVEL_TOOLCHAIN; an unknown value is an error naming the key and the choices. */
export function modeFrom(env: NodeJS.ProcessEnv): Mode {
  const value = env.TRAVEL_TOOLCHAIN ?? "auto";
  if ((MODES as readonly string[]).includes(value)) return value as Mode;
  throw new Error(`TRAVEL_TOOLCHAIN = "${value}": expected one of ${MODES.join(", ")}`);
}

export interface Choice {
  readonly tool: Tool;
  readonly pin: string;
  readonly source: "installed" | "built";
  /** Folder holding the binaries (or files); undefined for an installed plugin. */
  readonly dir: string | undefined;
  /** For the one-line report: why this source. */
  readonly why: string;
  /** Built: whether the cache already held it. */
  readonly cached?: boolean;
}

export interface SelectContext {
  readonly mode: Mode;
  readonly env: NodeJS.ProcessEnv;
  readonly root: string;
  /** The Pulumi CLI chosen so far, to ask it about installed plugins. */
  readonly pulumi?: string;
}

function semver(v: string): number[] {
  return v.replace(/^v/, "").split(/[.+-]/).slice(0, 3).map(Number);
}

/** Whether an installed `found` satisfies the pin under `accept`. */
export function accepts(accept: Accept, found: string, pin: string): boolean {
  const [fa = 0, fb = 0, fc = 0] = semver(found);
  const [pa = 0, pb = 0, pc = 0] = semver(pin);
  switch (accept) {
    case "exact":
      return fa === pa && fb === pb && fc === pc;
    case "atLeast":
      return fa > pa || (fa === pa && (fb > pb || (fb === pb && fc >= pc)));
    case "minorSkew":
      return fa === pa && Math.abs(fb - pb) <= 1;
  }
}

const RULE: Record<Accept, string> = {
  exact: "=",
  atLeast: ">=",
  minorSkew: "within one minor of",
};

/** The first executable `name` on PATH outside the toolchain cache. */
export function onPath(name: string, ctx: Pick<SelectContext, "env" | "root">): string | undefined {
  const root = resolve(ctx.root) + sep;
  for (const d of (ctx.env.PATH ?? "").split(delimiter)) {
    if (d === "" || (resolve(d) + sep).startsWith(root)) continue;
    const candidate = join(d, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Plugins as the CLI reports them (`pulumi plugin ls --json`). */
function installedPlugins(
  pulumi: string,
  env: NodeJS.ProcessEnv,
): { name: string; kind: string; version: string }[] {
  const res = spawnSync(pulumi, ["plugin", "ls", "--json"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  if (res.status !== 0) return [];
  try {
    return JSON.parse(res.stdout) ?? [];
  } catch {
    return [];
  }
}

/** What the machine has of `tool`: a usable copy, or why there is none. */
function installedCopy(
  tool: Tool,
  pin: string,
  ctx: SelectContext,
): { dir?: string; why: string; ok: boolean } {
  const rule = tool.installed;
  if (!rule) return { ok: false, why: "always built from the pinned module" };
  if (rule.kind === "plugin") {
    if (!ctx.pulumi) return { ok: false, why: "no Pulumi CLI to list installed plugins" };
    const want = pin.replace(/^v/, "");
    const found = installedPlugins(ctx.pulumi, ctx.env).filter(
      (p) => p.kind === rule.pluginKind && p.name === rule.plugin,
    );
    if (found.some((p) => p.version.replace(/^v/, "") === want)) {
      return { ok: true, why: `pulumi plugin ls has ${rule.pluginKind} ${rule.plugin} ${want}` };
    }
    const versions = found.map((p) => p.version).join(", ");
    return {
      ok: false,
      why: `pulumi plugin ls has ${versions ? `only ${versions}` : `no ${rule.pluginKind} ${rule.plugin}`}`,
    };
  }
  const first = tool.binaries[0]!.name;
  const probe = tool.binaries[0]!.probe;
  const path = onPath(first, ctx);
  if (!path) return { ok: false, why: `no ${first} on PATH` };
  const found = probe && probeVersion(probe, path, ctx.env);
  if (!found) return { ok: false, why: `${path} does not report a version` };
  const dir = path.slice(0, -first.length - 1);
  // Binaries of our own folders (the private language host) are not part of an installation.
  const missing = tool.binaries
    .filter((b) => b.folder === undefined)
    .map((b) => b.name)
    .filter((b) => !isExecutable(join(dir, b)));
  if (missing.length)
    return { ok: false, why: `${path} is ${found} but ${missing.join(", ")} is not beside it` };
  const ok = accepts(rule.accept, found, pin);
  return { ok, dir, why: `${path} is ${found}, ${ok ? "" : "not "}${RULE[rule.accept]} the pin` };
}

/** Decides where `tool` comes from, without building anything. */
export function decide(tool: Tool, ctx: SelectContext): Choice {
  const pin = pinOf(tool);
  const dest = destOf(tool, ctx.root);
  const built = (why: string): Choice => ({
    tool,
    pin,
    source: "built",
    dir: outputOf(tool, dest),
    why,
    cached: isComplete(tool, dest),
  });
  if (ctx.mode === "build") return built("TRAVEL_TOOLCHAIN=build");
  const copy = installedCopy(tool, pin, ctx);
  if (copy.ok) return { tool, pin, source: "installed", dir: copy.dir, why: copy.why };
  return built(copy.why);
}

/** The report line of a choice. */
export function describe(c: Choice): string {
  const head = `${c.tool.name} ${c.pin} (${c.tool.purpose})`;
  if (c.source === "installed") return `${head}: installed: ${c.why}`;
  return `${head}: ${c.cached ? "built, cached in" : "building into"} ${c.dir}: ${c.why}`;
}

/**
 * Chooses every tool in order (the CLI first, so it can be asked about plugins), builds
 * what is chosen but not cached, and reports one line per tool. In `installed` mode
 * nothing is built: every missing tool is listed in one error.
 */
export function select(
  tools: readonly Tool[],
  opts: {
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
    root?: string;
    /** false: only decide (status, env, down must never start a long build). @default true */
    build?: boolean;
  } = {},
): Choice[] {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l: string) => process.stderr.write(`[toolchain] ${l}\n`));
  const ctx = {
    mode: modeFrom(env),
    env,
    root: opts.root ?? cacheRoot(env),
    pulumi: undefined as string | undefined,
  };
  const choices: Choice[] = [];
  const missing: string[] = [];
  for (const tool of tools) {
    let choice = decide(tool, ctx);
    if (choice.source === "built" && ctx.mode === "installed") {
      missing.push(`${tool.name} ${choice.pin}: ${choice.why}`);
      continue;
    }
    if (choice.source === "built" && !choice.cached && opts.build !== false) {
      log(describe(choice));
      const t0 = Date.now();
      build(tool, ctx.root);
      choice = {
        ...choice,
        cached: true,
        why: `${choice.why}; built in ${Math.round((Date.now() - t0) / 1000)}s`,
      };
    }
    log(describe(choice));
    if (tool.name === "pulumi") ctx.pulumi = join(choice.dir ?? "", "pulumi");
    choices.push(choice);
  }
  if (missing.length) {
    throw new Error(
      `TRAVEL_TOOLCHAIN=installed, but ${missing.length} tool(s) are not installed at a usable version:\n` +
        missing.map((m) => `  - ${m}`).join("\n"),
    );
  }
  return choices;
}

/** The absolute path of one binary of a chosen tool. */
export function binary(choices: readonly Choice[], name: string): string {
  for (const c of choices) {
    if (c.dir && c.tool.binaries.some((b) => b.name === name)) return join(c.dir, name);
  }
  throw new Error(`no chosen tool provides ${name}`);
}
