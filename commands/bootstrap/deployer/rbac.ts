/**
 * The deployer: the cluster identity the deploy jobs use. A ServiceAccount in the app's
 * namespace, a Role there with what `pulumi preview` and `pulumi up` of a stack need
 * (the objects src/components creates, and what the rollout await watches), and one
 * cluster-scoped right: reading that one namespace (the program reads it when
 * `createNamespace` is false). Nothing else cluster-scoped, no Role or RoleBinding
 * writes (so no way to grant itself more), nothing in another namespace.
 */
import { namespaceLabels } from "../../../src/builders/labels";
import { APP, type MeshMode } from "../../../src/names";

/** The ServiceAccount's name (and the Role's and RoleBinding's) in the app's namespace. */
export const DEPLOYER = `${APP}-deployer`;

/** The cluster-scoped objects' name: one per namespace, so two apps' deployers stay apart. */
export const clusterScopedName = (namespace: string) => `${DEPLOYER}:${namespace}`;

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/**
 * Create, update and delete, and what previews need: the kubernetes provider diffs by a
 * server-side-apply dry run, a PATCH (or a create for a new object) with `dryRun=All`,
 * which the API server authorizes like the real write (pulumi-kubernetes#2213); get,
 * list and watch for reads, refresh and its awaits.
 */
export const WRITE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];
/** What is only read: the objects controllers make, and the rollout await's watches. */
export const READ_VERBS = ["get", "list", "watch"];

/** The Role's rules, in the app's namespace. */
export const DEPLOYER_RULES: readonly PolicyRule[] = [
  // Secrets (app and pull), env ConfigMaps and the deletion guard, Services, pods' identities.
  {
    apiGroups: [""],
    resources: ["configmaps", "secrets", "services", "serviceaccounts"],
    verbs: WRITE_VERBS,
  },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: WRITE_VERBS },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: WRITE_VERBS },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE_VERBS },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE_VERBS },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: WRITE_VERBS },
  // The rollout await (src/components/rollout-await.ts) and the provider's Service await.
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ_VERBS },
  { apiGroups: [""], resources: ["pods", "events", "endpoints"], verbs: READ_VERBS },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ_VERBS },
];

/** The one cluster-scoped rule: read the app's own namespace, no other. */
export const namespaceReadRule = (namespace: string): PolicyRule => ({
  apiGroups: [""],
  resources: ["namespaces"],
  resourceNames: [namespace],
  verbs: ["get"],
});

export interface DeployerTarget {
  /** The app's namespace (`travel:namespace` of the stack). */
  readonly namespace: string;
  /** The stack, for the namespace's `app.kubernetes.io/instance` label. */
  readonly environment: string;
  /** The stack's `travel:meshMode`, for the namespace's mesh label. */
  readonly meshMode: MeshMode;
}

/**
 * What the cluster admin applies, in order: the namespace (labelled as the program
 * labels the ones it creates), the ServiceAccount, the Role and its binding, the
 * namespace-read ClusterRole and its binding.
 */
export function deployerManifests(t: DeployerTarget): object[] {
  const labels = namespaceLabels(t.environment, t.meshMode);
  const subject = { kind: "ServiceAccount", name: DEPLOYER, namespace: t.namespace };
  const inNamespace = { name: DEPLOYER, namespace: t.namespace };
  const rbac = "rbac.authorization.k8s.io";
  const clusterName = clusterScopedName(t.namespace);
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: t.namespace, labels } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: inNamespace },
    { apiVersion: `${rbac}/v1`, kind: "Role", metadata: inNamespace, rules: DEPLOYER_RULES },
    {
      apiVersion: `${rbac}/v1`,
      kind: "RoleBinding",
      metadata: inNamespace,
      roleRef: { apiGroup: rbac, kind: "Role", name: DEPLOYER },
      subjects: [subject],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRole",
      metadata: { name: clusterName },
      rules: [namespaceReadRule(t.namespace)],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: clusterName },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: clusterName },
      subjects: [subject],
    },
  ];
}
