/**
 * Verification in `pulumi up`: once every rollout completed and the route was accepted, the
 * program itself makes the checks a person would make through the stack's hostname and the
 * real Gateway (verification-checks.ts): each configured path, and a frontend path that
 * calls the backend, so a NetworkPolicy that blocks the frontend or a wrong
 * REMOTE_ACTION_URL fails the update although every pod is ready. The stack's
 * verifiedImages resolve only once every check passed, and say when. A preview checks
 * nothing.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { isPem, type VerifyConfig } from "../config/verify-schema";
import type { RolloutOutcome } from "./rollout-await";
import type { CheckResult, CheckRunner, CheckTarget, HttpCheck } from "./verification-checks";

export type { CheckResult, CheckRunner } from "./verification-checks";

/** The name of the frontend-to-backend check in results and messages. */
export const BACKEND_CHECK = "frontend reaches backend";

/** What a passed verification records (the `verification` stack output). */
export interface Verification {
  /** When the last check passed (ISO 8601, UTC). */
  readonly verifiedAt: string;
  readonly checks: readonly CheckResult[];
}

/** Thrown with one line per failed check; printed by Pulumi without a stack trace. */
export class VerificationError extends pulumi.RunError {}

/** The checks of a `verify` config: each path, then the frontend-to-backend path. */
export function checksOf(cfg: VerifyConfig): HttpCheck[] {
  return [
    ...cfg.paths.map((p) => ({ name: `path ${p.path}`, ...p })),
    { name: BACKEND_CHECK, ...cfg.backend },
  ];
}

/** Where the checks go: the hostname, the optional connect-to address and CA, the budget. */
export function targetOf(hostname: string, cfg: VerifyConfig): CheckTarget {
  const to = cfg.connectTo?.split(":");
  const ca = cfg.caCert;
  return {
    hostname,
    ...(to ? { connectTo: { host: to[0]!, port: Number(to[1]) } } : {}),
    ...(ca === undefined ? {} : { ca: isPem(ca) ? ca : readFileSync(ca, "utf8") }),
    timeoutSeconds: cfg.timeoutSeconds,
    intervalSeconds: cfg.intervalSeconds,
    requestTimeoutSeconds: cfg.requestTimeoutSeconds,
  };
}

/** What a failed verification's summary says (the deploy command rolls back on it). */
export const VERIFICATION_FAILED = /verification failed: \d+ of \d+ checks did not pass within /;

/** One line per failed check: its name, URL, what was expected and what came back. */
export function verificationSummary(results: readonly CheckResult[], seconds: number): string {
  const failed = results.filter((r) => !r.passed);
  return [
    `verification failed: ${failed.length} of ${results.length} checks did not pass within ` +
      `${seconds}s (the new pods are serving; verifiedImages still names the last verified release):`,
    ...failed.map(
      (r) =>
        `- ${r.name}: GET ${r.url}: expected ${r.expected}, got ${r.got} ` +
        `(${r.attempts} attempt${r.attempts === 1 ? "" : "s"})`,
    ),
  ].join("\n");
}

/**
 * Runs the checks once `ready` (the rollouts and the route) has resolved; rejects with a
 * VerificationError naming every failed check. The program awaits it before it returns
 * its outputs, as it does the rollouts.
 */
export async function verifyRelease(
  ready: Promise<unknown>,
  target: CheckTarget,
  checks: readonly HttpCheck[],
  run: CheckRunner,
): Promise<Verification> {
  await ready;
  const results = await run(target, checks);
  if (results.some((r) => !r.passed))
    throw new VerificationError(verificationSummary(results, target.timeoutSeconds));
  return { verifiedAt: new Date().toISOString(), checks: results };
}

/**
 * How long the checks wait before their first attempt: the longest drainSeconds of a
 * workload whose previous pods were still draining when its rollout completed. Those pods
 * may get requests from the Gateway (and the Service proxies) until then, and a check they
 * answered would verify the previous release.
 */
export function drainWaitSeconds<W extends string>(
  outcomes: Readonly<Record<W, RolloutOutcome>>,
  drainSeconds: Readonly<Record<W, number>>,
): number {
  return Math.max(
    0,
    ...(Object.keys(outcomes) as W[]).map((w) => {
      const o = outcomes[w];
      return o.phase === "complete" && (o.draining ?? 0) > 0 ? drainSeconds[w] : 0;
    }),
  );
}

/**
 * Resolves once `done` (the rollouts and the route) has and the previous pods have drained
 * (drainWaitSeconds, said in the log when it waits at all): then only the new release
 * answers.
 */
export async function releaseServing<W extends string>(
  done: Promise<unknown>,
  outcomes: Readonly<Record<W, Promise<RolloutOutcome>>>,
  drainSeconds: Readonly<Record<W, number>>,
): Promise<void> {
  await done;
  const names = Object.keys(outcomes) as W[];
  const settled = await Promise.all(names.map((w) => outcomes[w]));
  const seconds = drainWaitSeconds(
    Object.fromEntries(names.map((w, i) => [w, settled[i]!])) as Record<W, RolloutOutcome>,
    drainSeconds,
  );
  if (seconds === 0) return;
  void pulumi.log.info(
    `verification starts in ${seconds}s: pods of the previous revision are draining`,
  );
  await new Promise((r) => setTimeout(r, seconds * 1000));
}

/** Resolves once `output` has a value (during an update only: a preview never resolves it). */
export const whenResolved = <T>(output: pulumi.Output<T>): Promise<T> =>
  new Promise((resolve) =>
    output.apply((v) => {
      resolve(v);
      return v;
    }),
  );
