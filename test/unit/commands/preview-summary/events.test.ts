/**
 * Reading a preview's engine event stream (commands/preview-summary/events.ts), its policy
 * section, the recorder's normalisation (tools/preview-fixtures/normalise.ts) and the
 * hygiene of the recorded fixtures: no secret, no path of the recording machine.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MACHINE_PATH, normaliseEvents } from "../../../../tools/preview-fixtures/normalise";
import { parseEvents, uncolour } from "../../../../commands/preview-summary/events";
import { renderSummary } from "../../../../commands/preview-summary/markdown";
import { byLevel, cell, policySection } from "../../../../commands/preview-summary/policy";

const FIXTURES = join(__dirname, "..", "..", "..", "fixtures", "preview");
const STACK_URN = "urn:pulumi:prod::travel::pulumi:pulumi:Stack::travel-prod";
const lines = (...events: object[]) => events.map((e) => JSON.stringify(e)).join("\n");
const violation = (
  policyName: string,
  enforcementLevel: string,
  message: string,
  urn?: string,
) => ({
  policyEvent: {
    ...(urn ? { resourceUrn: urn } : {}),
    message,
    color: "raw",
    policyName,
    policyPackName: "travel-policies",
    policyPackVersion: "0.1.0",
    enforcementLevel,
  },
});

describe("preview event stream", () => {
  it("keeps errors and violations, drops debug and ephemeral messages and colour codes", () => {
    const preview = parseEvents(
      lines(
        { sequence: 0, policyLoadEvent: {} },
        { diagnosticEvent: { message: "noise\n", severity: "debug", color: "never" } },
        {
          diagnosticEvent: { message: "50%\n", severity: "info", ephemeral: true, color: "never" },
        },
        {
          diagnosticEvent: {
            urn: STACK_URN,
            prefix: "<{%fg 1%}>error: <{%reset%}>",
            message: "preview failed\n",
            severity: "error",
            color: "raw",
          },
        },
        violation(
          "no-plain-secret-env",
          "mandatory",
          '<{%fg 12%}>env "A_TOKEN" is plain<{%reset%}>\n',
        ),
        { summaryEvent: { resourceChanges: { create: 3 }, PolicyPacks: {}, result: "failed" } },
      ),
    );
    assert.deepEqual(preview, {
      steps: [],
      diagnostics: [{ urn: STACK_URN, message: "error: preview failed\n", severity: "error" }],
      violations: [
        {
          policy: "no-plain-secret-env",
          pack: "travel-policies@0.1.0",
          level: "mandatory",
          message: 'env "A_TOKEN" is plain',
        },
      ],
      policyPacks: ["travel-policies@0.1.0"],
      changeSummary: { create: 3 },
    });
  });

  it("maps a step's keys and detailed diff", () => {
    const urn = "urn:pulumi:dev::travel::kubernetes:core/v1:Service::api";
    const preview = parseEvents(
      lines({
        resourcePreEvent: {
          metadata: {
            op: "replace",
            urn,
            type: "kubernetes:core/v1:Service",
            old: { urn, type: "kubernetes:core/v1:Service", inputs: { a: 1 }, outputs: null },
            new: null,
            keys: ["metadata.name"],
            detailedDiff: { "metadata.name": { diffKind: "update-replace", inputDiff: true } },
          },
          planning: true,
        },
      }),
    );
    assert.deepEqual(preview?.steps, [
      {
        op: "replace",
        urn,
        oldState: { urn, type: "kubernetes:core/v1:Service", inputs: { a: 1 } },
        replaceReasons: ["metadata.name"],
        detailedDiff: { "metadata.name": { kind: "update-replace", inputDiff: true } },
      },
    ]);
  });

  it("refuses text that is not one engine event per line, naming the line", () => {
    assert.throws(() => parseEvents('{"cancelEvent":{}}\n{"steps": ['), {
      message: "line 2 is not JSON: expected one engine event per line",
    });
    assert.throws(() => parseEvents("[]"), {
      message: "line 1 is not an engine event: expected a JSON object",
    });
    assert.throws(() => parseEvents('{"resourcePreEvent":{"metadata":{"op":"same"}}}'), {
      message: "line 1: resourcePreEvent.metadata lacks op or urn",
    });
  });

  it("strips Pulumi's colour directives only", () => {
    assert.equal(uncolour("<{%bold%}>a<{%reset%}> < b >"), "a < b >");
  });
});

describe("policy section", () => {
  const urn = "urn:pulumi:prod::travel::travel:k8s:Frontend$kubernetes:apps/v1:Deployment::web";

  it("puts errors first, then mandatory violations before advisory ones", () => {
    const preview = parseEvents(
      lines(
        { diagnosticEvent: { prefix: "error: ", message: "preview failed\n", severity: "error" } },
        violation("route-hostnames", "advisory", "HTTPRoute lists no hostnames\n", urn),
        violation("prod-frontend-replicas", "mandatory", "Needs 2 pods.\nFix: a | b\n"),
      ),
    );
    assert.equal(
      renderSummary(preview, "prod"),
      "## Preview of `prod`\n\n" +
        "### Errors\n\n```text\nerror: preview failed\n```\n\n" +
        "### Policy violations\n\n" +
        "**1 mandatory** (the preview fails and `pulumi up` is refused), 1 advisory, " +
        "from `travel-policies@0.1.0`:\n\n" +
        "| level | policy | resource | type | message |\n" +
        "|---|---|---|---|---|\n" +
        "| **mandatory** | `prod-frontend-replicas` | (the stack) |  | Needs 2 pods.<br>Fix: a \\| b |\n" +
        "| advisory | `route-hostnames` | `web` | `kubernetes:apps/v1:Deployment` " +
        "| HTTPRoute lists no hostnames |\n\n" +
        "### Replaced or deleted\n\nNothing is replaced or deleted.\n\n" +
        "### Deployments\n\nNo Deployment changes.\n\n" +
        "**Changes:** no changes\n",
    );
  });

  it("tells a pack that found nothing from no pack at all", () => {
    assert.deepEqual(policySection({ violations: [], policyPacks: ["p@1"] }), [
      "### Policy violations",
      "",
      "None: `p@1` reported nothing.",
      "",
    ]);
    assert.equal(
      policySection({ violations: [], policyPacks: [] })[2],
      "No policy pack ran in this preview (run it with `--policy-pack policy`).",
    );
  });

  it("orders by level, keeping the engine's order within one", () => {
    const v = (policy: string, level: string) => ({ policy, level, pack: "p@1", message: "" });
    assert.deepEqual(
      byLevel([v("a", "advisory"), v("b", "mandatory"), v("c", "other"), v("d", "mandatory")]).map(
        (x) => x.policy,
      ),
      ["b", "d", "a", "c"],
    );
    assert.equal(cell(" a|b\nc \n"), "a\\|b<br>c");
  });
});

describe("recording fixtures", () => {
  const opts = {
    paths: [
      ["/tmp/e2e-1", "<e2e>"],
      ["/tmp/e2e-1/project", "<project>"],
    ] as const,
    secrets: ["s3cr3t-value"],
  };

  it("drops debug events and replaces the machine's folders, longest first", () => {
    const text = lines(
      { diagnosticEvent: { message: "Running /tmp/e2e-1/project/index.ts", severity: "debug" } },
      { diagnosticEvent: { message: "read /tmp/e2e-1/project/Pulumi.yaml", severity: "info" } },
      { preludeEvent: { config: { "travel:images": "/tmp/e2e-1/source/backend" } } },
    );
    assert.equal(
      normaliseEvents(`${text}\n\n`, opts),
      lines(
        { diagnosticEvent: { message: "read <project>/Pulumi.yaml", severity: "info" } },
        { preludeEvent: { config: { "travel:images": "<e2e>/source/backend" } } },
      ) + "\n",
    );
  });

  it("refuses a secret (naming it by number, not value), a left path or a line that is not JSON", () => {
    const leak = lines({ diagnosticEvent: { message: "token s3cr3t-value", severity: "info" } });
    assert.throws(() => normaliseEvents(leak, opts), {
      message: "recorded events hold secret #1 of the recording (value not shown)",
    });
    const path = lines({ diagnosticEvent: { message: "at /root/.npm/x.js", severity: "info" } });
    assert.throws(() => normaliseEvents(path, opts), {
      message: "recorded events hold a path of this machine: /root/.npm/x.js (add a placeholder)",
    });
    assert.throws(() => normaliseEvents("{}\nnot json", opts), /line 2 is not JSON/);
  });

  it("the committed fixtures are the six recorded previews, clean", () => {
    const files = readdirSync(FIXTURES).sort();
    assert.deepEqual(files, [
      "fresh-build.jsonl",
      "image-update.jsonl",
      "policy-violations.jsonl",
      "replace-delete.jsonl",
      "replicas.jsonl",
      "secret-roll.jsonl",
    ]);
    for (const f of files) {
      const text = readFileSync(join(FIXTURES, f), "utf8");
      assert.equal(MACHINE_PATH.exec(text)?.[1], undefined, f);
      // The e2e support's and the recorder's secret values have these shapes.
      assert.doesNotMatch(text, /sk-e2e-|maps-e2e-|sk-record-/, f);
      // Secrets reach the stream only masked: the secret config, and the Secrets' data.
      assert.match(text, /"travel:appSecrets":"\[secret\]"/, f);
      assert.match(text, /"ciphertext":"\[secret\]"/, f);
      const events = text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as object);
      assert.ok(
        events.every(
          (e) =>
            !("diagnosticEvent" in e) ||
            (e as { diagnosticEvent: { severity: string } }).diagnosticEvent.severity !== "debug",
        ),
        `${f} holds debug events`,
      );
    }
  });
});
