import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  CLUSTER_FREE,
  LONGEST_FIRST,
  splitClusterFree,
  startOrder,
} from "../../../tools/e2e/order";

const DIR = join(__dirname, "..", "..", "e2e");

describe("the order the parallel end-to-end phase starts its suites in", () => {
  it("starts every suite of test/e2e once, the listed ones first in their order", () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => join(DIR, f));
    const order = startOrder(files);
    assert.deepEqual([...order].sort(), [...files].sort());
    assert.deepEqual(
      order.slice(0, LONGEST_FIRST.length),
      LONGEST_FIRST.map((name) => join(DIR, `${name}.test.ts`)),
    );
  });

  it("starts the suites it does not list after the listed ones, by name", () => {
    const files = ["e2e/zeta.test.ts", "e2e/slow.test.ts", "e2e/alpha.test.ts"];
    assert.deepEqual(startOrder(files, ["slow"]), [
      "e2e/slow.test.ts",
      "e2e/alpha.test.ts",
      "e2e/zeta.test.ts",
    ]);
  });

  it("refuses a list naming suites that have no file", () => {
    assert.throws(
      () => startOrder(["e2e/slow.test.ts"], ["slow", "renamed", "gone"]),
      new Error(
        "tools/e2e/order.ts lists renamed, gone, but test/e2e has no renamed.test.ts, gone.test.ts: update LONGEST_FIRST",
      ),
    );
  });
});

describe("the suites that run beside the disruptive ones", () => {
  it("takes the cluster-free suites out of the shared phase, and none of the others", () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => join(DIR, f));
    const { clusterFree, others } = splitClusterFree(files);
    assert.deepEqual(
      clusterFree.sort(),
      [...CLUSTER_FREE].sort().map((name) => join(DIR, `${name}.test.ts`)),
    );
    assert.deepEqual([...clusterFree, ...others].sort(), [...files].sort());
    assert.ok(!LONGEST_FIRST.some((name) => CLUSTER_FREE.includes(name)), "in both lists");
  });

  it("refuses a list naming suites that have no file", () => {
    assert.throws(
      () => splitClusterFree(["e2e/slow.test.ts"], ["gone"]),
      new Error(
        "tools/e2e/order.ts lists gone as cluster-free, but test/e2e has no gone.test.ts: update CLUSTER_FREE",
      ),
    );
  });
});
