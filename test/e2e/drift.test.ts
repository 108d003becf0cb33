/**
 * Faults: the cluster edited by hand (drift), a rotated app secret, and `destroy` of a
 * protected stack. Drift shows in `preview --refresh` and `up --refresh` restores it; a
 * rotated secret rolls exactly the pods that read it, losing no request and leaving no
 * value behind; a protected namespace refuses `destroy` and nothing is deleted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deployment, pods } from "../support/e2e/cluster";
import type { WorkloadName } from "../../src/names";
import { pulumiCli } from "../support/e2e/cli";
import { RequestLoop, viaGateway, stopAfter } from "../support/e2e/http";
import { kubectl, kubectlGet, KUBECONFIG } from "../support/e2e/local-env";
import {
  deployProject,
  destroyProjects,
  type E2EProject,
  hostnameOf,
  setSecret,
  stateFileText,
  up,
  writeConfig,
} from "../support/e2e/project";
import { execFileSync } from "node:child_process";

const NS = "travel-drift";
const kubectlRun = (...args: string[]) =>
  execFileSync(
    process.env.TRAVEL_KUBECTL ?? "kubectl",
    ["--kubeconfig", KUBECONFIG, "-n", NS, ...args],
    {
      encoding: "utf8",
    },
  );
const podNames = (w: WorkloadName) =>
  pods(NS, w)
    .map((x) => x.metadata.name)
    .sort();
const secretRef = (w: WorkloadName, env: string): { name: string; key: string } =>
  deployment(NS, w).spec.template.spec.containers[0].env.find(
    (e: { name: string }) => e.name === env,
  ).valueFrom.secretKeyRef;
const envNames = (w: WorkloadName) =>
  (deployment(NS, w).spec.template.spec.containers[0].env ?? []).map(
    (e: { name: string }) => e.name,
  );

describe("drift, secret rotation and protection", () => {
  let p: E2EProject;

  before(async () => {
    p = await deployProject("drift", { namespace: NS });
  });

  after(async () => {
    await writeConfig(p, {}).catch(() => undefined);
    await up(p).catch(() => undefined);
    await destroyProjects(p);
  });

  it("hand edits show in preview --refresh, and up --refresh restores the config", async () => {
    const frontend = deployment(NS, "frontend").metadata.name as string;
    const backend = deployment(NS, "backend").metadata.name as string;
    kubectlRun("scale", `deployment/${frontend}`, "--replicas=1");
    // An env var the program sets, pointed at another key of the Secret (a `kubectl edit`).
    const secretName = secretRef("backend", "GOOGLE_MAPS_API_KEY").name;
    const edit = {
      name: "GOOGLE_MAPS_API_KEY",
      valueFrom: { secretKeyRef: { name: secretName, key: "OPENAI_API_KEY" } },
    };
    kubectlRun(
      "patch",
      `deployment/${backend}`,
      "-p",
      JSON.stringify({
        spec: { template: { spec: { containers: [{ name: "backend", env: [edit] }] } } },
      }),
    );
    assert.equal(secretRef("backend", "GOOGLE_MAPS_API_KEY").key, "OPENAI_API_KEY");
    // An env var the program does not set.
    kubectlRun("set", "env", `deployment/${backend}`, "EDITED_BY_HAND=1");
    kubectlRun("delete", "service", "travel-frontend-service");

    const preview = await pulumiCli(p, ["preview", "--refresh", "--diff"]);
    assert.equal(preview.code, 0, `${preview.stdout.slice(-3000)}\n${preview.stderr}`);
    assert.match(
      preview.stdout,
      /~ kubernetes:apps\/v1:Deployment: \(update\)[\s\S]*replicas\s*: 1 => 2/,
    );
    assert.match(preview.stdout, /EDITED_BY_HAND/);
    assert.match(
      preview.stdout,
      /\+ kubernetes:core\/v1:Service: \(create\)[\s\S]*travel-frontend-service/,
    );

    const fixed = await pulumiCli(p, ["up", "--refresh", "--yes", "--skip-preview"]);
    assert.equal(fixed.code, 0, `${fixed.stdout.slice(-3000)}\n${fixed.stderr}`);
    assert.equal(deployment(NS, "frontend").spec.replicas, 2);
    assert.equal(secretRef("backend", "GOOGLE_MAPS_API_KEY").key, "GOOGLE_MAPS_API_KEY");
    // A variable the program does not set is shown by the refresh but is not the
    // program's to remove (README, troubleshooting): this test leaves it out of its verdict.
    if (envNames("backend").includes("EDITED_BY_HAND"))
      kubectlRun("set", "env", `deployment/${backend}`, "EDITED_BY_HAND-");
    assert.ok(kubectlGet("service", "travel-frontend-service", "-n", NS), "the Service is back");
    process.stderr.write(
      `# drift shown by preview --refresh in ${preview.seconds.toFixed(1)}s, restored by up --refresh in ${fixed.seconds.toFixed(1)}s\n`,
    );
  });

  it("a rotated secret rolls only the pods that read it, losing no request, leaving no value", async (t) => {
    const [oldKey] = p.secretValues;
    const newKey = `sk-e2e-${Date.now()}-rotated`;
    const frontendBefore = podNames("frontend");
    const backendBefore = podNames("backend");
    const loop = new RequestLoop(() => viaGateway(hostnameOf(p)));
    stopAfter(t, loop);
    setSecret(
      p,
      "travel:appSecrets",
      JSON.stringify({ OPENAI_API_KEY: newKey, GOOGLE_MAPS_API_KEY: p.secretValues[1] }),
    );
    const started = Date.now();
    await up(p);
    const seconds = (Date.now() - started) / 1000;
    const result = await loop.stop();

    assert.deepEqual(
      podNames("frontend"),
      frontendBefore,
      "the frontend (no secret) kept its pods",
    );
    const backendAfter = podNames("backend");
    assert.ok(
      backendAfter.every((n) => !backendBefore.includes(n)),
      `the backend rolled: ${backendBefore} -> ${backendAfter}`,
    );
    assert.ok(result.total > 20, `the loop ran (${result.total} requests)`);
    assert.deepEqual(result.failures, [], `${result.failed} of ${result.total} requests failed`);

    const secret = kubectl(
      "get",
      "secret",
      "-n",
      NS,
      "-l",
      "app.kubernetes.io/part-of=coagents-travel",
    );
    const app = secret.items.find((s: { type: string }) => s.type === "Opaque");
    assert.equal(Buffer.from(app.data.OPENAI_API_KEY, "base64").toString(), newKey);
    const outputs = JSON.stringify(await p.stack.outputs());
    for (const v of [oldKey!, newKey]) {
      assert.ok(!stateFileText(p).includes(v), "no secret value in the state file");
      assert.ok(!outputs.includes(v), "no secret value in the outputs");
      assert.ok(!p.output.join("\n").includes(v), "no secret value in the CLI output");
    }
    p.secretValues[0] = newKey;
    process.stderr.write(
      `# secret rotation: up ${seconds.toFixed(1)}s, ${result.total} requests, ${result.failed} lost\n`,
    );
  });

  it("destroy of a protected stack is refused and deletes nothing", async () => {
    await writeConfig(p, { "travel:protect": true });
    await up(p);
    const before = JSON.stringify(
      kubectl("get", "deployments,services,secrets", "-n", NS)
        .items.map((o: { metadata: { uid: string } }) => o.metadata.uid)
        .sort(),
    );
    const destroy = await pulumiCli(p, ["destroy", "--yes", "--skip-preview"]);
    assert.notEqual(destroy.code, 0, "destroy failed");
    assert.match(`${destroy.stdout}${destroy.stderr}`, /protected/);
    const after = JSON.stringify(
      kubectl("get", "deployments,services,secrets", "-n", NS)
        .items.map((o: { metadata: { uid: string } }) => o.metadata.uid)
        .sort(),
    );
    assert.equal(after, before, "every object is still there");
    process.stderr.write(`# protected destroy refused in ${destroy.seconds.toFixed(1)}s\n`);
  });
});
