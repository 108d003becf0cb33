/**
 * What the app's pods may send: every workload's pods are under a NetworkPolicy that
 * restricts egress, and no egress rule opens the cloud metadata address by accident (a
 * rule to every destination, or a block around it that does not except it). A stack that
 * needs the metadata server names it as an exact /32 (`network.allowEgress`).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { type K8sObject, type LabelSelector, namespaceOf } from "./k8s";
import { ofKind, type PodWorkload, selects, workloadsOf } from "./stack-index";

/** The link-local address cloud providers serve instance metadata and credentials on. */
export const METADATA_ADDRESS = "169.254.169.254";

interface EgressRule {
  to?: { ipBlock?: { cidr?: string; except?: string[] } }[];
}
interface PolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  egress?: EgressRule[];
}

const specOf = (p: PolicyResource) => ((p.props as K8sObject).spec ?? {}) as PolicySpec;
const nameOf = (p: PolicyResource) => (p.props as K8sObject).metadata?.name ?? p.name;

/** An IPv4 address as a number, or undefined. */
function ipv4(address: string): number | undefined {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    return undefined;
  return parts.reduce((acc, n) => acc * 256 + n, 0);
}

/** Whether `cidr` (IPv4) holds `address`; false for anything it cannot read (IPv6). */
export function cidrContains(cidr: string, address: string): boolean {
  const [base, bits] = cidr.split("/");
  const prefix = Number(bits);
  const net = ipv4(base ?? "");
  const ip = ipv4(address);
  if (
    net === undefined ||
    ip === undefined ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > 32
  )
    return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(net / size) === Math.floor(ip / size);
}

/** What an egress rule opens to the metadata address, or undefined when nothing. */
function opensMetadata(rule: EgressRule): string | undefined {
  if (rule.to === undefined || rule.to.length === 0)
    return "a rule without `to` (every destination)";
  for (const peer of rule.to) {
    const cidr = peer.ipBlock?.cidr;
    if (cidr === undefined || cidr === `${METADATA_ADDRESS}/32`) continue;
    const excepted = (peer.ipBlock?.except ?? []).some((e) => cidrContains(e, METADATA_ADDRESS));
    if (cidrContains(cidr, METADATA_ADDRESS) && !excepted)
      return `ipBlock ${cidr} without excepting ${METADATA_ADDRESS}`;
  }
  return undefined;
}

const restrictsEgress = (p: PolicyResource, w: PodWorkload) =>
  namespaceOf(p.props as K8sObject) === w.namespace &&
  (specOf(p).policyTypes ?? []).includes("Egress") &&
  selects(specOf(p).podSelector ?? {}, w.podLabels);

export const workloadEgressRestricted: StackValidationPolicy = {
  name: "workload-egress-restricted",
  description: "A NetworkPolicy restricting egress selects every workload's pods.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const policies = ofKind(args.resources, "NetworkPolicy");
    for (const w of workloadsOf(args.resources)) {
      if (!policies.some((p) => restrictsEgress(p, w))) {
        reportViolation(
          `${w.kind} "${w.name}": no NetworkPolicy restricts egress from its pods, so they ` +
            `can reach the API server, the metadata address and every other namespace. Fix: ` +
            `add one with policyTypes [Egress] whose podSelector matches them (the Namespace ` +
            `component's default-deny policy does).`,
          w.resource.urn,
        );
      }
    }
  },
};

export const egressNoMetadata: StackValidationPolicy = {
  name: "egress-no-metadata",
  description: `No NetworkPolicy egress rule admits the metadata address ${METADATA_ADDRESS} but as an exact /32.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const policy of ofKind(args.resources, "NetworkPolicy")) {
      (specOf(policy).egress ?? []).forEach((rule, i) => {
        const opened = opensMetadata(rule);
        if (opened === undefined) return;
        reportViolation(
          `NetworkPolicy "${nameOf(policy)}", egress rule ${i}: ${opened} admits the cloud ` +
            `metadata address ${METADATA_ADDRESS} (instance credentials). Fix: except ` +
            `169.254.0.0/16 from the block, or, if a workload needs the metadata server, name ` +
            `${METADATA_ADDRESS}/32 in travel:network.allowEgress.`,
          policy.urn,
        );
      });
    }
  },
};
