/**
 * The Kubernetes helpers the rules share (policy/rules/k8s.ts): podObjectOf,
 * the opening of every pod rule.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, DIGEST, podSpec, service } from "../../support/policy";
import { podObjectOf } from "../../../policy/rules/k8s";

describe("podObjectOf", () => {
  it("finds no pods in a Service", () => {
    assert.equal(podObjectOf(service("backend")), undefined);
  });

  it("names the object and each container, init containers unless left out", () => {
    const d = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ image: `x@${DIGEST}` }];
    });
    const object = podObjectOf(d);
    assert.equal(object?.what, 'Deployment "travel-backend"');
    assert.deepEqual(
      object?.containers().map((c) => c.where),
      [
        'Deployment "travel-backend", container "backend"',
        'Deployment "travel-backend", init container "#0"',
      ],
    );
    assert.deepEqual(
      object?.containers(false).map((c) => [c.where, c.container.name]),
      [['Deployment "travel-backend", container "backend"', "backend"]],
    );
  });

  it("reads a bare Pod and a CronJob, named by Pulumi name when unnamed", () => {
    const spec = { containers: [{ name: "c" }] };
    const pod = podObjectOf({ type: "kubernetes:core/v1:Pod", name: "p", props: { spec } });
    assert.deepEqual(
      pod?.containers().map((c) => c.where),
      ['Pod "p", container "c"'],
    );
    const cron = podObjectOf({
      type: "kubernetes:batch/v1:CronJob",
      name: "nightly",
      props: {
        metadata: { name: "travel-nightly" },
        spec: { jobTemplate: { spec: { template: { spec } } } },
      },
    });
    assert.deepEqual(
      cron?.containers().map((c) => c.where),
      ['CronJob "travel-nightly", container "c"'],
    );
  });
});
