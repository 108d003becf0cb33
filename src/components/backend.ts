import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackendConfig } from "../config/schema";
import { selectorLabels, workloadLabels } from "../builders/labels";
import { backendIngress } from "../builders/network-policy";
import { type MeshMode, TYPE } from "../names";
import type { WorkloadArgs } from "./workload";
import { WorkloadComponent } from "./workload-component";

export interface BackendArgs extends WorkloadArgs {
  /** The `backend` config key: the workload's keys, `sharedState` and `actionPath`. */
  readonly config: BackendConfig;
  /**
   * Pod labels of the only clients allowed to reach the backend (the frontend's
   * selector labels). A NetworkPolicy denies every other ingress.
   */
  readonly allowedClientLabels: Record<string, string>;
  /** The namespace's mesh (`meshMode`): ambient admits the HBONE port and the node agent's probes. */
  readonly meshMode: MeshMode;
}

/** The API backend (FastAPI + LangGraph): Deployment, Service and an ingress NetworkPolicy. */
export class Backend extends WorkloadComponent {
  /** The CopilotKit endpoint the frontend calls (`url` + `backend.actionPath`). */
  public readonly actionUrl: pulumi.Output<string>;

  constructor(name: string, args: BackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.backend, "backend", name, args, {}, opts);
    const id = { name, component: "backend" as const, environment: args.environment };
    new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: { namespace: args.namespace, labels: workloadLabels(id) },
        spec: {
          podSelector: { matchLabels: selectorLabels(id) },
          policyTypes: ["Ingress"],
          ingress: backendIngress(args.allowedClientLabels, args.config.port, args.meshMode),
        },
      },
      { parent: this },
    );
    this.actionUrl = pulumi.interpolate`${this.url}${args.config.actionPath}`;
    this.registerWorkloadOutputs({ actionUrl: this.actionUrl });
  }
}
