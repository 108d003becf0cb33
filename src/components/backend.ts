import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackendConfig } from "../config/schema";
import { selectorLabels, workloadLabels, WorkloadIdentity } from "../builders/labels";
import { backendIngress } from "../builders/network-policy";
import { createWorkload, WorkloadArgs } from "./workload";
import { type MeshMode, TYPE } from "../names";

export interface BackendArgs extends WorkloadArgs {
  readonly config: BackendConfig;
  /**
   * Pod labels of the only clients allowed to reach the backend (the frontend's
   * selector labels). A NetworkPolicy denies every other ingress.
   */
  readonly allowedClientLabels: Record<string, string>;
  /** The namespace's mesh: ambient admits the HBONE port and the node agent's probes. */
  readonly meshMode: MeshMode;
}

/** The API backend (FastAPI + LangGraph): Deployment, Service and an ingress NetworkPolicy. */
export class Backend extends pulumi.ComponentResource {
  /** The backend Service's name. */
  public readonly serviceName: pulumi.Output<string>;
  /** In-cluster base URL, e.g. `http://travel-backend-service:8000`. */
  public readonly url: pulumi.Output<string>;
  /** The CopilotKit endpoint the frontend calls (`url` + `actionPath`). */
  public readonly actionUrl: pulumi.Output<string>;
  /** The Deployment's name. */
  public readonly deploymentName: pulumi.Output<string>;
  /**
   * The git SHA whose rollout `pulumi up` saw complete: known only once the
   * Deployment's new ReplicaSet is available (its status resolves after the await).
   */
  public readonly rolledOutSha: pulumi.Output<string>;

  constructor(name: string, args: BackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.backend, name, {}, opts);
    const id: WorkloadIdentity = { name, component: "backend", environment: args.environment };
    const { deployment, service, rollout } = createWorkload(this, id, args);

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

    this.serviceName = service.metadata.name;
    this.deploymentName = deployment.metadata.name;
    this.rolledOutSha = pulumi
      .all([rollout.revision, args.version])
      .apply(([, version]) => version);
    this.url = pulumi.interpolate`http://${this.serviceName}:${args.config.port}`;
    this.actionUrl = pulumi.interpolate`${this.url}${args.config.actionPath}`;
    this.registerOutputs({
      serviceName: this.serviceName,
      deploymentName: this.deploymentName,
      url: this.url,
      actionUrl: this.actionUrl,
    });
  }
}
