import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "../names";

export interface DeletionGuardArgs {
  /** The namespace the guard lives in (the app's). */
  readonly namespace: pulumi.Input<string>;
  /** Labels of the app's objects. */
  readonly labels: Record<string, string>;
  /** Everything `pulumi destroy` must not reach while the guard is protected. */
  readonly guards: pulumi.Resource[];
  /**
   * Protect the guard, so refuse `pulumi destroy` before anything is deleted.
   * @default false
   */
  readonly protect?: boolean;
}

/** What the guard's ConfigMap says; constant, so turning protection on or off replaces nothing. */
export const GUARD_NOTE =
  "pulumi destroy deletes this first; while travel:protect is true it is protected, so destroy stops here with nothing deleted";

/**
 * A ConfigMap that depends on every other object of the stack. `pulumi destroy`
 * deletes dependents first, so it meets the guard before anything else; protected, the
 * guard stops it there. (A protected namespace alone is met last, after the engine has
 * deleted everything in it.) Its content never changes, so it never blocks an update,
 * and `travel:protect: false` plus `pulumi up` lifts the protection.
 */
export class DeletionGuard extends pulumi.ComponentResource {
  constructor(name: string, args: DeletionGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.deletionGuard, name, {}, opts);
    new k8s.core.v1.ConfigMap(
      `${name}-deletion-guard`,
      {
        metadata: {
          name: `${name}-deletion-guard`,
          namespace: args.namespace,
          labels: args.labels,
        },
        data: { note: GUARD_NOTE },
      },
      { parent: this, protect: args.protect ?? false, dependsOn: args.guards },
    );
    this.registerOutputs({});
  }
}
