/**
 * Where pods land and what disk they may fill: replicated Deployments spread over nodes
 * (advisory: a single-node cluster cannot spread them), and every emptyDir has a size
 * limit (mandatory: an unlimited one fills the node's disk until the kubelet evicts
 * whatever it picks).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TOPOLOGY_KEY } from "../../src/builders/topology-spread";
import { podObjectOf, podTemplateOf, type K8sObject } from "./k8s";
import { selects, workloadsOf } from "./stack-index";

export const spreadReplicatedDeployments: StackValidationPolicy = {
  name: "spread-replicated-deployments",
  description:
    "Every Deployment running 2 or more pods spreads them over nodes (a topology spread constraint on kubernetes.io/hostname selecting its pods).",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    for (const w of workloadsOf(args.resources)) {
      if (w.kind !== "Deployment" || w.minReplicas < 2) continue;
      const spec = podTemplateOf(w.resource.type, w.resource.props as K8sObject)?.spec;
      const spread = (spec?.topologySpreadConstraints ?? []).some(
        (c) => c.topologyKey === TOPOLOGY_KEY.hostname && selects(c.labelSelector, w.podLabels),
      );
      if (!spread) {
        reportViolation(
          `Deployment "${w.name}" runs ${w.minReplicas} pods with no topology spread over ` +
            `${TOPOLOGY_KEY.hostname}: they may all share one node. Fix: set ` +
            `travel:<workload>.topologySpread to preferred or required.`,
          w.resource.urn,
        );
      }
    }
  },
};

export const emptyDirSizeLimit: ResourceValidationPolicy = {
  name: "emptydir-size-limit",
  description: "Every emptyDir volume of a pod has a sizeLimit.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const pod = podObjectOf(args);
    for (const v of pod?.template.spec?.volumes ?? []) {
      if (v.emptyDir === undefined || v.emptyDir === null) continue;
      const limit = v.emptyDir.sizeLimit;
      if (limit === undefined || limit === null || limit === "") {
        reportViolation(
          `${pod!.what}, volume "${v.name ?? "?"}": an emptyDir without sizeLimit can fill the ` +
            `node's disk. Fix: set emptyDir.sizeLimit (the app's workloads limit /tmp to ` +
            `resources.limits.ephemeral-storage).`,
        );
      }
    }
  },
};
