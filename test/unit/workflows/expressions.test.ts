/**
 * The workflow runner's expression language (test/support/workflows/expressions.ts) against what
 * GitHub documents: loose equality, operands returned by || and &&, format(), and the
 * implicit success() of a condition.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { condition, evaluate, interpolate } from "../../support/workflows/expressions";

describe("the workflow runner's expressions", () => {
  const ctx = {
    vars: { EMPTY: "", SET: "x" },
    secrets: { PREVIEW_KUBECONFIG_DEV: "k" },
    matrix: { stack: "dev" },
    github: {
      repository: "acme/travel",
      event: { pull_request: { head: { repo: { full_name: "fork/travel" } } } },
    },
  };
  it("compares like GitHub: missing is null, null equals '', strings ignore case", () => {
    assert.equal(evaluate("vars.MISSING == ''", ctx), true);
    assert.equal(evaluate("vars.EMPTY != ''", ctx), false);
    assert.equal(evaluate("matrix.stack == 'DEV'", ctx), true);
    assert.equal(evaluate("'false' == false", ctx), false);
    assert.equal(
      evaluate("github.event.pull_request.head.repo.full_name != github.repository", ctx),
      true,
    );
  });
  it("returns operands from || and &&, and formats", () => {
    assert.equal(evaluate("vars.EMPTY || vars.SET", ctx), "x");
    assert.equal(evaluate("vars.SET && vars.EMPTY", ctx), "");
    assert.equal(evaluate("secrets[format('PREVIEW_KUBECONFIG_{0}', matrix.stack)]", ctx), "k");
    assert.equal(interpolate("a-${{ matrix.stack }}-${{ vars.MISSING }}", ctx), "a-dev-");
  });
  it("adds success() to a condition without a status function", () => {
    assert.equal(condition("vars.SET == 'x'", ctx, true), false);
    assert.equal(condition("always() && vars.SET == 'x'", ctx, true), true);
    assert.equal(condition(undefined, ctx, false), true);
    assert.throws(() => evaluate("vars.SET ===", ctx), /cannot read|expected|unexpected/);
  });
});
