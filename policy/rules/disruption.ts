/**
 * Voluntary disruptions (node drains, cluster upgrades): a PodDisruptionBudget
 * covers every replicated Deployment (mandatory), and no budget blocks
 * evictions outright (advisory).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { K8sObject, LabelSelector, namespaceOf } from "./k8s";
import { ofKind, selects, PodWorkload, workloadsOf } from "./stack-index";

interface PdbSpec {
  selector?: LabelSelector;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

const pdbSpec = (pdb: PolicyResource) => ((pdb.props as K8sObject).spec ?? {}) as PdbSpec;

/** The budgets in the workload's namespace whose selector matches its pods. */
function budgetsFor(pdbs: PolicyResource[], w: PodWorkload): PolicyResource[] {
  return pdbs.filter(
    (p) =>
      namespaceOf(p.props as K8sObject) === w.namespace &&
      pdbSpec(p).selector !== undefined &&
      selects(pdbSpec(p).selector, w.podLabels),
  );
}

export const pdbForReplicatedDeployments: StackValidationPolicy = {
  name: "pdb-for-replicated-deployments",
  description: "Every Deployment running 2 or more pods is selected by a PodDisruptionBudget.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const pdbs = ofKind(args.resources, "PodDisruptionBudget");
    const replicated = workloadsOf(args.resources).filter(
      (w) => w.kind === "Deployment" && w.minReplicas >= 2,
    );
    for (const w of replicated) {
      if (budgetsFor(pdbs, w).length === 0) {
        reportViolation(
          `Deployment "${w.name}" runs ${w.minReplicas} pods but no PodDisruptionBudget selects ` +
            `them. Fix: add a PodDisruptionBudget (maxUnavailable: 1) whose selector matches its ` +
            `pod labels (the workload component creates one when replicas ≥ 2).`,
          w.resource.urn,
        );
      }
    }
  },
};

/** Whether a budget lets no pod of `replicas` be evicted. */
export function blocksEviction(spec: PdbSpec, replicas: number): boolean {
  const { maxUnavailable, minAvailable } = spec;
  if (maxUnavailable !== undefined) return maxUnavailable === 0 || maxUnavailable === "0%";
  if (typeof minAvailable === "number") return minAvailable >= replicas;
  return minAvailable === "100%";
}

export const pdbAllowsEviction: StackValidationPolicy = {
  name: "pdb-allows-eviction",
  description: "No PodDisruptionBudget blocks every eviction of the pods it selects.",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const pdbs = ofKind(args.resources, "PodDisruptionBudget");
    for (const w of workloadsOf(args.resources)) {
      for (const pdb of budgetsFor(pdbs, w)) {
        if (blocksEviction(pdbSpec(pdb), w.minReplicas)) {
          const name = (pdb.props as K8sObject).metadata?.name ?? pdb.name;
          reportViolation(
            `PodDisruptionBudget "${name}" allows no eviction of ${w.kind} "${w.name}" ` +
              `(${w.minReplicas} pod(s)): node drains will hang. Fix: use maxUnavailable: 1, ` +
              `or a minAvailable below the replica count.`,
            pdb.urn,
          );
        }
      }
    }
  },
};
