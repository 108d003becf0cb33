/** CPU, memory and ephemeral-storage requests and limits on every container. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { podObjectOf } from "./k8s";

const REQUIRED = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["requests", "ephemeral-storage"],
  ["limits", "cpu"],
  ["limits", "memory"],
  ["limits", "ephemeral-storage"],
] as const;

export const containerResources: ResourceValidationPolicy = {
  name: "container-resources",
  description:
    "Every container and init container sets CPU, memory and ephemeral-storage requests and limits.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const { container, where } of podObjectOf(args)?.containers() ?? []) {
      const missing = REQUIRED.filter(([kind, resource]) => {
        const value = container.resources?.[kind]?.[resource];
        return value === undefined || value === null || value === "";
      }).map(([kind, resource]) => `resources.${kind}.${resource}`);
      if (missing.length > 0) {
        reportViolation(
          `${where}: missing ${missing.join(", ")}. Fix: set CPU, memory and ephemeral-storage ` +
            `requests and limits (travel:<workload>.resources for the app's workloads; ` +
            `requests ≤ limits).`,
        );
      }
    }
  },
};
