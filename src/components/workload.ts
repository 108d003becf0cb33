/**
 * What Backend and Frontend share: a Deployment with a restricted, probed,
 * digest-pinned container, its ClusterIP Service, and a PodDisruptionBudget and
 * HorizontalPodAutoscaler where the config asks for them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadConfig } from "../config/schema";
import { mapChecksum } from "../builders/checksum";
import { selectorLabels, workloadLabels, WorkloadIdentity } from "../builders/labels";
import { HTTP_PORT_NAME, httpProbes } from "../builders/probes";
import { scratch } from "../builders/scratch";
import { containerSecurityContext, podSecurityContext } from "../builders/security";
import { topologySpread } from "../builders/topology-spread";
import { ANNOTATION, LABEL, PULUMI_ANNOTATION } from "../names";
import { rolloutOf, type Rollout, type RolloutAwaiter, type RolloutLimits } from "./rollout";
import type { Secrets } from "./secrets";

/** What Kubernetes gives a container between SIGTERM and SIGKILL by default. */
const SHUTDOWN_SECONDS = 30;

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
   * How `pulumi up` awaits the rollout: how long in all and without progress, and when a
   * pod's trouble fails it at once (the config keys rollout*).
   */
  readonly rollout: RolloutLimits & { readonly progressDeadlineSeconds: number };
  /**
   * Waits for the rollout during an update.
   * @default awaitRolloutLive: watches the cluster through the provider's kubeconfig
   */
  readonly awaitRollout?: RolloutAwaiter;
}

export interface WorkloadResources {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  /** The plain env, named after its content. */
  readonly env: k8s.core.v1.ConfigMap;
  /** The Deployment's rollout in this update. */
  readonly rollout: Rollout;
}

/** Creates the workload's children under `parent`, named after `id.name`. */
export function createWorkload(
  parent: pulumi.ComponentResource,
  id: WorkloadIdentity,
  args: WorkloadArgs,
  wiredEnv: Readonly<Record<string, pulumi.Input<string>>> = {},
): WorkloadResources {
  const cfg = args.config;
  const labels = workloadLabels(id);
  const selector = selectorLabels(id);
  const opts = { parent };
  const writableReason = cfg.writableRootFilesystemReason;
  const readOnlyRoot = writableReason === undefined;
  const writable = scratch(
    readOnlyRoot,
    cfg.resources.limits["ephemeral-storage"],
    cfg.writablePaths,
  );

  // Its own identity, with annotations for cloud workload identity; no API token unless asked.
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    id.name,
    {
      metadata: {
        namespace: args.namespace,
        labels,
        annotations: { ...cfg.serviceAccount.annotations },
      },
      automountServiceAccountToken: cfg.serviceAccount.automountToken,
    },
    opts,
  );

  // Plain env in a ConfigMap named after its content: a changed value is a new ConfigMap,
  // so the pods roll, and the old one stays (retained) for the old ReplicaSet to roll back to.
  const envData = pulumi
    .output({ ...writable.env, ...cfg.env, ...wiredEnv })
    .apply((d) => ({ ...d }));
  const env = new k8s.core.v1.ConfigMap(
    `${id.name}-env`,
    {
      metadata: {
        namespace: args.namespace,
        labels,
        name: envData.apply((d) => `${id.name}-env-${mapChecksum(d).slice(0, 10)}`),
      },
      immutable: true,
      data: envData,
    },
    { ...opts, retainOnDelete: true },
  );

  const deployment = new k8s.apps.v1.Deployment(
    id.name,
    {
      metadata: {
        namespace: args.namespace,
        labels,
        annotations: {
          // The program awaits its rollout (see rollout.ts for why not the provider's awaiter).
          [PULUMI_ANNOTATION.skipAwait]: "true",
          // The config is the truth for the fields set here: a hand edit of one of them
          // (`kubectl scale`, `kubectl set env`) is overwritten by the next `up` rather
          // than failing it with a server-side apply field conflict. Fields not set here
          // keep their owners (the HPA's replica count).
          [PULUMI_ANNOTATION.patchForce]: "true",
        },
      },
      spec: {
        // With an autoscaler the HPA owns the replica count.
        replicas: cfg.autoscaling ? undefined : cfg.replicas,
        selector: { matchLabels: selector },
        progressDeadlineSeconds: args.rollout.progressDeadlineSeconds,
        revisionHistoryLimit: 10,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: {
            labels: { ...labels, [LABEL.version]: args.version },
            annotations: {
              // Only the secrets this workload reads: rotating another rolls other pods.
              ...(cfg.secretEnv.length
                ? { [ANNOTATION.secretChecksum]: args.secrets.checksumOf(cfg.secretEnv) }
                : {}),
              ...(writableReason === undefined
                ? {}
                : { [ANNOTATION.writableRootReason]: writableReason }),
            },
          },
          spec: {
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: cfg.serviceAccount.automountToken,
            enableServiceLinks: false,
            ...(args.secrets.pullSecretName
              ? { imagePullSecrets: [{ name: args.secrets.pullSecretName }] }
              : {}),
            securityContext: podSecurityContext(),
            topologySpreadConstraints: topologySpread(
              cfg.topologySpread,
              cfg.autoscaling?.maxReplicas ?? cfg.replicas,
              selector,
            ),
            // The drain, then the time Kubernetes gives any container after SIGTERM.
            terminationGracePeriodSeconds: cfg.drainSeconds + SHUTDOWN_SECONDS,
            containers: [
              {
                name: id.component,
                image: args.image,
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: HTTP_PORT_NAME, containerPort: cfg.port, protocol: "TCP" }],
                envFrom: [{ configMapRef: { name: env.metadata.name } }],
                env: cfg.secretEnv.map((key) => args.secrets.envVar(key)),
                resources: {
                  requests: { ...cfg.resources.requests },
                  limits: { ...cfg.resources.limits },
                },
                ...httpProbes(cfg.probes),
                // Endpoint removal reaches the Gateway and kube-proxy a little after the
                // pod is told to stop (much later when their watch of the API server was
                // broken): the pod keeps serving meanwhile, and gets SIGTERM after.
                ...(cfg.drainSeconds > 0
                  ? { lifecycle: { preStop: { sleep: { seconds: cfg.drainSeconds } } } }
                  : {}),
                securityContext: containerSecurityContext(readOnlyRoot),
                volumeMounts: writable.volumeMounts,
              },
            ],
            volumes: writable.volumes,
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

  const rollout = rolloutOf(deployment, args.rollout, args.awaitRollout);

  return { deployment, service, serviceAccount, env, rollout };
}
