/**
 * The preview summary: exact markdown for engine event streams recorded from real
 * previews of this program on the local environment (test/fixtures/preview, made by
 * tools/preview-fixtures/record.ts), and the pure functions behind it. Re-recording
 * changes the SHAs and digests below.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseEvents } from "../../../../commands/preview-summary/events";
import { renderSummary } from "../../../../commands/preview-summary/markdown";
import {
  changeSummaryLine,
  parseUrn,
  resourceChanges,
} from "../../../../commands/preview-summary/preview";
import { previewOf, TABLE_HEAD } from "../../../support/preview";

const ROOT = join(__dirname, "..", "..", "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "preview");
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.jsonl`), "utf8");
const summary = (name: string, stack?: string) => renderSummary(parseEvents(fixture(name)), stack);

const NOTHING_DESTRUCTIVE = "### Replaced or deleted\n\nNothing is replaced or deleted.\n\n";
const PACK = "`travel-policies@0.1.0`";
const PASSED = `### Policy violations\n\nNone: ${PACK} reported nothing.\n\n`;
const VIOLATIONS_HEAD =
  "| level | policy | resource | type | message |\n" + "|---|---|---|---|---|\n";
const CANT_RUN = (workload: string) =>
  `| advisory | \`images-pinned-by-digest\` | \`travel-${workload}\` | \`kubernetes:apps/v1:Deployment\` ` +
  "| can't run policy 'images-pinned-by-digest' from policy pack 'travel-policies@v0.1.0' during " +
  "preview: string value at .spec.template.spec.containers.0.image can't be known during preview |\n";
/**
 * What differs between recordings (tools/preview-fixtures/record.ts): the fixture
 * source's commits (short SHAs), the digests the registry gave the first build, and the
 * name the provider gave the prod frontend's Deployment. Re-recording changes these only.
 */
const DEV_SHA = "02d73b5";
const DEV_UPDATED_SHA = "cb55143";
const BACKEND_IMAGE = `\`${DEV_SHA}@sha256:8d1993b87761\``;
const FRONTEND_IMAGE = `\`${DEV_SHA}@sha256:af946ff65c0b\``;
const PROD_SHA = "151592d";
const PROD_FRONTEND = "travel-frontend-78f2f4fc";

/** A build's preview: the digests, so the image rule, are known only after the update. */
const CANT_RUN_BOTH =
  "### Policy violations\n\n" +
  `2 advisory (reported, not enforced), from ${PACK}:\n\n` +
  VIOLATIONS_HEAD +
  CANT_RUN("backend") +
  CANT_RUN("frontend") +
  "\n";
/** The local stack's resources, as both workloads are given them. */
const BACKEND_RESOURCES = "cpu 50m/250m, memory 32Mi/64Mi";
const FRONTEND_RESOURCES = "cpu 25m/250m, memory 32Mi/64Mi";

