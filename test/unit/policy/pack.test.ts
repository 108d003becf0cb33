/**
 * The pack as a whole (policy/rules/index.ts): its policies and their levels,
 * each in the README, and every policy run over the program's own compositions
 * (each committed stack, and deliberately bad variants).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compose } from "../../support/compose";
import { validRaw } from "../../support/fixtures";
import {
  DEPLOYMENT,
  FakeResource,
  fakeUrn,
  Fields,
  FixtureDeployment,
  policyInputs,
  policyOutputs,
  ROUTE,
  runPack,
  SERVICE,
  validateStack,
} from "../../support/policy";
import {
  composeStackFile,
  loadStack,
  STACKS,
  withSecretPlaceholders,
} from "../../support/stack-files";
import { travelPolicies } from "../../../policy/rules";
import { prodFrontendReplicas } from "../../../policy/rules/production";
import { ANNOTATION } from "../../../src/names";

describe("the pack", () => {
  it("declares these mandatory and advisory policies, each in the README", () => {
    const level = (l: string) =>
      travelPolicies.filter((p) => p.enforcementLevel === l).map((p) => p.name);
    assert.deepEqual(level("mandatory"), [
      "images-pinned-by-digest",
      "container-resources",
      "emptydir-size-limit",
      "pod-security-restricted",
      "read-only-root-filesystem",
      "container-probes",
      "backend-service-cluster-ip",
      "backend-not-routed",
      "backend-network-policy",
      "workload-egress-restricted",
      "egress-no-metadata",
      "pdb-for-replicated-deployments",
      "prod-frontend-replicas",
      "namespace-pod-security-restricted",
      "no-secrets-in-configmaps",
      "no-plain-secret-env",
    ]);
    assert.deepEqual(level("advisory"), [
      "route-hostnames",
      "pdb-allows-eviction",
      "spread-replicated-deployments",
      "hpa-target-requests",
    ]);
    const readme = readFileSync(join(__dirname, "..", "..", "..", "policy", "README.md"), "utf8");
    for (const p of travelPolicies) assert.ok(readme.includes(`\`${p.name}\``), p.name);
  });

  it("passes the program's composition with every optional object", async () => {
    const raw = validRaw();
    raw.gateway = { sectionName: "https", httpSectionName: "http", httpsRedirect: true };
    raw.backend = {
      replicas: 2,
      sharedState: true,
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
    };
    raw.frontend = { autoscaling: { minReplicas: 2, maxReplicas: 6 } };
    const { resources } = await compose(raw);
    const violations = await runPack(travelPolicies, policyInputs(resources), {
      outputs: policyOutputs(resources),
    });
    assert.deepEqual(violations, []);
  });

  for (const stack of STACKS) {
    it(`passes the committed ${stack} stack`, async () => {
      const { resources } = await composeStackFile(
        stack,
        withSecretPlaceholders(loadStack(stack).raw),
      );
      const production = { production: stack === "prod" };
      const violations = await runPack(travelPolicies, policyInputs(resources), {
        outputs: policyOutputs(resources),
        config: { "prod-frontend-replicas": production },
      });
      assert.deepEqual(violations, []);
      const prodRule = await validateStack(
        prodFrontendReplicas,
        policyOutputs(resources),
        production,
      );
      assert.equal(prodRule.notApplicable, stack === "prod" ? undefined : "not a production stack");
    });
  }

  it("catches a production frontend of one replica", async () => {
    const raw = withSecretPlaceholders(loadStack("prod").raw);
    raw.frontend = { ...(raw.frontend as Fields), replicas: 1 };
    const { resources } = await composeStackFile("prod", raw);
    const violations = await runPack(travelPolicies, policyInputs(resources), {
      outputs: policyOutputs(resources),
      config: { "prod-frontend-replicas": { production: true } },
    });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.urn]),
      [["prod-frontend-replicas", fakeUrn(DEPLOYMENT, "travel-frontend")]],
    );
  });

  it("accepts a writable root filesystem with its reason, and catches one without", async () => {
    const raw = validRaw();
    raw.backend = { writableRootFilesystemReason: "uvicorn writes bytecode caches" };
    const { resources } = await compose(raw);
    const inputs = policyInputs(resources);
    const backend = inputs.find((r) => r.type === DEPLOYMENT && r.name === "travel-backend");
    const template = (backend?.props as FixtureDeployment).spec.template;
    assert.equal(template.spec.containers[0]?.securityContext.readOnlyRootFilesystem, false);
    assert.deepEqual(
      await runPack(travelPolicies, inputs, { outputs: policyOutputs(resources) }),
      [],
    );

    delete template.metadata.annotations[ANNOTATION.writableRootReason];
    const violations = await runPack(travelPolicies, inputs, { outputs: policyOutputs(resources) });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.urn]),
      [["read-only-root-filesystem", fakeUrn(DEPLOYMENT, "travel-backend")]],
    );
  });

  it("catches a backend Service made public and routed", async () => {
    const { resources } = await compose(validRaw());
    const outputs = policyOutputs(resources).map((r): FakeResource => {
      if (r.type === SERVICE && r.name === "travel-backend") {
        return {
          ...r,
          props: { ...r.props, spec: { ...(r.props.spec as Fields), type: "LoadBalancer" } },
        };
      }
      if (r.type === ROUTE) {
        const spec = r.props.spec as { rules: Fields[] };
        const rules = [
          { ...spec.rules[0], backendRefs: [{ name: "travel-backend-service", port: 8000 }] },
        ];
        return { ...r, props: { ...r.props, spec: { ...spec, rules } } };
      }
      return r;
    });
    const violations = await runPack(travelPolicies, policyInputs(resources), { outputs });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.urn]),
      [
        ["backend-service-cluster-ip", fakeUrn(SERVICE, "travel-backend")],
        ["backend-not-routed", fakeUrn(ROUTE, "travel-frontend")],
      ],
    );
  });
});
