/** Startup, readiness and liveness probes on every (long-running) container. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { podObjectOf } from "./k8s";

const PROBES = ["startupProbe", "readinessProbe", "livenessProbe"] as const;

export const containerProbes: ResourceValidationPolicy = {
  name: "container-probes",
  description:
    "Every container has startup, readiness and liveness probes (init containers run to " +
    "completion and take none).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const { container, where } of podObjectOf(args)?.containers(false) ?? []) {
      const missing = PROBES.filter((p) => container[p] === undefined || container[p] === null);
      if (missing.length > 0) {
        reportViolation(
          `${where}: missing ${missing.join(", ")}. Fix: add the probes ` +
            `(travel:<workload>.probes sets their HTTP paths for the app's workloads).`,
        );
      }
    }
  },
};
