/**
 * The label-selector matching the stack rules share (policy/rules/stack-index.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selects, serviceSelects } from "../../../policy/rules/stack-index";

describe("label selectors", () => {
  const labels = { app: "web", tier: "front" };

  it("match labels and every expression operator", () => {
    assert.equal(selects({ matchLabels: { app: "web" } }, labels), true);
    assert.equal(selects({ matchLabels: { app: "api" } }, labels), false);
    assert.equal(selects({}, labels), true);
    const expr = (operator: string, values?: string[]) =>
      selects(
        { matchExpressions: [{ key: "tier", operator, ...(values ? { values } : {}) }] },
        labels,
      );
    assert.deepEqual(
      [
        expr("In", ["front"]),
        expr("In", ["back"]),
        expr("NotIn", ["front"]),
        expr("NotIn", ["back"]),
      ],
      [true, false, false, true],
    );
    assert.deepEqual([expr("Exists"), expr("DoesNotExist"), expr("Bogus")], [true, false, false]);
  });

  it("treat an empty Service selector as selecting nothing", () => {
    assert.equal(serviceSelects({ spec: {} }, labels), false);
    assert.equal(serviceSelects({ spec: { selector: { app: "web" } } }, labels), true);
  });
});
