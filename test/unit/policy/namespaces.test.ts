/**
 * The namespace-pod-security-restricted rule (policy/rules/namespaces.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeResource, Fields, messages, NS, validateResource } from "../../support/policy";
import { namespaceRestricted } from "../../../policy/rules/namespaces";

describe("policy namespace-pod-security-restricted", () => {
  const ns = (labels: Fields): FakeResource => ({
    type: "kubernetes:core/v1:Namespace",
    name: "travel",
    props: { metadata: { name: NS, labels } },
  });

  it("passes restricted", async () => {
    const result = await validateResource(
      namespaceRestricted,
      ns({ "pod-security.kubernetes.io/enforce": "restricted" }),
    );
    assert.deepEqual(messages(result), []);
  });

  it("reports a weaker or missing level", async () => {
    const baseline = await validateResource(
      namespaceRestricted,
      ns({ "pod-security.kubernetes.io/enforce": "baseline" }),
    );
    assert.deepEqual(messages(baseline), [
      'Namespace "app-travelexample": Pod Security enforce level is "baseline". Fix: label it ' +
        "pod-security.kubernetes.io/enforce: restricted (the Namespace component does).",
    ]);
    assert.match(
      messages(await validateResource(namespaceRestricted, ns({})))[0]!,
      /level is unset/,
    );
  });
});
