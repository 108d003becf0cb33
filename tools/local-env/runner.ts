/**
 * The one generic loop over the component table: `up` prepares, starts and awaits
 * each component in order; `down` stops and tears them down in reverse; `status`
 * reports each. A failure names the component and its log.
 */
import type { Component, Context } from "./component";
import { logOf } from "./layout";
import * as supervisor from "./supervisor";
import type { Daemon } from "./supervisor";
import { sleep, StepError } from "./sys";

/** Every component's needs come earlier in the table; throws naming the first that does not. */
export function checkOrder(components: readonly Component[]): void {
  const seen = new Set<string>();
  for (const c of components) {
    const missing = c.needs.filter((n) => !seen.has(n));
    if (missing.length)
      throw new Error(`component ${c.name} needs ${missing.join(", ")}, which must come before it`);
    seen.add(c.name);
  }
}

/** How often a daemon not yet ready is asked whether it still runs. */
const STATE_EVERY_MS = 1000;

async function awaitReady(c: Component, ctx: Context): Promise<void> {
  const deadline = Date.now() + c.ready.timeoutSeconds * 1000;
  let asked = Date.now();
  for (;;) {
    if (await c.ready.check(ctx)) return;
    if (c.daemon && Date.now() - asked >= STATE_EVERY_MS) {
      asked = Date.now();
      const s = supervisor.state(c.name);
      if (s.state !== "RUNNING" && s.state !== "STARTING") {
        throw new StepError(
          c.name,
          `exited during startup (${s.state} ${s.detail}) before ${c.ready.what}`,
          ctx.log,
        );
      }
    }
    if (Date.now() > deadline) {
      throw new StepError(
        c.name,
        `not ready within ${c.ready.timeoutSeconds}s: expected ${c.ready.what}`,
        ctx.log,
      );
    }
    await sleep(250);
  }
}

export type ContextFor = (c: Component) => Context;

/** Any failure while bringing `c` up, named after it and pointing at its log. */
async function step<T>(c: Component, ctx: Context, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StepError && err.step === c.name) throw err;
    throw new StepError(c.name, (err as Error).message, (err as StepError).log ?? ctx.log);
  }
}

/** Starts (or confirms) every component in order. */
export async function up(components: readonly Component[], contextFor: ContextFor): Promise<void> {
  checkOrder(components);
  const programs = new Map<string, Daemon>();
  for (const c of components) if (c.daemon) programs.set(c.name, c.daemon(contextFor(c)));
  supervisor.ensure(programs);
  for (const c of components) {
    const ctx = contextFor(c);
    await step(c, ctx, () => bringUp(c, ctx));
  }
}

async function bringUp(c: Component, ctx: Context): Promise<void> {
  const t0 = Date.now();
  const changed = c.prepare?.(ctx) ?? false;
  let what = "in place";
  if (c.daemon) {
    const s = supervisor.state(c.name).state;
    if (s === "RUNNING" && !changed && (await c.ready.check(ctx))) {
      what = "already running";
    } else {
      if (s === "RUNNING" || s === "STARTING") supervisor.stop(c.name);
      supervisor.start(c.name);
      what = changed && s === "RUNNING" ? "restarted (config changed)" : "started";
    }
    await awaitReady(c, ctx);
    await c.setup?.(ctx);
  } else {
    await c.setup?.(ctx);
    await awaitReady(c, ctx);
  }
  ctx.say(`${c.name}: ${what} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

/** Stops and tears down every component, in reverse order; keeps going past failures. */
export function down(components: readonly Component[], contextFor: ContextFor): string[] {
  const problems: string[] = [];
  for (const c of [...components].reverse()) {
    const ctx = contextFor(c);
    try {
      if (c.daemon && supervisor.state(c.name).state === "RUNNING") c.beforeStop?.(ctx);
      if (c.daemon) supervisor.stop(c.name);
      c.teardown?.(ctx);
    } catch (err) {
      problems.push(`${c.name}: ${(err as Error).message} (log: ${logOf(c.name)})`);
    }
  }
  supervisor.shutdown();
  return problems;
}

export interface StatusLine {
  readonly name: string;
  readonly up: boolean;
  readonly detail: string;
}

export async function status(
  components: readonly Component[],
  contextFor: ContextFor,
): Promise<StatusLine[]> {
  const lines: StatusLine[] = [];
  for (const c of components) {
    const ctx = contextFor(c);
    let ok = false;
    try {
      ok = await c.ready.check(ctx);
    } catch {
      ok = false;
    }
    const proc = c.daemon ? supervisor.state(c.name) : undefined;
    const detail = proc ? `${proc.state} ${proc.detail}`.trim() : ok ? "in place" : "not in place";
    lines.push({
      name: c.name,
      up: ok && (!proc || proc.state === "RUNNING"),
      detail: `${c.summary}; ${detail}`,
    });
  }
  return lines;
}
