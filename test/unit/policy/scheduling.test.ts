/**
 * The scheduling rules (policy/rules/scheduling.ts): replicated Deployments spread over
 * nodes (advisory), and every emptyDir has a size limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deployment,
  hpa,
  messages,
  podSpec,
  selector,
  validateResource,
  validateStack,
} from "../../support/policy";
import { emptyDirSizeLimit, spreadReplicatedDeployments } from "../../../policy/rules/scheduling";

describe("policy spread-replicated-deployments", () => {
  const unspread = (replicas: number) =>
    deployment("frontend", (p) => delete podSpec(p).topologySpreadConstraints, replicas);
  const WARNING =
    'Deployment "travel-frontend" runs 2 pods with no topology spread over ' +
    "kubernetes.io/hostname: they may all share one node. Fix: set " +
    "travel:<workload>.topologySpread to preferred or required.";

  it("passes a spread Deployment and a single pod; warns for two pods unspread", async () => {
    const check = async (...r: Parameters<typeof validateStack>[1]) =>
      messages(await validateStack(spreadReplicatedDeployments, r));
    assert.deepEqual(await check(deployment("frontend", () => {}, 2)), []);
    assert.deepEqual(await check(unspread(1)), []);
    assert.deepEqual(await check(unspread(2)), [WARNING]);
  });

  it("counts an HPA's minReplicas, and needs the constraint to select the pods", async () => {
    const scaled = deployment("frontend", (p) => {
      delete p.spec.replicas;
      delete podSpec(p).topologySpreadConstraints;
    });
    assert.equal(
      (await validateStack(spreadReplicatedDeployments, [scaled, hpa("travel-frontend", 2)]))
        .violations.length,
      1,
    );
    const elsewhere = deployment(
      "frontend",
      (p) => {
        podSpec(p).topologySpreadConstraints = [
          {
            topologyKey: "kubernetes.io/hostname",
            labelSelector: { matchLabels: selector("backend") },
          },
        ];
      },
      2,
    );
    assert.deepEqual(messages(await validateStack(spreadReplicatedDeployments, [elsewhere])), [
      WARNING,
    ]);
  });
});

describe("policy emptydir-size-limit", () => {
  it("passes a limited emptyDir and other volumes; names each unlimited one", async () => {
    assert.deepEqual(
      messages(await validateResource(emptyDirSizeLimit, deployment("backend"))),
      [],
    );
    const d = deployment("backend", (p) => {
      podSpec(p).volumes = [
        { name: "tmp", emptyDir: {} },
        { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "" } },
        { name: "config" },
      ];
    });
    assert.deepEqual(messages(await validateResource(emptyDirSizeLimit, d)), [
      'Deployment "travel-backend", volume "tmp": an emptyDir without sizeLimit can fill the ' +
        "node's disk. Fix: set emptyDir.sizeLimit (the app's workloads limit /tmp to " +
        "resources.limits.ephemeral-storage).",
      'Deployment "travel-backend", volume "cache": an emptyDir without sizeLimit can fill the ' +
        "node's disk. Fix: set emptyDir.sizeLimit (the app's workloads limit /tmp to " +
        "resources.limits.ephemeral-storage).",
    ]);
  });
});
