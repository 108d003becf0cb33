/**
 * Rollout: a resource whose create or update is "the Deployment's rollout of this
 * generation completed". It watches the Deployment with kubectl (the same KUBECONFIG the
 * kubernetes provider uses) and fails when the rollout stops making progress (the
 * Deployment's progressDeadlineSeconds) or runs past its timeout, naming every pod of
 * the new ReplicaSet that is not ready and why (CrashLoopBackOff, ImagePullBackOff, a
 * failing readiness probe...).
 *
 * Why not the kubernetes provider's own Deployment awaiter: on the real local node it
 * reported a crash-looping rollout complete in 0.3 s (it judged the Deployment as its
 * shared informer still had it, before the update: the old ReplicaSet, fully ready).
 * `pulumi.com/waitFor` on the replica counts is correct but cannot say why a rollout
 * failed. This does both; the Deployment itself is applied with skipAwait.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEPLOYMENT_REVISION, TYPE } from "../names";
import { judge, type Snapshot } from "./rollout-verdict";

export interface RolloutArgs {
  readonly namespace: pulumi.Input<string>;
  /** The Deployment's name. */
  readonly deployment: pulumi.Input<string>;
  /** The generation the Deployment has after this update (its metadata.generation). */
  readonly generation: pulumi.Input<number>;
  /** How long the rollout may take in all. */
  readonly timeoutSeconds: number;
}

interface RolloutState {
  namespace: string;
  deployment: string;
  generation: number;
  timeoutSeconds: number;
  revision?: string;
}

/** Polls until `judge` says complete or failed; runs in the dynamic provider's process. */
async function awaitRollout(i: RolloutState): Promise<RolloutState> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFile } = require("node:child_process") as typeof import("node:child_process");
  const kubectl = process.env.TRAVEL_KUBECTL ?? "kubectl";
  const get = (...args: string[]): Promise<{ items?: unknown[] } & Record<string, unknown>> =>
    new Promise((resolve, reject) =>
      execFile(
        kubectl,
        ["get", ...args, "-o", "json"],
        { maxBuffer: 64 << 20 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`kubectl get ${args.join(" ")}: ${stderr || err.message}`))
            : resolve(JSON.parse(stdout)),
      ),
    );
  const startedAt = Date.now();
  for (;;) {
    const deployment = (await get(
      "deployment",
      i.deployment,
      "-n",
      i.namespace,
    )) as unknown as Snapshot["deployment"] & {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    const selector = Object.entries(deployment.spec.selector.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const replicaSets = (await get("replicasets", "-n", i.namespace, "-l", selector))
      .items as Snapshot["replicaSets"];
    const clock = { startedAt, now: Date.now(), timeoutSeconds: i.timeoutSeconds };
    const verdict = judge({ deployment, replicaSets, pods: [], events: [] }, i.generation, clock);
    if (verdict.phase === "complete") {
      return {
        ...i,
        revision: deployment.metadata.annotations?.[DEPLOYMENT_REVISION] ?? "",
      };
    }
    if (verdict.phase === "failed") {
      const pods = (await get("pods", "-n", i.namespace, "-l", selector)).items as Snapshot["pods"];
      const events = (
        await get("events", "-n", i.namespace, "--field-selector", "involvedObject.kind=Pod")
      ).items as Snapshot["events"];
      const full = judge({ deployment, replicaSets, pods, events }, i.generation, clock);
      throw new Error(full.phase === "failed" ? full.message : verdict.message);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const KEYS = ["namespace", "deployment", "generation", "timeoutSeconds"] as const;

const provider: pulumi.dynamic.ResourceProvider = {
  async diff(_id, olds: RolloutState, news: RolloutState) {
    return { changes: KEYS.some((k) => olds[k] !== news[k]), deleteBeforeReplace: false };
  },
  async create(inputs: RolloutState) {
    return { id: `${inputs.namespace}/${inputs.deployment}`, outs: await awaitRollout(inputs) };
  },
  async update(_id, _olds: RolloutState, news: RolloutState) {
    return { outs: await awaitRollout(news) };
  },
  // Nothing to delete: the record of a completed rollout goes with the Deployment.
  async delete() {},
};

/** The completed rollout of one generation of a Deployment. */
export class Rollout extends pulumi.dynamic.Resource {
  /** The Deployment revision (its ReplicaSet) that completed. */
  declare public readonly revision: pulumi.Output<string>;
  declare public readonly generation: pulumi.Output<number>;

  constructor(name: string, args: RolloutArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, revision: undefined },
      opts,
      TYPE.rollout.module,
      TYPE.rollout.type,
    );
  }
}
