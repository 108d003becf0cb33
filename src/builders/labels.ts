/**
 * Label sets, computed once per workload and shared by every object that
 * selects or describes it (Deployment, Service, PDB, NetworkPolicy, route).
 */

export const PART_OF = "coagents-travel";

export interface WorkloadIdentity {
  /** The workload's name, e.g. "travel-backend". */
  readonly name: string;
  /** The workload's role in the app. */
  readonly component: "backend" | "frontend";
  /** The stack (environment) it belongs to. */
  readonly environment: string;
}

/** The immutable labels a Deployment selects its pods by. */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    "app.kubernetes.io/name": id.name,
    "app.kubernetes.io/instance": id.environment,
  };
}

/** Labels for every object of a workload: the selector plus descriptive labels. */
export function workloadLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    "app.kubernetes.io/component": id.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** Labels for objects that belong to the app as a whole (namespace, secrets, routes). */
export function appLabels(environment: string): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/instance": environment,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** Namespace labels: app labels, Pod Security Standards "restricted", optional ambient mesh. */
export function namespaceLabels(
  environment: string,
  meshMode: "ambient" | "none",
): Record<string, string> {
  return {
    ...appLabels(environment),
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
    ...(meshMode === "ambient" ? { "istio.io/dataplane-mode": "ambient" } : {}),
  };
}
