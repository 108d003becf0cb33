/**
 * The production rule (policy/rules/production.ts): the frontend runs at least
 * 2 pods.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, hpa, messages, validateStack } from "../../support/policy";
import { isProduction, prodFrontendReplicas } from "../../../policy/rules/production";

describe("policy prod-frontend-replicas", () => {
  const prod = { production: true };

  it("applies to the stack named prod, or when the config says so", () => {
    assert.equal(isProduction({}, "prod"), true);
    assert.equal(isProduction({}, "acme/travel/prod"), true);
    assert.equal(isProduction({}, "staging"), false);
    assert.equal(isProduction({ production: true }, "qa"), true);
    assert.equal(isProduction({ production: false }, "prod"), false);
  });

  it("is not applicable outside production (the mocks' stack is dev)", async () => {
    const result = await validateStack(prodFrontendReplicas, [deployment("frontend")]);
    assert.deepEqual(result, { violations: [], notApplicable: "not a production stack" });
  });

  it("requires 2 frontend pods in production", async () => {
    const result = await validateStack(
      prodFrontendReplicas,
      [deployment("frontend"), deployment("backend")],
      prod,
    );
    assert.deepEqual(messages(result), [
      'Deployment "travel-frontend": the production frontend runs 1 pod(s) (replicas); at least 2 ' +
        "are required. Fix: set travel:frontend.replicas (or autoscaling.minReplicas) to 2 or more.",
    ]);
    const two = await validateStack(
      prodFrontendReplicas,
      [deployment("frontend", () => {}, 2)],
      prod,
    );
    assert.deepEqual(messages(two), []);
  });

  it("reads the HPA's minReplicas and the configured minimum", async () => {
    const resources = [deployment("frontend", () => {}, 3), hpa("travel-frontend", 2)];
    const result = await validateStack(prodFrontendReplicas, resources, {
      ...prod,
      minFrontendReplicas: 3,
    });
    assert.match(messages(result)[0]!, /runs 2 pod\(s\) \(its HPA's minReplicas\); at least 3/);
  });
});
