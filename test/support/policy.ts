/**
 * Runs policies of a pack the way the policy analyzer does, without the CLI:
 * properties wrapped in @pulumi/policy's unknown-checking proxy, `getConfig`
 * returning the policy's config, `notApplicable` recorded, and every
 * `reportViolation` call collected. Below that, the Kubernetes objects the
 * rules' tests start from: compliant with every rule, for a test to break one.
 */
import {
  Policies,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import type { Container, PodSpec, SecurityContext } from "../../policy/rules/k8s";
import { Recorded, secretContent } from "./mocks";

/** A resource as a test describes it: type token, Pulumi name and properties. */
export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  enforcementLevel: string;
  message: string;
  /** The reported resource's URN (resource policies: the validated resource). */
  urn: string;
}

export interface PolicyResult {
  violations: Violation[];
  /** Set when the policy called `notApplicable`. */
  notApplicable?: string;
}

class NotApplicable extends Error {}

/** The URN a top-level resource of `type` and `name` gets in the travel project. */
export function fakeUrn(type: string, name: string, stack = "dev"): string {
  return `urn:pulumi:${stack}::travel::${type}::${name}`;
}

const levelOf = (p: ResourceValidationPolicy | StackValidationPolicy) =>
  p.enforcementLevel ?? "advisory";

function common(config: object) {
  return {
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason ?? "Policy does not apply");
    },
    isType: () => false,
    asType: () => undefined,
  };
}

async function collect(
  run: (report: (message: string, urn?: string) => void) => unknown,
  policy: ResourceValidationPolicy | StackValidationPolicy,
  defaultUrn: string,
): Promise<PolicyResult> {
  const violations: Violation[] = [];
  const report = (message: string, urn?: string) =>
    violations.push({
      policy: policy.name,
      enforcementLevel: levelOf(policy),
      message,
      urn: urn ?? defaultUrn,
    });
  try {
    await run(report);
  } catch (err) {
    if (err instanceof NotApplicable) return { violations, notApplicable: err.message };
    throw err;
  }
  return { violations };
}

/** Runs a resource policy over one resource's inputs. */
export async function validateResource(
  policy: ResourceValidationPolicy,
  resource: FakeResource,
  config: object = {},
): Promise<PolicyResult> {
  const urn = fakeUrn(resource.type, resource.name);
  const validations = [policy.validateResource ?? []].flat();
  const args = {
    ...common(config),
    type: resource.type,
    name: resource.name,
    urn,
    props: unknownCheckingProxy(resource.props) as Record<string, unknown>,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {} },
  };
  return collect(
    async (report) => {
      for (const validate of validations) await validate(args as never, report);
    },
    policy,
    urn,
  );
}

/** Runs a stack policy over the resources' properties (outputs, for a stack policy). */
export async function validateStack(
  policy: StackValidationPolicy,
  resources: FakeResource[],
  config: object = {},
): Promise<PolicyResult> {
  const policyResources = resources.map((r): PolicyResource => ({
    type: r.type,
    name: r.name,
    urn: fakeUrn(r.type, r.name),
    props: unknownCheckingProxy(r.props) as Record<string, unknown>,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {} } as never,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const args = { ...common(config), resources: policyResources };
  return collect((report) => policy.validateStack(args as never, report), policy, "");
}

/**
 * Runs every policy of a pack: resource policies over each resource's inputs,
 * stack policies over `outputs` (by default the inputs). Policies that report
 * themselves not applicable are skipped.
 */
export async function runPack(
  policies: Policies,
  inputs: FakeResource[],
  options: { outputs?: FakeResource[]; config?: Record<string, object> } = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const config = options.config?.[policy.name] ?? {};
    if ("validateStack" in policy) {
      const result = await validateStack(policy, options.outputs ?? inputs, config);
      violations.push(...result.violations);
    } else {
      for (const resource of inputs) {
        violations.push(...(await validateResource(policy, resource, config)).violations);
      }
    }
  }
  return violations;
}

/** Replaces serialized secrets with their plain values, as the analyzer hands them to policies. */
export function revealSecrets(value: unknown): unknown {
  const content = secretContent(value);
  if (content !== undefined) return revealSecrets(content);
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

/** Kubernetes resources recorded under the mocks, as a policy sees their inputs. */
export function policyInputs(recorded: Recorded[]): FakeResource[] {
  return recorded
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => ({ type: r.type, name: r.name, props: revealSecrets(r.inputs) as never }));
}

/**
 * Their outputs as a stack policy sees them: the inputs plus the name the
 * provider generates when none is given (`<name>-0a1b2c3d` under the mocks).
 */
export function policyOutputs(recorded: Recorded[]): FakeResource[] {
  return policyInputs(recorded).map((r) => {
    const metadata = (r.props.metadata ?? {}) as Record<string, unknown>;
    return {
      ...r,
      props: { ...r.props, metadata: { ...metadata, name: metadata.name ?? `${r.name}-0a1b2c3d` } },
    };
  });
}

/** Loosely typed object fields (a spec, its labels) that a fixture takes as given. */
export type Fields = Record<string, unknown>;

/** A container as `container()` builds it: every field the tests edit is present. */
export type FixtureContainer = Container & {
  env: NonNullable<Container["env"]>;
  resources: { requests: Fields; limits: Fields };
  securityContext: SecurityContext & {
    capabilities: NonNullable<SecurityContext["capabilities"]>;
  };
};

/** A Deployment as `deployment()` builds it, for `edit` to change. */
export type FixtureDeployment = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: PodSpec & { securityContext: SecurityContext; containers: FixtureContainer[] };
    };
  };
};

