/** CPU and memory requests and limits on every container. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describeObject, K8sObject, podTemplateOf } from "./k8s";

const REQUIRED = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["limits", "cpu"],
  ["limits", "memory"],
] as const;

export const containerResources: ResourceValidationPolicy = {
  name: "container-resources",
  description: "Every container and init container sets CPU and memory requests and limits.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const template = podTemplateOf(args.type, args.props as K8sObject);
    if (template === undefined) return;
    const what = describeObject(args.type, args.name, args.props as K8sObject);
    for (const { container, label } of containersOf(template.spec)) {
      const missing = REQUIRED.filter(([kind, resource]) => {
        const value = container.resources?.[kind]?.[resource];
        return value === undefined || value === null || value === "";
      }).map(([kind, resource]) => `resources.${kind}.${resource}`);
      if (missing.length > 0) {
        reportViolation(
          `${what}, ${label}: missing ${missing.join(", ")}. Fix: set CPU and memory requests ` +
            `and limits (travel:<workload>.resources for the app's workloads; requests ≤ limits).`,
        );
      }
    }
  },
};
