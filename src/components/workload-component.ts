/**
 * What Backend and Frontend share: one public surface (the Service, the Deployment, the
 * in-cluster URL and the outcome of the rollout), every part of it registered as an
 * output, over the resources createWorkload makes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels, workloadLabels, type WorkloadIdentity } from "../builders/labels";
import type { WorkloadName } from "../names";
import type { RolloutOutcome } from "./rollout";
import { createWorkload, type WorkloadArgs, type WorkloadResources } from "./workload";

export abstract class WorkloadComponent extends pulumi.ComponentResource {
  /** The Service's name (`<workload>.serviceName`). */
  public readonly serviceName: pulumi.Output<string>;
  /** The container and Service port (`<workload>.port`). */
  public readonly port: number;
  /** In-cluster base URL, e.g. `http://travel-backend-service:8000`. */
  public readonly url: pulumi.Output<string>;
  /** The Deployment's name. */
  public readonly deploymentName: pulumi.Output<string>;
  /**
   * The outcome of this update's rollout: complete with its revision, or failed with a
   * report (the stack fails the update with every failed report; unknown in a preview).
   */
  public readonly rollout: pulumi.Output<RolloutOutcome>;
  /** The same, settling during an update only: what the program awaits before it ends. */
  public readonly rolloutDone: Promise<RolloutOutcome>;
  /** The Deployment, Service, ServiceAccount, env ConfigMap and rollout await. */
  protected readonly resources: WorkloadResources;
  private readonly id: WorkloadIdentity;
  private readonly namespace: pulumi.Input<string>;

  protected constructor(
    type: string,
    component: WorkloadName,
    name: string,
    args: WorkloadArgs,
    wiredEnv: Readonly<Record<string, pulumi.Input<string>>>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, {}, opts);
    const id: WorkloadIdentity = { name, component, environment: args.environment };
    this.id = id;
    this.namespace = args.namespace;
    this.resources = createWorkload(this, id, args, wiredEnv);
    const { deployment, service, rollout } = this.resources;
    this.serviceName = service.metadata.name;
    this.port = args.config.port;
    this.url = pulumi.interpolate`http://${this.serviceName}:${this.port}`;
    this.deploymentName = deployment.metadata.name;
    this.rollout = rollout.outcome;
    this.rolloutDone = rollout.done;
  }

  /**
   * The workload's NetworkPolicy, named after it: `spec` given its pods' selector labels
   * (the namespace's default-deny refuses whatever it does not admit).
   */
  protected restrictTraffic(
    spec: (pods: Record<string, string>) => k8s.types.input.networking.v1.NetworkPolicySpec,
  ): void {
    new k8s.networking.v1.NetworkPolicy(
      this.id.name,
      {
        metadata: { namespace: this.namespace, labels: workloadLabels(this.id) },
        spec: spec(selectorLabels(this.id)),
      },
      { parent: this },
    );
  }

  /** Registers the shared outputs and the subclass's own. */
  protected registerWorkloadOutputs(own: pulumi.Inputs = {}): void {
    this.registerOutputs({
      serviceName: this.serviceName,
      port: this.port,
      url: this.url,
      deploymentName: this.deploymentName,
      rollout: this.rollout,
      ...own,
    });
  }
}
