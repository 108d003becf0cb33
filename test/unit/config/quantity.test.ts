import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuMillis, cpuProblem, memoryBytes, memoryProblem } from "../../../src/config/quantity";

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

  it("takes CPU from 1m to 256 cores and memory from 4Mi, at the edges", () => {
    for (const ok of ["1m", "0.001", "256", "256000m"]) assert.equal(cpuProblem(ok), undefined, ok);
    for (const bad of ["0.0001", "256001m", "257"])
      assert.notEqual(cpuProblem(bad), undefined, bad);
    for (const ok of ["4Mi", "4194304", "1Gi"]) assert.equal(memoryProblem(ok), undefined, ok);
    for (const bad of ["4194303", "4M", "3.9Mi"])
      assert.notEqual(memoryProblem(bad), undefined, bad);
  });
});
