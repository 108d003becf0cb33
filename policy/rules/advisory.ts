/** Advisory checks: worth a look in review, but not always wrong. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Container, containersOf, describeObject, K8sObject, kindOf, podTemplateOf } from "./k8s";
import { ofKind, workloadsOf } from "./stack-index";

export const routeHostnames: ResourceValidationPolicy = {
  name: "route-hostnames",
  description: "HTTPRoutes name their hostnames instead of answering every host of the listener.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (kindOf(args.type) !== "HTTPRoute") return;
    const props = args.props as K8sObject;
    const hostnames = (props.spec?.hostnames as string[] | undefined) ?? [];
    if (hostnames.length === 0) {
      reportViolation(
        `${describeObject(args.type, args.name, props)} has no hostnames, so it answers every host ` +
          `the Gateway listener accepts. Fix: list the stack's hostnames (travel:hostnames).`,
      );
    }
  },
};

interface HpaSpec {
  scaleTargetRef?: { kind?: string; name?: string };
  metrics?: { type?: string; resource?: { name?: string } }[];
}

const requests = (c: Container, resource: string) => c.resources?.requests?.[resource];

export const hpaTargetRequests: StackValidationPolicy = {
  name: "hpa-target-requests",
  description:
    "An HPA scaling on CPU or memory utilization targets a workload of the stack whose " +
    "containers request that resource.",
  enforcementLevel: "advisory",
  validateStack: (args, reportViolation) => {
    const workloads = workloadsOf(args.resources);
    for (const hpa of ofKind(args.resources, "HorizontalPodAutoscaler")) {
      const name = (hpa.props as K8sObject).metadata?.name ?? hpa.name;
      const spec = ((hpa.props as K8sObject).spec ?? {}) as HpaSpec;
      const target = workloads.find((w) => w.autoscaler?.urn === hpa.urn);
      const ref = spec.scaleTargetRef;
      if (target === undefined) {
        reportViolation(
          `HorizontalPodAutoscaler "${name}" targets ${ref?.kind ?? "?"} "${ref?.name ?? "?"}", ` +
            `which is not in this stack, so its resource requests cannot be checked. Fix: point ` +
            `scaleTargetRef at the Deployment it scales.`,
          hpa.urn,
        );
        continue;
      }
      const template = podTemplateOf(target.resource.type, target.resource.props as K8sObject);
      const resources = (spec.metrics ?? [])
        .filter((m) => m.type === "Resource" && m.resource?.name !== undefined)
        .map((m) => m.resource?.name ?? "");
      for (const resource of resources) {
        const lacking = containersOf(template?.spec, false).filter(
          ({ container }) => requests(container, resource) === undefined,
        );
        for (const { label } of lacking) {
          reportViolation(
            `HorizontalPodAutoscaler "${name}" scales ${target.kind} "${target.name}" on ` +
              `${resource} utilization, but its ${label} requests no ${resource}, so the ` +
              `utilization is undefined. Fix: set resources.requests.${resource}.`,
            hpa.urn,
          );
        }
      }
    }
  },
};
