/**
 * End to end: the policy pack started by the CLI itself — `pulumi preview --policy-pack
 * policy` and `pulumi up --policy-pack policy`, as a person or the workflows run them —
 * with the toolchain's CLI and language host, against the local environment. The stack is
 * named "prod", so the production rules apply (the pack reads the stack's name, which only
 * reaches it through the host's policy proxy). A config the stack's own validation accepts
 * but the pack refuses (one frontend pod in production; a secret-looking plain env var,
 * which lands in a ConfigMap) must fail the preview, naming each rule and its message, and
 * the update must be refused before anything changes. Cases run in order.
 */
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseEvents } from "../../commands/preview-summary/events";
import { renderSummary } from "../../commands/preview-summary/markdown";
import { parseUrn } from "../../commands/preview-summary/preview";
import { type CliResult, pulumiCli } from "../support/e2e/cli";
import { deployment } from "../support/e2e/cluster";
import { kubectl } from "../support/e2e/local-env";
import {
  committedLocalConfig,
  createProject,
  destroyProjects,
  type E2EProject,
  writeConfig,
} from "../support/e2e/project";

const ROOT = join(__dirname, "..", "..");
const PACK = ["--policy-pack", "policy"];
const SECRET_LOOKING = "SESSION_TOKEN";

/** The local stack's `key` object with `patch` merged in. */
function patched(key: string, patch: Record<string, unknown>): Record<string, unknown> {
  return { [key]: { ...(committedLocalConfig()[key] as object), ...patch } };
}

/** What a person reads first when a command did not end as expected. */
const tail = (r: CliResult) => `exit ${r.code}\n${(r.stdout + r.stderr).slice(-4000)}`;

/** The two violations the pack must name: rule and message (the ConfigMap's hash varies). */
function expectedViolations(frontend: string): [string, RegExp][] {
  return [
    [
      "no-secrets-in-configmaps",
      new RegExp(
        `ConfigMap "travel-backend-env-[0-9a-f]{10}": key "${SECRET_LOOKING}" looks like a ` +
          "secret\\. Fix: move it to a Secret \\(travel:appSecrets, set with --secret\\) and read " +
          "it with secretKeyRef\\.",
      ),
    ],
    [
      "prod-frontend-replicas",
      new RegExp(
        `Deployment "${frontend}": the production frontend runs 1 pod\\(s\\) \\(replicas\\); at ` +
          "least 2 are required\\. Fix: set travel:frontend\\.replicas \\(or " +
          "autoscaling\\.minReplicas\\) to 2 or more\\.",
      ),
    ],
  ];
}

/** Each violation's rule, at mandatory level, and its message are in the CLI's output. */
function assertNamed(output: string, frontend: string): void {
  for (const [rule, message] of expectedViolations(frontend)) {
    assert.match(output, new RegExp(`\\[mandatory\\]\\s+${rule}\\b`), `rule ${rule}`);
    assert.match(output, message, `message of ${rule}`);
  }
}

/** What `up` could change: the stack's state and the namespace's objects. */
async function snapshot(p: E2EProject, ns: string): Promise<unknown> {
  const state = (await p.stack.exportStack()).deployment as {
    resources: { urn: string; inputs?: object; outputs?: object }[];
  };
  const objects = (kind: string) =>
    (
      kubectl("get", kind, "-n", ns).items as {
        metadata: { name: string; resourceVersion: string; generation?: number };
      }[]
    )
      .map((o) => `${kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
      .sort();
  return {
    resources: state.resources.map((r) => JSON.stringify([r.urn, r.inputs, r.outputs])),
    objects: ["deployments", "replicasets", "configmaps", "secrets", "services"].flatMap(objects),
  };
}

describe("the policy pack, started by the CLI", { timeout: 30 * 60_000 }, () => {
  let p: E2EProject;
  let frontend: string;

  before(async () => {
    p = await createProject("prod", { namespace: "travel-policy" });
    // The workflows' command line: `--policy-pack policy`, from the project's folder.
    cpSync(join(ROOT, "policy"), join(p.dir, "policy"), { recursive: true });
  });

  after(async () => {
    await destroyProjects(p);
  });

  it("pulumi up --policy-pack policy deploys a compliant prod stack, the pack passing", async () => {
    const res = await pulumiCli(p, ["up", "--yes", ...PACK]);
    assert.equal(res.code, 0, tail(res));
    const d = deployment(p.namespace, "frontend");
    frontend = d.metadata.name;
    assert.equal(d.spec.replicas, 2);
    // The pack ran, over the update's resources, and found nothing.
    assert.match(res.stdout, /Policies:\n\s+✅ travel-policies@v0\.1\.0 \(local: policy\)\n/);
    assert.doesNotMatch(res.stdout + res.stderr, /not supported|❌/);
  });

  it("pulumi preview --policy-pack policy fails on what config validation accepts, naming each rule", async () => {
    await writeConfig(p, {
      ...patched("travel:frontend", { replicas: 1 }),
      ...patched("travel:backend", { env: { [SECRET_LOOKING]: "named-like-a-secret" } }),
    });
    const res = await pulumiCli(p, ["preview", ...PACK]);
    assert.notEqual(res.code, 0, tail(res));
    assert.match(res.stdout, /❌ travel-policies@v0\.1\.0 \(local: policy\)/, tail(res));
    assertNamed(res.stdout, frontend);
    // Config validation said nothing: the pack is what refused.
    assert.doesNotMatch(res.stdout + res.stderr, /Invalid stack configuration/);
  });

  it("the preview's event stream carries the violations, and the PR summary lists them", async () => {
    const res = await pulumiCli(p, ["preview", "--diff", ...PACK, "--json"], {
      PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true",
    });
    assert.notEqual(res.code, 0, tail(res));
    const preview = parseEvents(res.stdout);
    assert.ok(preview, tail(res));
    const mandatory = preview.violations.filter((v) => v.level === "mandatory");
    assert.deepEqual(mandatory.map((v) => [v.policy, parseUrn(v.urn ?? "").name]).sort(), [
      ["no-secrets-in-configmaps", "travel-backend-env"],
      ["prod-frontend-replicas", "travel-frontend"],
    ]);
    for (const [rule, message] of expectedViolations(frontend)) {
      assert.match(mandatory.find((v) => v.policy === rule)?.message ?? "", message, rule);
    }
    const summary = renderSummary(preview, "prod");
    assert.match(summary, /\*\*2 mandatory\*\* \(the preview fails and `pulumi up` is refused\)/);
    assert.match(
      summary,
      /\| \*\*mandatory\*\* \| `prod-frontend-replicas` \| `travel-frontend` \| `kubernetes:apps\/v1:Deployment` \| /,
    );
  });

  it("pulumi up --policy-pack policy is refused and changes nothing", async () => {
    const before = await snapshot(p, p.namespace);
    const res = await pulumiCli(p, ["up", "--yes", ...PACK]);
    assert.notEqual(res.code, 0, tail(res));
    assertNamed(res.stdout, frontend);
    assert.deepEqual(await snapshot(p, p.namespace), before);
    assert.equal(deployment(p.namespace, "frontend").spec.replicas, 2);
    const maps = kubectl("get", "configmaps", "-n", p.namespace).items as { data?: object }[];
    assert.ok(maps.every((m) => !(SECRET_LOOKING in (m.data ?? {}))));
  });
});
