import * as pulumi from "@pulumi/pulumi";
import type { FrontendConfig } from "../config/schema";
import { WorkloadIdentity } from "../builders/labels";
import { createWorkload, WorkloadArgs } from "./workload";
import { TYPE } from "../names";

export interface FrontendArgs extends WorkloadArgs {
  readonly config: FrontendConfig;
  /** The backend endpoint, from `Backend.actionUrl`; set as REMOTE_ACTION_URL. */
  readonly remoteActionUrl: pulumi.Input<string>;
}

/** The web frontend (Next.js): Deployment and Service, wired to the backend. */
export class Frontend extends pulumi.ComponentResource {
  /** The frontend Service's name (the HTTPRoute's backendRef). */
  public readonly serviceName: pulumi.Output<string>;
  /** The Service port. */
  public readonly port: number;
  /** The Deployment's name. */
  public readonly deploymentName: pulumi.Output<string>;
  /**
   * The git SHA whose rollout `pulumi up` saw complete: known only once the
   * Deployment's new ReplicaSet is available (its status resolves after the await).
   */
  public readonly rolledOutSha: pulumi.Output<string>;

  constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.frontend, name, {}, opts);
    const id: WorkloadIdentity = { name, component: "frontend", environment: args.environment };
    const { deployment, service, rollout } = createWorkload(this, id, args, {
      REMOTE_ACTION_URL: args.remoteActionUrl,
    });
    this.serviceName = service.metadata.name;
    this.deploymentName = deployment.metadata.name;
    this.rolledOutSha = pulumi
      .all([rollout.revision, args.version])
      .apply(([, version]) => version);
    this.port = args.config.port;
    this.registerOutputs({ serviceName: this.serviceName, deploymentName: this.deploymentName });
  }
}
