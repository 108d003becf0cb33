/**
 * The container-probes rule (policy/rules/probes.ts).
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
import { containerProbes } from "../../../policy/rules/probes";

describe("policy container-probes", () => {
  it("passes three probes; init containers need none", async () => {
    const d = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ name: "migrate", image: `x@${DIGEST}` }];
    });
    assert.deepEqual(messages(await validateResource(containerProbes, d)), []);
  });

  it("lists the missing probes", async () => {
    const d = deployment("frontend", (p) => {
      delete first(p).startupProbe;
      delete first(p).livenessProbe;
    });
    assert.deepEqual(messages(await validateResource(containerProbes, d)), [
      'Deployment "travel-frontend", container "frontend": missing startupProbe, livenessProbe. ' +
        "Fix: add the probes (travel:<workload>.probes sets their HTTP paths for the app's workloads).",
    ]);
  });
});