describe("preview summary of recorded previews", () => {
  it("a fresh build: everything new, tags known, digests and the image policy after the update", () => {
    assert.equal(
      summary("fresh-build"),
      "## Preview of `dev`\n\n" +
        CANT_RUN_BOTH +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        `| \`travel-backend\` | create | \`${DEV_SHA}\` (digest known after update) | new | 1 | ${BACKEND_RESOURCES} |\n` +
        `| \`travel-frontend\` | create | \`${DEV_SHA}\` (digest known after update) | new | 2 | ${FRONTEND_RESOURCES} |\n\n` +
        "**Changes:** 27 to create\n",
    );
  });

  it("a source change: both images rebuilt, so both workloads may roll", () => {
    assert.equal(
      summary("image-update"),
      "## Preview of `dev`\n\n" +
        CANT_RUN_BOTH +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        `| \`travel-backend\` | update | ${BACKEND_IMAGE} → \`${DEV_UPDATED_SHA}\` (digest known after update) ` +
        `| maybe: image built during update | 1 | ${BACKEND_RESOURCES} |\n` +
        `| \`travel-frontend\` | update | ${FRONTEND_IMAGE} → \`${DEV_UPDATED_SHA}\` (digest known after update) ` +
        `| maybe: image built during update | 2 | ${FRONTEND_RESOURCES} |\n\n` +
        "**Changes:** 6 to update, 1 to read, 21 unchanged\n",
    );
  });

  it("a replica-only change rolls nothing", () => {
    assert.equal(
      summary("replicas"),
      "## Preview of `dev`\n\n" +
        PASSED +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        `| \`travel-frontend\` | update | ${FRONTEND_IMAGE} | no | 2 → 3 | ${FRONTEND_RESOURCES} |\n\n` +
        "**Changes:** 2 to update, 1 to read, 25 unchanged\n",
    );
  });

  it("a rotated secret: a new Secret, and only the workload that reads it rolls", () => {
    assert.equal(
      summary("secret-roll"),
      "## Preview of `dev`\n\n" +
        PASSED +
        "### Replaced or deleted\n\n" +
        "| op | resource | type | because of |\n" +
        "|---|---|---|---|\n" +
        "| **replace** | `travel-secrets` | `kubernetes:core/v1:Secret` | `data.OPENAI_API_KEY` |\n\n" +
        "### Deployments\n\n" +
        TABLE_HEAD +
        `| \`travel-backend\` | update | ${BACKEND_IMAGE} ` +
        `| yes: secret checksum, pod template (env) | 1 | ${BACKEND_RESOURCES} |\n\n` +
        "**Changes:** 2 to update, 1 to replace, 1 to read, 24 unchanged\n",
    );
  });

  it("flags replacements and a deletion first, then the roll they cause", () => {
    assert.equal(
      summary("replace-delete"),
      "## Preview of `dev`\n\n" +
        PASSED +
        "### Replaced or deleted\n\n" +
        "| op | resource | type | because of |\n" +
        "|---|---|---|---|\n" +
        "| **replace** | `travel-backend` | `kubernetes:core/v1:Service` | `metadata.name` |\n" +
        "| **replace** | `travel-frontend-env` | `kubernetes:core/v1:ConfigMap` " +
        "| `data.REMOTE_ACTION_URL`, `metadata.name` |\n" +
        "| **delete** | `travel-frontend` | `kubernetes:policy/v1:PodDisruptionBudget` " +
        "| removed from the program |\n\n" +
        "### Deployments\n\n" +
        TABLE_HEAD +
        `| \`travel-frontend\` | update | ${FRONTEND_IMAGE} | yes: pod template (envFrom) ` +
        `| 2 → 1 | ${FRONTEND_RESOURCES} |\n\n` +
        "**Changes:** 2 to update, 2 to replace, 1 to delete, 1 to read, 22 unchanged\n",
    );
  });

  it("puts the failed preview and the pack's mandatory violations first", () => {
    assert.equal(
      summary("policy-violations"),
      "## Preview of `prod`\n\n" +
        "### Errors\n\n```text\nerror: preview failed\n```\n\n" +
        "### Policy violations\n\n" +
        `**2 mandatory** (the preview fails and \`pulumi up\` is refused), 2 advisory, from ${PACK}:\n\n` +
        VIOLATIONS_HEAD +
        "| **mandatory** | `no-secrets-in-configmaps` | `travel-backend-env` | `kubernetes:core/v1:ConfigMap` " +
        "| ConfigMaps hold no secret-looking keys (*KEY*, *TOKEN*, *SECRET*, *PASSWORD*).<br>" +
        'ConfigMap "travel-backend-env-56eec0eca7": key "SESSION_TOKEN" looks like a secret. Fix: move it ' +
        "to a Secret (travel:appSecrets, set with --secret) and read it with secretKeyRef. |\n" +
        "| **mandatory** | `prod-frontend-replicas` | `travel-frontend` | `kubernetes:apps/v1:Deployment` " +
        "| In production the frontend runs at least 2 pods (replicas, or the HPA's minReplicas).<br>" +
        `Deployment "${PROD_FRONTEND}": the production frontend runs 1 pod(s) (replicas); at ` +
        "least 2 are required. Fix: set travel:frontend.replicas (or autoscaling.minReplicas) to 2 or more. |\n" +
        CANT_RUN("backend") +
        CANT_RUN("frontend") +
        "\n" +
        NOTHING_DESTRUCTIVE +
        "### Deployments\n\n" +
        TABLE_HEAD +
        `| \`travel-backend\` | create | \`${PROD_SHA}\` (digest known after update) | new | 1 | ${BACKEND_RESOURCES} |\n` +
        `| \`travel-frontend\` | create | \`${PROD_SHA}\` (digest known after update) | new | 1 | ${FRONTEND_RESOURCES} |\n\n` +
        "**Changes:** 26 to create\n",
    );
  });

  it("says so when the preview printed nothing", () => {
    assert.equal(parseEvents(" \n"), undefined);
    assert.equal(
      renderSummary(undefined, "dev"),
      "## Preview of `dev`\n\n" +
        "The preview printed no events: it failed before planning (see its log).\n",
    );
  });

  it("runs from the command line, reading a file or standard input", () => {
    const script = join(ROOT, "commands", "preview-summary", "main.ts");
    const run = (args: string[], input?: string) =>
      execFileSync(process.execPath, ["--require", "tsx/cjs", script, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        ...(input !== undefined ? { input } : {}),
      });
    assert.equal(run([join(FIXTURES, "replicas.jsonl")]), summary("replicas"));
    assert.equal(
      run(["-", "--stack", "prod-eu"], fixture("policy-violations")),
      summary("policy-violations", "prod-eu"),
    );
  });
});