/** Type tokens of the objects below. */
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const SERVICE = "kubernetes:core/v1:Service";
export const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
/** The namespace of the objects below, unless a test gives another. */
export const NS = "app-travelexample";
/** A well-formed image digest. */
export const DIGEST = `sha256:${"ab".repeat(32)}`;

/** The selector labels of a workload's pods (`w`: "backend" or "frontend"). */
export const selector = (w: string) => ({ "app.kubernetes.io/name": `travel-${w}` });
const podLabels = (w: string) => ({ ...selector(w), "app.kubernetes.io/component": w });

/** A container as the program builds it: compliant with every rule. */
export function container(name: string): FixtureContainer {
  const probe = { httpGet: { path: "/", port: "http" } };
  return {
    name,
    image: `ghcr.io/acme/coagents-travel-${name}@${DIGEST}`,
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "s", key: "OPENAI_API_KEY" } } },
    ],
    resources: {
      requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": "512Mi" },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    startupProbe: probe,
    readinessProbe: probe,
    livenessProbe: probe,
  };
}

/** A compliant Deployment of the backend or frontend; `edit` changes the copy. */
export function deployment(
  w: string,
  edit: (d: FixtureDeployment) => void = () => {},
  replicas = 1,
): FakeResource {
  const props: FixtureDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `travel-${w}`, namespace: NS, labels: podLabels(w) },
    spec: {
      replicas,
      selector: { matchLabels: selector(w) },
      template: {
        metadata: { labels: podLabels(w), annotations: {} },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [container(w)],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "512Mi" } }],
          topologySpreadConstraints: [
            {
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: selector(w) },
            },
          ],
        },
      },
    },
  };
  edit(props);
  return { type: DEPLOYMENT, name: `travel-${w}`, props };
}

/** The Deployment's pod spec. */
export const podSpec = (d: FixtureDeployment) => d.spec.template.spec;
/** Its container (the only one the fixture has). */
export const first = (d: FixtureDeployment) => podSpec(d).containers[0]!;

/** The workload's Service, selecting its pods; `spec` goes over the default (ClusterIP). */
export function service(w: string, spec: Fields = {}, labels: Fields = podLabels(w)): FakeResource {
  const props = {
    metadata: { name: `travel-${w}-service`, namespace: NS, labels },
    spec: { selector: selector(w), ports: [{ port: 80 }], ...spec },
  };
  return { type: SERVICE, name: `travel-${w}`, props };
}

/** An HTTPRoute with `spec`. */
export function route(name: string, spec: Fields, namespace = NS): FakeResource {
  return { type: ROUTE, name, props: { metadata: { name, namespace }, spec } };
}

/** A NetworkPolicy with `spec`. */
export function netpol(spec: Fields, namespace = NS): FakeResource {
  return {
    type: NETPOL,
    name: "travel-backend",
    props: { metadata: { name: "np", namespace }, spec },
  };
}

/** A PodDisruptionBudget selecting `matchLabels`, by default with maxUnavailable: 1. */
export function pdb(matchLabels: Fields, budget: Fields = { maxUnavailable: 1 }): FakeResource {
  const props = {
    metadata: { name: "travel-frontend-pdb", namespace: NS },
    spec: { ...budget, selector: { matchLabels } },
  };
  return { type: PDB, name: "travel-frontend", props };
}

/** An HPA scaling the Deployment `target` on `metric` utilization, from `minReplicas`. */
export function hpa(target: string, minReplicas: number, metric = "cpu"): FakeResource {
  const props = {
    metadata: { name: `${target}-hpa`, namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
      minReplicas,
      maxReplicas: 5,
      metrics: [{ type: "Resource", resource: { name: metric, target: { type: "Utilization" } } }],
    },
  };
  return { type: HPA, name: target, props };
}

/** The messages of a policy run's violations, in order. */
export const messages = (r: { violations: { message: string }[] }) =>
  r.violations.map((v) => v.message);
