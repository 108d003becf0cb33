import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaceLabels } from "../builders/labels";
import { type MeshMode, TYPE } from "../names";

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
}

/**
 * The app's namespace, with mesh and Pod Security Standards labels. Every app
 * object lives in it, so `opts.dependsOn` (the image pushes) gates them all:
 * a failed build or push changes nothing in the cluster.
 */
export class Namespace extends pulumi.ComponentResource {
  /** The namespace's name, known once the namespace exists. */
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: NamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.namespace, name, {}, opts);
    const childOpts = { parent: this, dependsOn: opts?.dependsOn };
    // The same name and parent either way: one URN, so switching to an admin-made
    // namespace reads the one in state (same ID) instead of deleting it.
    const namespace =
      (args.create ?? true)
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
    this.name = namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
