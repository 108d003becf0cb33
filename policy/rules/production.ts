/** Production-only rules: the frontend survives losing a pod. */
import * as pulumi from "@pulumi/pulumi";
import type { StackValidationPolicy } from "@pulumi/policy";
import { workloadsOf, workloadsWithComponent } from "./stack-index";

/** Policy config of the production rules. */
export interface ProductionConfig {
  /** Force production rules on (true) or off (false); by default on for the stack "prod". */
  production?: boolean;
  /** Fewest frontend pods in production. */
  minFrontendReplicas?: number;
}

/** Whether production rules apply: the config's `production`, else whether the stack is "prod". */
export function isProduction(config: ProductionConfig, stack: string): boolean {
  return config.production ?? stack.split("/").pop() === "prod";
}

export const prodFrontendReplicas: StackValidationPolicy = {
  name: "prod-frontend-replicas",
  description:
    "In production the frontend runs at least 2 pods (replicas, or the HPA's minReplicas).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      production: { type: "boolean", description: "Override: is this a production stack?" },
      minFrontendReplicas: { type: "integer", minimum: 1, default: 2 },
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<ProductionConfig>();
    if (!isProduction(config, pulumi.getStack())) {
      args.notApplicable("not a production stack");
    }
    const min = config.minFrontendReplicas ?? 2;
    for (const w of workloadsWithComponent(workloadsOf(args.resources), "frontend")) {
      if (w.minReplicas < min) {
        const source = w.autoscaler ? "its HPA's minReplicas" : "replicas";
        reportViolation(
          `${w.kind} "${w.name}": the production frontend runs ${w.minReplicas} pod(s) ` +
            `(${source}); at least ${min} are required. Fix: set travel:frontend.replicas ` +
            `(or autoscaling.minReplicas) to ${min} or more.`,
          w.resource.urn,
        );
      }
    }
  },
};
