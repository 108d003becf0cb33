/**
 * The preview summary: exact markdown for recorded `pulumi preview --json`
 * documents (test/fixtures/preview), and the pure functions behind it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseArgs } from "../../scripts/preview-summary";
import {
  changeSummaryLine,
  parseDigest,
  parseUrn,
  PreviewDigest,
  resourceChanges,
  UNKNOWN,
} from "../../scripts/preview-summary/digest";
import { fromTo, renderSummary } from "../../scripts/preview-summary/markdown";
import { diffPaths, formatImage, rollOf } from "../../scripts/preview-summary/workloads";

const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "preview");
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.json`), "utf8");
const summary = (name: string, stack?: string) => renderSummary(parseDigest(fixture(name)), stack);

const TABLE_HEAD =
  "| Deployment | op | image | pods roll | replicas | resources (request/limit) |\n" +
  "|---|---|---|---|---|---|\n";
const NOTHING_DESTRUCTIVE = "### Replaced or deleted\n\nNothing is replaced or deleted.\n\n";

describe("preview summary of recorded previews", () => {
  it("a promotion: new image digests roll both workloads", () => {
    assert.equal(
      summary("image-update"),
      "## Preview of `staging`\n\n" +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        "| `travel-backend` | update | `17874e3@sha256:e0007a5bca8d` → `e0ef89f@sha256:da477ce82ec0` " +
        "| yes: image | 1 | cpu 500m/1, memory 512Mi/1Gi |\n" +
        "| `travel-frontend` | update | `17874e3@sha256:255541b1d8c6` → `e0ef89f@sha256:e9174a1bf194` " +
        "| yes: image | 2 | cpu 200m/500m, memory 256Mi/512Mi |\n\n" +
        "**Changes:** 2 to update, 15 unchanged\n",
    );
  });

  it("a replica-only change rolls nothing", () => {
    assert.equal(
      summary("replicas"),
      "## Preview of `prod`\n\n" +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        "| `travel-frontend` | update | `17874e3@sha256:255541b1d8c6` | no | 3 → 4 " +
        "| cpu 500m/1, memory 512Mi/1Gi |\n\n" +
        "**Changes:** 1 to update, 16 unchanged\n",
    );
  });

  it("a rotated secret rolls the pods through the checksum annotation", () => {
    assert.equal(
      summary("secret-roll"),
      "## Preview of `dev`\n\n" +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        "| `travel-backend` | update | `3aa7067@sha256:48d4313a10ac` | yes: secret checksum | 1 " +
        "| cpu 100m/500m, memory 256Mi/512Mi |\n" +
        "| `travel-frontend` | update | `3aa7067@sha256:a4ac3ce5b861` | yes: secret checksum | 1 " +
        "| cpu 50m/250m, memory 128Mi/256Mi |\n\n" +
        "**Changes:** 3 to update, 17 unchanged\n",
    );
  });

  it("flags a replacement and a deletion first, then config rolls", () => {
    assert.equal(
      summary("replace-delete"),
      "## Preview of `staging`\n\n" +
        "### Replaced or deleted\n\n" +
        "| op | resource | type | because of |\n" +
        "|---|---|---|---|\n" +
        "| **replace** | `travel-backend` | `kubernetes:core/v1:Service` | `metadata.name` |\n" +
        "| **delete** | `travel-frontend` | `kubernetes:policy/v1:PodDisruptionBudget` " +
        "| removed from the program |\n\n" +
        "### Deployments\n\n" +
        TABLE_HEAD +
        "| `travel-backend` | update | `17874e3@sha256:e0007a5bca8d` | yes: pod template (resources) " +
        "| 1 | cpu 500m/1, memory 512Mi/1Gi → cpu 750m/1, memory 512Mi/1Gi |\n" +
        "| `travel-frontend` | update | `17874e3@sha256:255541b1d8c6` | yes: pod template (env) " +
        "| 2 → 1 | cpu 200m/500m, memory 256Mi/512Mi |\n\n" +
        "**Changes:** 2 to update, 1 to replace, 1 to delete, 13 unchanged\n",
    );
  });

  it("an image built during the update: tag known, digest not, roll likely", () => {
    assert.equal(
      summary("dev-build", "dev-eu"),
      "## Preview of `dev-eu`\n\n" +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        "| `travel-backend` | update | `3aa7067@sha256:48d4313a10ac` → `e0ef89f` (digest known after " +
        "update) | maybe: image built during update | 1 | cpu 100m/500m, memory 256Mi/512Mi |\n\n" +
        "**Changes:** 2 to update, 18 unchanged\n",
    );
  });

  it("puts the preview's errors first", () => {
    const stackUrn = "urn:pulumi:prod::travel::pulumi:pulumi:Stack::travel-prod";
    const digest = parseDigest(
      JSON.stringify({
        steps: [{ op: "create", urn: stackUrn }],
        diagnostics: [
          { message: "building images\n", severity: "info" },
          {
            urn: stackUrn,
            message:
              "error: Invalid stack configuration (1 problem):\n" +
              '  - travel:hostnames is "" : expected a list of 1 to 16 DNS hostnames\n',
            severity: "error",
          },
        ],
        changeSummary: { create: 1 },
      }),
    );
    assert.equal(
      renderSummary(digest),
      "## Preview of `prod`\n\n" +
        "### Errors\n\n" +
        "```text\n" +
        "error: Invalid stack configuration (1 problem):\n" +
        '  - travel:hostnames is "" : expected a list of 1 to 16 DNS hostnames\n' +
        "```\n\n" +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\nNo Deployment changes.\n\n" +
        "**Changes:** 1 to create\n",
    );
  });

  it("says so when the preview printed nothing", () => {
    assert.equal(parseDigest(" \n"), undefined);
    assert.equal(
      renderSummary(undefined, "dev"),
      "## Preview of `dev`\n\n" +
        "The preview printed no JSON: it failed before planning (see its log).\n",
    );
  });

  it("runs from the command line, reading a file or standard input", () => {
    const script = join(ROOT, "scripts", "preview-summary.ts");
    const run = (args: string[], input?: string) =>
      execFileSync(process.execPath, ["--import", "tsx", script, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        ...(input !== undefined ? { input } : {}),
      });
    assert.equal(run([join(FIXTURES, "replicas.json")]), summary("replicas"));
    assert.equal(
      run(["-", "--stack", "prod-eu"], fixture("replicas")),
      summary("replicas", "prod-eu"),
    );
  });
});

describe("preview digest", () => {
  const deploymentUrn =
    "urn:pulumi:dev::travel::travel:k8s:Backend$kubernetes:apps/v1:Deployment::travel-backend";

  it("parses URNs of nested resources", () => {
    assert.deepEqual(parseUrn(deploymentUrn), {
      stack: "dev",
      type: "kubernetes:apps/v1:Deployment",
      name: "travel-backend",
    });
  });

  it("collapses the steps of a replacement into one change with its reasons", () => {
    const changes = resourceChanges(parseDigest(fixture("replace-delete")) ?? {});
    assert.deepEqual(
      changes.map((c) => [c.op, c.type, c.name, c.replaceReasons]),
      [
        ["same", "pulumi:pulumi:Stack", "travel-staging", []],
        ["replace", "kubernetes:core/v1:Service", "travel-backend", ["metadata.name"]],
        ["update", "kubernetes:apps/v1:Deployment", "travel-backend", []],
        ["update", "kubernetes:apps/v1:Deployment", "travel-frontend", []],
        ["delete", "kubernetes:policy/v1:PodDisruptionBudget", "travel-frontend", []],
      ],
    );
  });

  it("falls back to the replace keys without a detailed diff", () => {
    const digest: PreviewDigest = {
      steps: [{ op: "replace", urn: deploymentUrn, replaceReasons: ["spec"], detailedDiff: null }],
    };
    assert.deepEqual(resourceChanges(digest)[0]?.replaceReasons, ["spec"]);
  });

  it("words the change summary like Pulumi, counting steps when it is missing", () => {
    assert.equal(
      changeSummaryLine({
        changeSummary: { same: 9, delete: 1, create: 2, replace: 1, update: 3 },
      }),
      "2 to create, 3 to update, 1 to replace, 1 to delete, 9 unchanged",
    );
    assert.equal(
      changeSummaryLine({ steps: [{ op: "create", urn: deploymentUrn }] }),
      "1 to create",
    );
    assert.equal(changeSummaryLine({}), "no changes");
  });

  it("refuses documents that are not previews", () => {
    assert.throws(() => parseDigest("[]"), /expected a JSON object/);
    assert.throws(() => parseDigest('{"steps": {}}'), /`steps` is not a list/);
    assert.throws(() => parseDigest('{"steps": [{"op": "same"}]}'), /steps\[0\] lacks op or urn/);
  });
});

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
    const digest: PreviewDigest = {
      steps: [
        { op: "create", urn: urn("worker"), newState: state("worker", 2) },
        { op: "delete", urn: urn("legacy"), oldState: state("legacy", 1) },
      ],
      changeSummary: { create: 1, delete: 1 },
    };
    assert.equal(
      renderSummary(digest),
      "## Preview of `qa`\n\n" +
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
    assert.deepEqual(parseArgs(["p.json"]), { file: "p.json" });
    assert.deepEqual(parseArgs(["--stack", "prod", "p.json"]), { file: "p.json", stack: "prod" });
    assert.throws(() => parseArgs([]), /usage/);
    assert.throws(() => parseArgs(["p.json", "--stack"]), /usage/);
    assert.throws(() => parseArgs(["a.json", "b.json"]), /usage/);
  });
});
