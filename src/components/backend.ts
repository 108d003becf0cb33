import * as pulumi from "@pulumi/pulumi";
import type { BackendConfig } from "../config/schema";
import type { NetworkConfig } from "../config/network-schema";
import { backendPolicySpec } from "../builders/network-policy";
import { type MeshMode, TYPE } from "../names";
import type { WorkloadArgs } from "./workload";
import { WorkloadComponent } from "./workload-component";

export interface BackendArgs extends WorkloadArgs {
  /** The `backend` config key: the workload's keys, `sharedState` and `actionPath`. */
  readonly config: BackendConfig;
  /**
   * Pod labels of the only clients allowed to reach the backend (the frontend's
   * selector labels). The namespace's default-deny policy refuses every other ingress.
   */
  readonly allowedClientLabels: Record<string, string>;
  /** The namespace's mesh (`meshMode`): ambient admits the HBONE port and the node agent's probes. */
  readonly meshMode: MeshMode;
  /** The `network` config key: cluster DNS, external ports and the named exceptions. */
  readonly network: NetworkConfig;
}

/**
 * The API backend (FastAPI + LangGraph): Deployment, Service and a NetworkPolicy admitting
 * the frontend in, and cluster DNS, external APIs and the stack's named exceptions out.
 */
export class Backend extends WorkloadComponent {
  /** The CopilotKit endpoint the frontend calls (`url` + `backend.actionPath`). */
  public readonly actionUrl: pulumi.Output<string>;

  constructor(name: string, args: BackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.backend, "backend", name, args, {}, opts);
    this.restrictTraffic((pods) =>
      backendPolicySpec(pods, {
        clients: args.allowedClientLabels,
        appPort: args.config.port,
        meshMode: args.meshMode,
        network: args.network,
      }),
    );
    this.actionUrl = pulumi.interpolate`${this.url}${args.config.actionPath}`;
    this.registerWorkloadOutputs({ actionUrl: this.actionUrl });
  }
}
