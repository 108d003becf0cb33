import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, namespaceLabels } from "../builders/labels";
import { defaultDenySpec } from "../builders/network-policy";
import { LABEL, type MeshMode, TYPE } from "../names";

export interface NamespaceArgs {
  /** The namespace's name (an RFC 1123 label). */
  readonly name: string;
  /** The stack (environment) the namespace belongs to. */
  readonly environment: string;
  /** "ambient" labels the namespace into the Istio ambient mesh. */
  readonly meshMode: MeshMode;
  /**
   * Protect the namespace against deletion (deleting it deletes everything in it).
   * @default false
   */
  readonly protect?: boolean;
  /**
   * Create (and own) the namespace. When false, the namespace is made by the cluster
   * admin (`npm run bootstrap -- deployer`) and only read: the stack writes nothing
   * cluster-scoped, and a namespace it created before is released from its state, not
   * deleted (a read of the same resource and ID is Pulumi's "relinquish").
   * @default true
   */
  readonly create?: boolean;
  /**
   * Whether an admin-made namespace can be read. False only in a preview without a
   * kubeconfig (the provider fails every read there): the name is used as it is, with a
   * warning.
   * @default true
   */
  readonly read?: boolean;
}

/** The warning for an admin-made namespace whose labels are not the stack's. */
export const driftWarning = (name: string, drift: readonly string[]) =>
  `namespace ${name} lacks what the stack expects of it: ${drift.join(", ")} (the stack does ` +
  `not write it: run npm run bootstrap -- deployer --stack <stack> --apply)`;

/** The warning of a preview that cannot read an admin-made namespace. */
export const unreadNamespaceWarning = (name: string) =>
  `createNamespace is false and this preview has no kubeconfig: namespace ${name} is not ` +
  `read (a stack that created it shows it as deleted here; \`pulumi up\`, with the ` +
  `cluster, reads it and keeps it)`;

/**
 * The labels of `expected` that `actual` lacks or holds with another value, as
 * `key=value` (the mesh label also when it is there but the mesh is off).
 */
export function labelDrift(
  expected: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string>>,
  meshMode: MeshMode,
): string[] {
  const drift = Object.entries(expected)
    .filter(([k, v]) => actual[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
  if (meshMode === "none" && actual[LABEL.dataplaneMode] !== undefined) {
    drift.push(`no ${LABEL.dataplaneMode}`);
  }
  return drift;
}

/**
 * The app's namespace, with mesh and Pod Security Standards labels, and a NetworkPolicy
 * denying every pod in it all ingress and egress that a workload's own policy does not
 * admit. Every app object lives in it, so `opts.dependsOn` (the image pushes) gates them
 * all: a failed build or push changes nothing in the cluster.
 */
export class Namespace extends pulumi.ComponentResource {
  /** The namespace's name, known once the namespace exists. */
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: NamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.namespace, name, {}, opts);
    const create = args.create ?? true;
    this.name = this.namespace(name, args, create, opts);
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      {
        metadata: { namespace: this.name, labels: appLabels(args.environment) },
        spec: defaultDenySpec,
      },
      { parent: this },
    );
    this.registerOutputs({ name: this.name });
  }

  /** Creates, reads or (in a preview without a cluster) only names the namespace. */
  private namespace(
    name: string,
    args: NamespaceArgs,
    create: boolean,
    opts?: pulumi.ComponentResourceOptions,
  ): pulumi.Output<string> {
    if (!create && !(args.read ?? true)) {
      void pulumi.log.warn(unreadNamespaceWarning(args.name), this);
      return pulumi.output(args.name);
    }
    const childOpts = { parent: this, dependsOn: opts?.dependsOn };
    // The same name and parent either way: one URN, so switching to an admin-made
    // namespace reads the one in state (same ID) instead of deleting it.
    const namespace = create
      ? new k8s.core.v1.Namespace(
          name,
          {
            metadata: {
              name: args.name,
              labels: namespaceLabels(args.environment, args.meshMode),
            },
          },
          { ...childOpts, protect: args.protect ?? false },
        )
      : k8s.core.v1.Namespace.get(name, args.name, childOpts);
    if (!create) {
      // The stack no longer labels it: say what the admin's namespace lacks (a mesh mode
      // changed since the admin step, say), with the step that fixes it.
      const expected = namespaceLabels(args.environment, args.meshMode);
      namespace.metadata.labels.apply((labels) => {
        const drift = labelDrift(expected, labels ?? {}, args.meshMode);
        if (drift.length > 0) void pulumi.log.warn(driftWarning(args.name, drift), this);
      });
    }
    return namespace.metadata.name;
  }
}
