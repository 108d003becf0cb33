import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuMillis, memoryBytes } from "../../../src/config/quantity";

describe("quantities", () => {
  it("parses CPU and memory in every form Kubernetes accepts", () => {
    assert.equal(cpuMillis("500m"), 500);
    assert.equal(cpuMillis("1.5"), 1500);
    assert.equal(cpuMillis(".5"), 500);
    assert.equal(cpuMillis("2"), 2000);
    assert.equal(cpuMillis("1e-3"), 1);
    assert.equal(cpuMillis("+1"), 1000);
    assert.equal(memoryBytes("256Mi"), 256 * 2 ** 20);
    assert.equal(memoryBytes("1G"), 1e9);
    assert.equal(memoryBytes("1e9"), 1e9);
    assert.equal(memoryBytes("1E"), 1e18);
    assert.equal(memoryBytes("1.5Gi"), 1.5 * 2 ** 30);
    assert.ok(memoryBytes("1Gi") > memoryBytes("1G"));
    for (const bad of ["1 core", "1GB", "-1", "1.5.5", "Mi", "", "1e3m"]) {
      assert.throws(() => memoryBytes(bad), { message: `"${bad}" is not a Kubernetes quantity` });
    }
  });
});
