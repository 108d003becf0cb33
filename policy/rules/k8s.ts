/**
 * The slices of Kubernetes objects the policies read, and helpers to reach
 * them from a resource's type token and properties. Only the fields a policy
 * needs are typed; everything is optional because inputs may omit anything.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: unknown;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface Container {
  name?: string;
  image?: string;
  env?: EnvVar[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  volumes?: { name?: string; emptyDir?: { medium?: string; sizeLimit?: unknown } }[];
  topologySpreadConstraints?: {
    topologyKey?: string;
    whenUnsatisfiable?: string;
    labelSelector?: LabelSelector;
  }[];
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/** A Kubernetes object as the policies see it: metadata plus a loosely typed spec. */
export interface K8sObject {
  metadata?: ObjectMeta;
  // The spec differs per kind; each policy narrows the part it reads.
  spec?: Record<string, unknown>;
  data?: Record<string, unknown>;
  binaryData?: Record<string, unknown>;
}

/** The Kind of a `kubernetes:<group/version>:<Kind>` type token, else undefined. */
export function kindOf(type: string): string | undefined {
  const parts = type.split(":");
  return parts.length === 3 && parts[0] === "kubernetes" ? parts[2] : undefined;
}

const TEMPLATE_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

/** The pod template of any pod-bearing object (the object itself for a Pod). */
export function podTemplateOf(type: string, props: K8sObject): PodTemplate | undefined {
  const kind = kindOf(type);
  if (kind === "Pod") return { metadata: props.metadata, spec: props.spec as PodSpec };
  const spec = props.spec as
    { template?: PodTemplate; jobTemplate?: { spec?: { template?: PodTemplate } } } | undefined;
  if (kind === "CronJob") return spec?.jobTemplate?.spec?.template;
  return kind !== undefined && TEMPLATE_KINDS.includes(kind) ? spec?.template : undefined;
}

/** A container with how a message should name it. */
export interface NamedContainer {
  container: Container;
  /** e.g. `container "backend"` or `init container "migrate"`. */
  label: string;
}

/** Containers and init containers of a pod spec, each with its label. */
export function containersOf(spec: PodSpec | undefined, withInit = true): NamedContainer[] {
  const named = (list: Container[] | undefined, what: string) =>
    (list ?? []).map((container, i) => ({
      container,
      label: `${what} "${known(() => container.name) ?? `#${i}`}"`,
    }));
  return [
    ...named(spec?.containers, "container"),
    ...(withInit ? named(spec?.initContainers, "init container") : []),
  ];
}

/** Evaluates `read`, or returns undefined when it touches a value unknown during preview. */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/** How a message names a resource: its Kind and its Kubernetes name (else its Pulumi name). */
export function describeObject(type: string, name: string, props: K8sObject): string {
  const k8sName = known(() => props.metadata?.name);
  return `${kindOf(type) ?? type} "${typeof k8sName === "string" ? k8sName : name}"`;
}

/** The namespace an object lives in ("" when it is left to the provider's default). */
export function namespaceOf(props: K8sObject): string {
  return props.metadata?.namespace ?? "";
}

/** A container of a pod-bearing object, with how its messages begin. */
export interface PodContainer {
  container: Container;
  /** e.g. `Deployment "travel-backend", container "backend"`. */
  where: string;
}

/** The pod-bearing object a resource policy validates. */
export interface PodObject {
  /** How a message names the object, e.g. `Deployment "travel-backend"`. */
  what: string;
  template: PodTemplate;
  /** Its containers, and init containers unless `withInit` is false. */
  containers(withInit?: boolean): PodContainer[];
}

/**
 * The pod-bearing object a resource policy is given, named for its messages;
 * undefined when the resource bears no pods, so a pod rule has nothing to check.
 */
export function podObjectOf(
  args: Pick<ResourceValidationArgs, "type" | "name" | "props">,
): PodObject | undefined {
  const props = args.props as K8sObject;
  const template = podTemplateOf(args.type, props);
  if (template === undefined) return undefined;
  const what = describeObject(args.type, args.name, props);
  return {
    what,
    template,
    containers: (withInit = true) =>
      containersOf(template.spec, withInit).map(({ container, label }) => ({
        container,
        where: `${what}, ${label}`,
      })),
  };
}
