/**
 * The strings the program, the policy pack, the scripts and the tests must agree on:
 * component type tokens, label keys, pod annotations, the preview's unknown-value marker.
 * Everything imports them from here; defaults of the config live in the schema only.
 */

/** Component resource type tokens (`<package>:<module>:<type>`). */
export const TYPE = {
  namespace: "travel:k8s:Namespace",
  secrets: "travel:k8s:Secrets",
  backend: "travel:k8s:Backend",
  frontend: "travel:k8s:Frontend",
  httpRoute: "travel:k8s:HttpRoute",
  registryImage: "travel:image:RegistryImage",
  deletionGuard: "travel:k8s:DeletionGuard",
} as const;

/** Label keys on every object the program creates. */
export const LABEL = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  /** On the pod template: the git SHA the image was built from. */
  version: "app.kubernetes.io/version",
  /** Istio ambient mesh membership of the namespace. */
  dataplaneMode: "istio.io/dataplane-mode",
  /** Pod Security Standards admission of the namespace. */
  podSecurityEnforce: "pod-security.kubernetes.io/enforce",
} as const;

/** The value of `app.kubernetes.io/part-of`. */
export const PART_OF = "coagents-travel";

/** Pod template annotations. */
export const ANNOTATION = {
  /** SHA-256 of the app secret values: a changed secret rolls the pods. */
  secretChecksum: "checksum/app-secrets",
  /** Why the root filesystem is writable (the policy pack requires a reason). */
  writableRootReason: "travel.example/writable-root-reason",
} as const;

/** Annotations the Pulumi kubernetes provider reads. */
export const PULUMI_ANNOTATION = {
  skipAwait: "pulumi.com/skipAwait",
  waitFor: "pulumi.com/waitFor",
  patchForce: "pulumi.com/patchForce",
} as const;

/** What the engine puts in a preview in place of a value not known until the update. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
