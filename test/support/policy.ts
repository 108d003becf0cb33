/**
 * Runs policies of a pack the way the policy analyzer does, without the CLI:
 * properties wrapped in @pulumi/policy's unknown-checking proxy, `getConfig`
 * returning the policy's config, `notApplicable` recorded, and every
 * `reportViolation` call collected.
 */
import {
  Policies,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
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
