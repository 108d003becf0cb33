/**
 * The container-resources rule (policy/rules/resources.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deployment,
  DIGEST,
  first,
  messages,
  podSpec,
  validateResource,
} from "../../support/policy";
import { containerResources } from "../../../policy/rules/resources";

describe("policy container-resources", () => {
  it("passes requests and limits for CPU, memory and ephemeral storage", async () => {
    assert.deepEqual(
      messages(await validateResource(containerResources, deployment("backend"))),
      [],
    );
  });

  it("lists what each container misses", async () => {
    const d = deployment("backend", (p) => {
      delete first(p).resources.requests.cpu;
      delete first(p).resources.limits.memory;
      delete first(p).resources.limits["ephemeral-storage"];
      podSpec(p).initContainers = [{ name: "migrate", image: `x@${DIGEST}` }];
    });
    assert.deepEqual(messages(await validateResource(containerResources, d)), [
      'Deployment "travel-backend", container "backend": missing resources.requests.cpu, ' +
        "resources.limits.memory, resources.limits.ephemeral-storage. Fix: set CPU, memory and " +
        "ephemeral-storage requests and limits (travel:<workload>.resources for the app's " +
        "workloads; requests ≤ limits).",
      'Deployment "travel-backend", init container "migrate": missing resources.requests.cpu, ' +
        "resources.requests.memory, resources.requests.ephemeral-storage, resources.limits.cpu, " +
        "resources.limits.memory, resources.limits.ephemeral-storage. Fix: set CPU, memory and " +
        "ephemeral-storage requests and limits (travel:<workload>.resources for the app's " +
        "workloads; requests ≤ limits).",
    ]);
  });
});
