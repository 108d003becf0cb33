/**
 * Label sets, computed once per workload and shared by every object that
 * selects or describes it (Deployment, Service, PDB, NetworkPolicy, route).
 */
import { GITHUB_URL, LABEL, OCI_LABEL, PART_OF, type MeshMode, type WorkloadName } from "../names";

export interface WorkloadIdentity {
  /** The workload's name, e.g. "travel-backend". */
  readonly name: string;
  /** The workload's role in the app. */
  readonly component: WorkloadName;
  /** The stack (environment) it belongs to. */
  readonly environment: string;
}

/** The immutable labels a Deployment selects its pods by. */
export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    [LABEL.name]: id.name,
    [LABEL.instance]: id.environment,
  };
}

/** Labels for every object of a workload: the selector plus descriptive labels. */
export function workloadLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    [LABEL.component]: id.component,
    [LABEL.partOf]: PART_OF,
    [LABEL.managedBy]: "pulumi",
  };
}

/** Labels for objects that belong to the app as a whole (namespace, secrets, routes). */
export function appLabels(environment: string): Record<string, string> {
  return {
    [LABEL.partOf]: PART_OF,
    [LABEL.instance]: environment,
    [LABEL.managedBy]: "pulumi",
  };
}

/** Namespace labels: app labels, Pod Security Standards "restricted", optional ambient mesh. */
export function namespaceLabels(environment: string, meshMode: MeshMode): Record<string, string> {
  return {
    ...appLabels(environment),
    [LABEL.podSecurityEnforce]: "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
    ...(meshMode === "ambient" ? { [LABEL.dataplaneMode]: "ambient" } : {}),
  };
}

/**
 * The labels of a built image: the commit it was built from (an existing tag is checked
 * against it) and, given the GitHub repository `owner/name` whose workflows push it
 * (`registry.repository`), that repository's URL, by which GHCR links a new package to it.
 */
export function imageLabels(gitSha: string, repository?: string): Record<string, string> {
  return {
    [OCI_LABEL.revision]: gitSha,
    ...(repository === undefined ? {} : { [OCI_LABEL.source]: `${GITHUB_URL}/${repository}` }),
  };
}
