/**
 * The preview summary's pure parts: how a Deployment's image, roll, replicas and
 * resources are worded, the markdown of one-sided changes, and the command line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseArgs } from "../../../../commands/preview-summary/main";
import { fromTo, renderSummary } from "../../../../commands/preview-summary/markdown";
import { UNKNOWN } from "../../../../commands/preview-summary/preview";
import { previewOf, TABLE_HEAD } from "../../../support/preview";
import { diffPaths, formatImage, rollOf } from "../../../../commands/preview-summary/workloads";

describe("workload details", () => {
  const digestRef = `ghcr.io/acme/app@sha256:${"0123456789ab".repeat(5)}abcd`;

  it("formats images with tag and short digest", () => {
    assert.equal(formatImage(digestRef, "3aa7067f00"), "`3aa7067@sha256:0123456789ab`");
    assert.equal(
      formatImage("ghcr.io/acme/app:v2@sha256:abcdef0123456789", "x"),
      "`v2@sha256:abcdef012345`",
    );
    assert.equal(formatImage("localhost:5000/app:v2", undefined), "`v2`");
    assert.equal(formatImage(UNKNOWN, UNKNOWN), "(known after update)");
    assert.equal(formatImage(undefined, undefined), "none");
  });

  it("lists differing leaf paths", () => {
    const before = { a: { b: 1, c: [1, 2] }, d: "x" };
    const after = { a: { b: 2, c: [1, 3] }, e: "y" };
    assert.deepEqual(diffPaths(before, after), ["a.b", "a.c.1", "d", "e"]);
  });

  it("counts an empty list or map as absent, as Kubernetes does", () => {
    assert.deepEqual(diffPaths({ env: null, x: {} }, { env: [], y: [] }), []);
    assert.deepEqual(diffPaths({ env: [] }, { env: [{ name: "A" }] }), ["env.0"]);
  });

  it("tells new, removed and replaced workloads", () => {
    const base = { urn: "u", type: "kubernetes:apps/v1:Deployment", name: "w", replaceReasons: [] };
    assert.equal(rollOf({ ...base, op: "create" }), "new");
    assert.equal(rollOf({ ...base, op: "delete" }), "removed");
    assert.equal(rollOf({ ...base, op: "replace" }), "yes: Deployment replaced");
  });

  it("names containers when a pod has several", () => {
    const state = (image: string, env: string) => ({
      urn: "u",
      type: "kubernetes:apps/v1:Deployment",
      inputs: {
        spec: {
          template: {
            spec: {
              containers: [
                { name: "app", image },
                { name: "proxy", image: "p@sha256:1", env: [{ name: "A", value: env }] },
              ],
            },
          },
        },
      },
    });
    const change = {
      op: "update",
      urn: "u",
      type: "kubernetes:apps/v1:Deployment",
      name: "w",
      replaceReasons: [],
      old: state("a@sha256:1", "1"),
      new: state("a@sha256:2", "2"),
    };
    assert.equal(rollOf(change), "yes: image, pod template (proxy.env)");
  });

  it("shows created and deleted Deployments from their one side", () => {
    const urn = (name: string) => `urn:pulumi:qa::travel::kubernetes:apps/v1:Deployment::${name}`;
    const state = (name: string, replicas: number) => ({
      urn: urn(name),
      type: "kubernetes:apps/v1:Deployment",
      inputs: {
        spec: {
          replicas,
          template: {
            metadata: { labels: { "app.kubernetes.io/version": "abcdef0123" } },
            spec: {
              containers: [
                {
                  name: "c",
                  image: "r/w@sha256:feedfacecafe0000",
                  resources: { requests: { cpu: "1" } },
                },
              ],
            },
          },
        },
      },
    });
    const preview = previewOf({
      steps: [
        { op: "create", urn: urn("worker"), newState: state("worker", 2) },
        { op: "delete", urn: urn("legacy"), oldState: state("legacy", 1) },
      ],
      changeSummary: { create: 1, delete: 1 },
    });
    assert.equal(
      renderSummary(preview),
      "## Preview of `qa`\n\n" +
        "### Policy violations\n\n" +
        "No policy pack ran in this preview (run it with `--policy-pack policy`).\n\n" +
        "### Replaced or deleted\n\n" +
        "| op | resource | type | because of |\n" +
        "|---|---|---|---|\n" +
        "| **delete** | `legacy` | `kubernetes:apps/v1:Deployment` | removed from the program |\n\n" +
        "### Deployments\n\n" +
        TABLE_HEAD +
        "| `worker` | create | `abcdef0@sha256:feedfacecafe` | new | 2 | cpu 1/-, memory -/- |\n" +
        "| `legacy` | delete | `abcdef0@sha256:feedfacecafe` | removed | 1 | cpu 1/-, memory -/- |\n\n" +
        "**Changes:** 1 to create, 1 to delete\n",
    );
  });

  it("renders one side alone when the other is missing or equal", () => {
    assert.equal(fromTo("1", "2"), "1 → 2");
    assert.equal(fromTo("1", "1"), "1");
    assert.equal(fromTo(undefined, "2"), "2");
    assert.equal(fromTo("1", undefined), "1");
  });

  it("takes a file and an optional stack name", () => {
    assert.deepEqual(parseArgs(["e.jsonl"]), { file: "e.jsonl" });
    assert.deepEqual(parseArgs(["--stack", "prod", "e.jsonl"]), {
      file: "e.jsonl",
      stack: "prod",
    });
    assert.throws(() => parseArgs([]), /usage/);
    assert.throws(() => parseArgs(["e.jsonl", "--stack"]), /usage/);
    assert.throws(() => parseArgs(["a.jsonl", "b.jsonl"]), /usage/);
  });
});
