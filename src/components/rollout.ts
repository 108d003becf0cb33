/**
 * Every `pulumi up` checks the rollouts it deploys: the program itself waits for each
 * Deployment's rollout once the provider has applied it (rollout-await.ts), and a stack's
 * verifiedImages resolve only after every rollout completed. A preview never waits (the
 * outcome is unknown there) and never loads the Kubernetes client.
 *
 * Why not the kubernetes provider's own Deployment awaiter: on the real local node it
 * reported a crash-looping rollout complete in 0.3 s (it judged the Deployment as its
 * shared informer still had it, before the update: the old ReplicaSet, fully ready), it
 * fails only at its timeout, and it cannot say why. The Deployments are applied with
 * `pulumi.com/skipAwait`.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  awaitRollout,
  type RolloutLimits,
  type RolloutOutcome,
  type RolloutTarget,
} from "./rollout-await";
import { rolloutSummary } from "./rollout-report";

export type { RolloutLimits, RolloutOutcome, RolloutTarget } from "./rollout-await";

/**
 * Waits for one rollout, until it completes or fails or `stop` is aborted; the live one
 * watches the cluster, tests pass a stand-in.
 */
export type RolloutAwaiter = (
  target: RolloutTarget,
  limits: RolloutLimits,
  stop?: AbortSignal,
) => Promise<RolloutOutcome>;

/** The live awaiter, loading the Kubernetes client only when an update waits. */
export const awaitRolloutLive: RolloutAwaiter = awaitRollout;

/** How long the other rollouts of an update may take to fail too, once one has failed. */
const GRACE_MS = 2000;

/**
 * The rollouts of one update: once one fails, the others still going are told to stop
 * shortly after (those that fail meanwhile are reported too), so a failure ends the
 * update at once instead of when the slowest rollout ends.
 */
export function rolloutGroup(awaiter: RolloutAwaiter): RolloutAwaiter {
  const stop = new AbortController();
  return async (target, limits) => {
    const outcome = await awaiter(target, limits, stop.signal);
    if (outcome.phase === "failed") setTimeout(() => stop.abort(), GRACE_MS);
    return outcome;
  };
}

/** A Deployment's rollout in this update. */
export interface Rollout {
  /** Its outcome, as an output (unknown in a preview). */
  readonly outcome: pulumi.Output<RolloutOutcome>;
  /** The same, as a promise that settles during an update only (never in a preview). */
  readonly done: Promise<RolloutOutcome>;
}

/** Awaits the Deployment's rollout once the provider has applied it, during an update. */
export function rolloutOf(
  deployment: k8s.apps.v1.Deployment,
  limits: RolloutLimits,
  awaiter: RolloutAwaiter = awaitRolloutLive,
): Rollout {
  let settle: (o: RolloutOutcome) => void = () => undefined;
  const done = new Promise<RolloutOutcome>((resolve) => (settle = resolve));
  const outcome = pulumi
    .all([
      deployment.metadata.namespace,
      deployment.metadata.name,
      deployment.metadata.generation,
      deployment.spec.selector.matchLabels,
    ])
    .apply(async ([namespace, name, generation, selector]) => {
      if (pulumi.runtime.isDryRun()) return pulumi.unknown as unknown as RolloutOutcome;
      const o = await awaiter({ namespace, name, generation, selector }, limits);
      settle(o);
      return o;
    });
  return { outcome, done };
}

/** Thrown once, with every failed rollout in it; printed by Pulumi without a stack trace. */
export class RolloutError extends pulumi.RunError {}

/**
 * Each workload's completed revision, once all rollouts completed; if any failed, rejects
 * with one summary of all that did. The program awaits it before it returns its outputs:
 * a failure then ends the update at once, like a config error (thrown from an output
 * instead, it kept the update waiting some 25 s more on this machine).
 */
export async function requireRollouts<K extends string>(
  outcomes: Readonly<Record<K, Promise<RolloutOutcome>>>,
): Promise<Record<K, string>> {
  const names = Object.keys(outcomes) as K[];
  return Promise.all(names.map((n) => outcomes[n])).then((all) => {
    const failed = all.flatMap((o, i) =>
      o.phase === "failed" ? [{ workload: names[i]!, report: o.report }] : [],
    );
    const stopped = all.flatMap((o, i) =>
      o.phase === "stopped" ? [{ workload: names[i]!, summary: o.summary }] : [],
    );
    if (failed.length) throw new RolloutError(rolloutSummary(failed, stopped, names.length));
    return Object.fromEntries(
      all.map((o, i) => [names[i], o.phase === "complete" ? o.revision : ""]),
    ) as Record<K, string>;
  });
}
