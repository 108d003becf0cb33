/**
 * The advisory rules of policy/rules/advisory.ts: route hostnames, and HPAs
 * whose targets request the resource they scale on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deployment,
  first,
  hpa,
  messages,
  route,
  validateResource,
  validateStack,
} from "../../support/policy";
import { hpaTargetRequests, routeHostnames } from "../../../policy/rules/advisory";

describe("advisory policies", () => {
  it("route-hostnames: reports a route without hostnames", async () => {
    const named = route("r", { hostnames: ["travel.example.com"], rules: [] });
    assert.deepEqual(messages(await validateResource(routeHostnames, named)), []);
    const result = await validateResource(routeHostnames, route("r", { rules: [] }));
    assert.deepEqual(
      result.violations.map((v) => [v.enforcementLevel, v.message]),
      [
        [
          "advisory",
          'HTTPRoute "r" has no hostnames, so it answers every host the Gateway listener accepts. ' +
            "Fix: list the stack's hostnames (travel:hostnames).",
        ],
      ],
    );
  });

  it("hpa-target-requests: reports a target without the scaled resource's request", async () => {
    const ok = [deployment("frontend"), hpa("travel-frontend", 2)];
    assert.deepEqual(messages(await validateStack(hpaTargetRequests, ok)), []);
    const noCpu = deployment("frontend", (p) => delete first(p).resources.requests.cpu);
    const result = await validateStack(hpaTargetRequests, [
      noCpu,
      hpa("travel-frontend", 2),
      hpa("gone", 1),
    ]);
    assert.deepEqual(messages(result), [
      'HorizontalPodAutoscaler "travel-frontend-hpa" scales Deployment "travel-frontend" on cpu ' +
        'utilization, but its container "frontend" requests no cpu, so the utilization is ' +
        "undefined. Fix: set resources.requests.cpu.",
      'HorizontalPodAutoscaler "gone-hpa" targets Deployment "gone", which is not in this stack, ' +
        "so its resource requests cannot be checked. Fix: point scaleTargetRef at the Deployment " +
        "it scales.",
    ]);
  });
});