describe("preview changes", () => {
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
    const preview = parseEvents(fixture("replace-delete"))!;
    const service = preview.steps.filter((s) => s.urn.endsWith("Service::travel-backend"));
    assert.deepEqual(
      service.map((s) => s.op),
      ["create-replacement", "replace", "delete-replaced"],
    );
    assert.deepEqual(
      resourceChanges(preview)
        .filter((c) => c.op !== "same")
        .map((c) => [c.op, c.type, c.name, c.replaceReasons]),
      [
        ["read", "pulumi:pulumi:StackReference", "organization/travel/dev-own-images", []],
        ["replace", "kubernetes:core/v1:Service", "travel-backend", ["metadata.name"]],
        [
          "replace",
          "kubernetes:core/v1:ConfigMap",
          "travel-frontend-env",
          ["data.REMOTE_ACTION_URL", "metadata.name"],
        ],
        ["update", "kubernetes:apps/v1:Deployment", "travel-frontend", []],
        ["update", "pulumi-nodejs:dynamic/rollout:Rollout", "travel-frontend", []],
        ["delete", "kubernetes:policy/v1:PodDisruptionBudget", "travel-frontend", []],
      ],
    );
  });

  it("falls back to the replace keys without a detailed diff", () => {
    const preview = previewOf({
      steps: [{ op: "replace", urn: deploymentUrn, replaceReasons: ["spec"], detailedDiff: null }],
    });
    assert.deepEqual(resourceChanges(preview)[0]?.replaceReasons, ["spec"]);
  });

  it("words the change summary like Pulumi, counting steps when it is missing", () => {
    assert.equal(
      changeSummaryLine({
        steps: [],
        changeSummary: { same: 9, delete: 1, create: 2, replace: 1, update: 3 },
      }),
      "2 to create, 3 to update, 1 to replace, 1 to delete, 9 unchanged",
    );
    assert.equal(
      changeSummaryLine({ steps: [{ op: "create", urn: deploymentUrn }] }),
      "1 to create",
    );
    assert.equal(changeSummaryLine({ steps: [] }), "no changes");
  });
});
