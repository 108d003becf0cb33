/**
 * The disruption rules (policy/rules/disruption.ts): a PodDisruptionBudget for
 * every replicated Deployment, and none that blocks every eviction.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deployment,
  fakeUrn,
  hpa,
  messages,
  PDB,
  pdb,
  selector,
  validateStack,
} from "../../support/policy";
import {
  blocksEviction,
  pdbAllowsEviction,
  pdbForReplicatedDeployments,
} from "../../../policy/rules/disruption";

describe("policy pdb-for-replicated-deployments", () => {
  it("needs no budget for one replica", async () => {
    assert.deepEqual(
      messages(await validateStack(pdbForReplicatedDeployments, [deployment("frontend")])),
      [],
    );
  });

  it("reports two replicas without a matching budget", async () => {
    const d = deployment("frontend", () => {}, 2);
    const unrelated = pdb(selector("backend"));
    assert.deepEqual(messages(await validateStack(pdbForReplicatedDeployments, [d, unrelated])), [
      'Deployment "travel-frontend" runs 2 pods but no PodDisruptionBudget selects them. Fix: ' +
        "add a PodDisruptionBudget (maxUnavailable: 1) whose selector matches its pod labels " +
        "(the workload component creates one when replicas ≥ 2).",
    ]);
    const matching = pdb(selector("frontend"));
    assert.deepEqual(messages(await validateStack(pdbForReplicatedDeployments, [d, matching])), []);
  });

  it("counts an HPA's minReplicas instead of the live replica count", async () => {
    const scaled = deployment("frontend", (p) => delete p.spec.replicas);
    const two = await validateStack(pdbForReplicatedDeployments, [
      scaled,
      hpa("travel-frontend", 2),
    ]);
    assert.equal(two.violations.length, 1);
    const live = deployment("frontend", () => {}, 4);
    const one = await validateStack(pdbForReplicatedDeployments, [live, hpa("travel-frontend", 1)]);
    assert.deepEqual(one.violations, []);
  });
});

describe("policy pdb-allows-eviction", () => {
  it("reports budgets that block every eviction", async () => {
    assert.equal(blocksEviction({ maxUnavailable: 1 }, 2), false);
    assert.equal(blocksEviction({ maxUnavailable: "0%" }, 2), true);
    assert.equal(blocksEviction({ minAvailable: 1 }, 2), false);
    assert.equal(blocksEviction({ minAvailable: 2 }, 2), true);
    assert.equal(blocksEviction({ minAvailable: "100%" }, 3), true);
    const d = deployment("frontend", () => {}, 2);
    const result = await validateStack(pdbAllowsEviction, [
      d,
      pdb(selector("frontend"), { maxUnavailable: 0 }),
    ]);
    assert.deepEqual(result.violations, [
      {
        policy: "pdb-allows-eviction",
        enforcementLevel: "advisory",
        urn: fakeUrn(PDB, "travel-frontend"),
        message:
          'PodDisruptionBudget "travel-frontend-pdb" allows no eviction of Deployment ' +
          '"travel-frontend" (2 pod(s)): node drains will hang. Fix: use maxUnavailable: 1, or a ' +
          "minAvailable below the replica count.",
      },
    ]);
  });
});
