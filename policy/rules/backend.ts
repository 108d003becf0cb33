/**
 * The backend is reachable only from inside the cluster: its Services are
 * ClusterIP, no route sends outside traffic to them, and a NetworkPolicy
 * restricts ingress to its pods. Backend pods are those labelled
 * `app.kubernetes.io/component: backend`.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { K8sObject, kindOf, LabelSelector, namespaceOf } from "./k8s";
import {
  ofKind,
  selects,
  serviceSelects,
  PodWorkload,
  workloadsOf,
  workloadsWithComponent,
} from "./stack-index";
import { LABEL } from "../../src/names";

const ROUTE_KINDS = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

interface BackendRef {
  name?: string;
  namespace?: string;
  kind?: string;
  group?: string;
}

/** Services labelled as the backend or selecting backend pods in their namespace. */
export function backendServices(resources: PolicyResource[]): PolicyResource[] {
  const backends = workloadsWithComponent(workloadsOf(resources), "backend");
  return ofKind(resources, "Service").filter((s) => {
    const props = s.props as K8sObject;
    return (
      props.metadata?.labels?.[LABEL.component] === "backend" ||
      backends.some((w) => w.namespace === namespaceOf(props) && serviceSelects(props, w.podLabels))
    );
  });
}

const nameOf = (r: PolicyResource) => (r.props as K8sObject).metadata?.name ?? r.name;

export const backendServiceClusterIp: StackValidationPolicy = {
  name: "backend-service-cluster-ip",
  description: "Services in front of backend pods are type ClusterIP, without externalIPs.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    for (const service of backendServices(args.resources)) {
      const spec = (service.props as K8sObject).spec ?? {};
      const type = (spec.type as string | undefined) ?? "ClusterIP";
      const externalIPs = (spec.externalIPs as string[] | undefined) ?? [];
      if (type !== "ClusterIP" || externalIPs.length > 0) {
        const exposure = type !== "ClusterIP" ? `type ${type}` : "externalIPs";
        reportViolation(
          `Service "${nameOf(service)}" selects backend pods and is exposed outside the cluster ` +
            `(${exposure}). Fix: make it type ClusterIP without externalIPs; only the frontend ` +
            `is published, through the HTTPRoute.`,
          service.urn,
        );
      }
    }
  },
};

/** The Service references of a Gateway API route or an Ingress. */
function serviceRefs(route: PolicyResource): BackendRef[] {
  const spec = ((route.props as K8sObject).spec ?? {}) as {
    rules?: {
      backendRefs?: BackendRef[];
      filters?: { requestMirror?: { backendRef?: BackendRef } }[];
      http?: { paths?: { backend?: { service?: { name?: string } } }[] };
    }[];
    defaultBackend?: { service?: { name?: string } };
  };
  if (kindOf(route.type) === "Ingress") {
    const paths = (spec.rules ?? []).flatMap((r) => r.http?.paths ?? []);
    return [spec.defaultBackend, ...paths.map((p) => p.backend)]
      .map((b) => ({ name: b?.service?.name }))
      .filter((b) => b.name !== undefined);
  }
  return (spec.rules ?? []).flatMap((rule) => [
    ...(rule.backendRefs ?? []),
    ...(rule.filters ?? []).flatMap((f) => f.requestMirror?.backendRef ?? []),
  ]);
}

export const backendNotRouted: StackValidationPolicy = {
  name: "backend-not-routed",
  description:
    "No HTTPRoute (or other Gateway API route, or Ingress) sends traffic to a backend Service.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const services = backendServices(args.resources);
    const routes = args.resources.filter((r) => {
      const kind = kindOf(r.type);
      return kind !== undefined && (ROUTE_KINDS.includes(kind) || kind === "Ingress");
    });
    for (const route of routes) {
      const routeNs = namespaceOf(route.props as K8sObject);
      for (const ref of serviceRefs(route)) {
        if ((ref.kind ?? "Service") !== "Service" || (ref.group ?? "") !== "") continue;
        const target = services.find(
          (s) =>
            nameOf(s) === ref.name &&
            namespaceOf(s.props as K8sObject) === (ref.namespace ?? routeNs),
        );
        if (target !== undefined) {
          reportViolation(
            `${kindOf(route.type)} "${nameOf(route)}" routes to the backend Service ` +
              `"${ref.name}". Fix: route only to the frontend Service; the frontend calls the ` +
              `backend inside the cluster (REMOTE_ACTION_URL).`,
            route.urn,
          );
        }
      }
    }
  },
};

/** Whether a NetworkPolicy restricts ingress to the workload's pods. */
function restrictsIngress(policy: PolicyResource, w: PodWorkload): boolean {
  const props = policy.props as K8sObject;
  const spec = (props.spec ?? {}) as { podSelector?: LabelSelector; policyTypes?: string[] };
  const types = spec.policyTypes ?? ["Ingress"];
  return (
    namespaceOf(props) === w.namespace &&
    types.includes("Ingress") &&
    selects(spec.podSelector ?? {}, w.podLabels)
  );
}

export const backendNetworkPolicy: StackValidationPolicy = {
  name: "backend-network-policy",
  description: "A NetworkPolicy restricting ingress selects every backend workload's pods.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const policies = ofKind(args.resources, "NetworkPolicy");
    for (const w of workloadsWithComponent(workloadsOf(args.resources), "backend")) {
      if (!policies.some((p) => restrictsIngress(p, w))) {
        reportViolation(
          `${w.kind} "${w.name}": no NetworkPolicy restricts ingress to its pods. Fix: add one ` +
            `whose podSelector matches them and that admits only the frontend (the Backend ` +
            `component creates it).`,
          w.resource.urn,
        );
      }
    }
  },
};
