/**
 * What Backend and Frontend share: a Deployment with a restricted, probed,
 * digest-pinned container, its ClusterIP Service, and a PodDisruptionBudget and
 * HorizontalPodAutoscaler where the config asks for them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadConfig } from "../config-schema";
import { plainEnv } from "../builders/env";
import { selectorLabels, workloadLabels, WorkloadIdentity } from "../builders/labels";
import { HTTP_PORT_NAME, httpProbes } from "../builders/probes";
import { containerSecurityContext, podSecurityContext } from "../builders/security";
import type { Secrets } from "./secrets";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Pod template annotation whose value changes whenever an app secret changes. */
export const SECRET_CHECKSUM_ANNOTATION = "checksum/app-secrets";

/** Pod template annotation that records why the root filesystem is writable (policy contract). */
export const WRITABLE_ROOT_REASON_ANNOTATION = "travel.example/writable-root-reason";

/**
 * What `pulumi up` waits for: every pod of the Deployment's new revision available and no
 * old pod left. The provider checks these only once `status.observedGeneration` caught up.
 * The built-in Deployment awaiter of the kubernetes provider (v4.25) was seen reporting
 * success for a new ReplicaSet whose pods never became ready (a stale `Progressing`
 * condition read right after the controller observed the new generation); this does not.
 * With an autoscaler the replica count is not known here, so the built-in awaiter stays.
 */
export function rolloutComplete(replicas: number): string {
  return JSON.stringify([
    `jsonpath={.status.updatedReplicas}=${replicas}`,
    `jsonpath={.status.availableReplicas}=${replicas}`,
    `jsonpath={.status.replicas}=${replicas}`,
  ]);
}

export interface WorkloadArgs {
  /** Namespace to deploy into. */
  readonly namespace: pulumi.Input<string>;
  /** The stack (environment) name, used in labels. */
  readonly environment: string;
  /** Replicas, port, resources, probes and env of this workload. */
  readonly config: WorkloadConfig;
  /** The digest-pinned image reference (`name@sha256:...`) from RegistryImage. */
  readonly image: pulumi.Input<string>;
  /** The git SHA the image was built from, for the version label. */
  readonly version: pulumi.Input<string>;
  /** The app and pull secrets; env vars reference them by name. */
  readonly secrets: Secrets;
  /**
   * Seconds `pulumi up` waits for a rollout, and the Deployment's progress deadline.
   * @default 600
   */
  readonly rolloutTimeoutSeconds?: number;
}

export interface Workload {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
}

/** Creates the workload's children under `parent`, named after `id.name`. */
export function createWorkload(
  parent: pulumi.ComponentResource,
  id: WorkloadIdentity,
  args: WorkloadArgs,
  extraEnv: EnvVar[] = [],
): Workload {
  const cfg = args.config;
  const timeout = args.rolloutTimeoutSeconds ?? 600;
  const labels = workloadLabels(id);
  const selector = selectorLabels(id);
  const opts = { parent };
  const writableReason = cfg.writableRootFilesystemReason;
  const readOnlyRoot = writableReason === undefined;

  const deployment = new k8s.apps.v1.Deployment(
    id.name,
    {
      metadata: {
        namespace: args.namespace,
        labels,
        annotations: {
          "pulumi.com/timeoutSeconds": String(timeout),
          ...(cfg.autoscaling ? {} : { "pulumi.com/waitFor": rolloutComplete(cfg.replicas) }),
        },
      },
      spec: {
        // With an autoscaler the HPA owns the replica count.
        replicas: cfg.autoscaling ? undefined : cfg.replicas,
        selector: { matchLabels: selector },
        progressDeadlineSeconds: timeout,
        revisionHistoryLimit: 10,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: {
            labels: { ...labels, "app.kubernetes.io/version": args.version },
            annotations: {
              [SECRET_CHECKSUM_ANNOTATION]: args.secrets.checksum,
              ...(writableReason === undefined
                ? {}
                : { [WRITABLE_ROOT_REASON_ANNOTATION]: writableReason }),
            },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            imagePullSecrets: [{ name: args.secrets.pullSecretName }],
            securityContext: podSecurityContext(),
            containers: [
              {
                name: id.component,
                image: args.image,
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: HTTP_PORT_NAME, containerPort: cfg.port, protocol: "TCP" }],
                env: [
                  ...plainEnv(cfg.env),
                  ...extraEnv,
                  ...cfg.secretEnv.map((key) => args.secrets.envVar(key)),
                ],
                resources: {
                  requests: { ...cfg.resources.requests },
                  limits: { ...cfg.resources.limits },
                },
                ...httpProbes(cfg.probes),
                securityContext: containerSecurityContext(readOnlyRoot),
                volumeMounts: readOnlyRoot ? [{ name: "tmp", mountPath: "/tmp" }] : [],
              },
            ],
            volumes: readOnlyRoot ? [{ name: "tmp", emptyDir: {} }] : [],
          },
        },
      },
    },
    opts,
  );

  const service = new k8s.core.v1.Service(
    id.name,
    {
      metadata: { name: cfg.serviceName, namespace: args.namespace, labels },
      spec: {
        type: "ClusterIP",
        selector,
        ports: [
          { name: HTTP_PORT_NAME, port: cfg.port, targetPort: HTTP_PORT_NAME, protocol: "TCP" },
        ],
      },
    },
    opts,
  );

  const minReplicas = cfg.autoscaling?.minReplicas ?? cfg.replicas;
  if (minReplicas >= 2) {
    new k8s.policy.v1.PodDisruptionBudget(
      id.name,
      {
        metadata: { namespace: args.namespace, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      },
      opts,
    );
  }

  if (cfg.autoscaling) {
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      id.name,
      {
        metadata: { namespace: args.namespace, labels },
        spec: {
          scaleTargetRef: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: deployment.metadata.name,
          },
          minReplicas: cfg.autoscaling.minReplicas,
          maxReplicas: cfg.autoscaling.maxReplicas,
          metrics: [
            {
              type: "Resource",
              resource: {
                name: "cpu",
                target: {
                  type: "Utilization",
                  averageUtilization: cfg.autoscaling.targetCpuUtilization,
                },
              },
            },
          ],
        },
      },
      opts,
    );
  }

  return { deployment, service };
}
