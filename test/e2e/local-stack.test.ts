/**
 * End to end: real `pulumi up` (CLI, Node.js host, kubernetes and docker-build
 * providers) against the local control plane, its real node and the authenticated
 * registry, through a stack's life: create, no-op, scale, a source change rolled out
 * under a request loop and event streams, a wrong token, `npm run rollback` under a request loop, secrets,
 * destroy. Cases run in order.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { travelPolicies } from "../../policy/rules";
import { runPack } from "../support/policy";
import { assertDeployed, deployment } from "../support/e2e/cluster";
import type { WorkloadName } from "../../src/names";
import { npmCommand } from "../support/e2e/commands";
import { RequestLoop, viaGateway, stopAfter } from "../support/e2e/http";
import { assertStreamsFinished, streamLoop } from "../support/e2e/streams";
import { watchObjects } from "../support/e2e/watch";
import {
  kubectl,
  kubectlGet,
  REGISTRY,
  registryPullToken,
  registryToken,
} from "../support/e2e/local-env";
import {
  changes,
  commitSource,
  committedLocalConfig,
  createProject,
  destroyProjects,
  E2E_NAMESPACE,
  E2EProject,
  head,
  hostnameOf,
  setSecret,
  stackNameFor,
  stateFileText,
  up,
  upFails,
  writeConfig,
} from "../support/e2e/project";

const NS = E2E_NAMESPACE;

/**
 * The frontend Deployment's available replicas at each change, from the moment it starts
 * watching until stopped.
 */
async function recordAvailable(): Promise<{ stop: () => number[] }> {
  const samples: number[] = [];
  const watching = await watchObjects(
    `/apis/apps/v1/namespaces/${NS}/deployments`,
    { labelSelector: "app.kubernetes.io/name=travel-frontend" },
    // A Deployment with no available pod has no availableReplicas: 0.
    (type, d) => samples.push(type === "DELETED" ? 0 : (d.status?.availableReplicas ?? 0)),
  );
  return { stop: () => (watching.stop(), samples) };
}

describe("local stack, end to end", { timeout: 40 * 60_000 }, () => {
  let p: E2EProject;
  let firstSha: string;
  let firstRefs: Record<WorkloadName, string>;

  before(async () => {
    p = await createProject(stackNameFor("e2e"));
  });

  after(async () => {
    // Leave nothing behind even when a case failed midway.
    await destroyProjects(p);
  });

  it("a fresh up creates the namespace, secrets, workloads, route, policy and PDB", async () => {
    await up(p);
    firstSha = head(p);
    const ns = kubectl("get", "namespace", NS);
    assert.equal(ns.metadata.labels["istio.io/dataplane-mode"], "ambient");
    assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    const secrets = kubectl("get", "secrets", "-n", NS).items as {
      type: string;
      metadata: { name: string };
    }[];
    assert.ok(
      secrets.some((s) => s.type === "Opaque" && s.metadata.name.startsWith("travel-secrets-")),
    );
    assert.ok(secrets.some((s) => s.type === "kubernetes.io/dockerconfigjson"));
    firstRefs = await assertDeployed(NS, firstSha);
    assert.deepEqual(
      [deployment(NS, "backend").spec.replicas, deployment(NS, "frontend").spec.replicas],
      [1, 2],
    );
    // Plain env comes from a ConfigMap named after its content.
    const envFrom = deployment(NS, "frontend").spec.template.spec.containers[0].envFrom;
    const map = kubectl("get", "configmap", envFrom[0].configMapRef.name, "-n", NS);
    assert.equal(map.data.REMOTE_ACTION_URL, "http://travel-backend-service:8000/copilotkit");
    assert.equal(map.immutable, true);
    // The namespace's default-deny, and each workload's own.
    const policies = kubectl("get", "networkpolicies", "-n", NS).items as {
      spec: { podSelector: { matchLabels?: Record<string, string> } };
    }[];
    assert.deepEqual(
      policies.map((x) => x.spec.podSelector.matchLabels?.["app.kubernetes.io/name"] ?? "*").sort(),
      ["*", "travel-backend", "travel-frontend"],
    );
    const pdbs = kubectl("get", "poddisruptionbudgets", "-n", NS).items;
    assert.deepEqual(
      pdbs.map(
        (x: { metadata: { labels: Record<string, string> } }) =>
          x.metadata.labels["app.kubernetes.io/name"],
      ),
      ["travel-frontend"],
    );
    assert.equal((await viaGateway(hostnameOf(p)))?.status, 200);
  });

  it("the policy pack passes the resources the real engine deployed", async () => {
    const state = (await p.stack.exportStack()).deployment as {
      resources: { type: string; urn: string; inputs?: object; outputs?: object }[];
    };
    const kube = state.resources.filter((r) => r.type.startsWith("kubernetes:"));
    const name = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
    const inputs = kube.map((r) => ({ type: r.type, name: name(r.urn), props: r.inputs as never }));
    const outputs = kube.map((r) => ({
      type: r.type,
      name: name(r.urn),
      props: r.outputs as never,
    }));
    assert.ok(inputs.length >= 10, `${inputs.length} Kubernetes resources`);
    const violations = await runPack(travelPolicies, inputs, { outputs });
    assert.deepEqual(
      violations.filter((v) => v.enforcementLevel === "mandatory"),
      [],
    );
  });

  it("a second up with nothing changed changes nothing and rebuilds nothing", async () => {
    const before = deployment(NS, "frontend").metadata.generation;
    await up(p);
    const c = await changes(p);
    // Reading stack outputs (a StackReference) is not a change.
    assert.deepEqual(
      Object.keys(c).filter((k) => k !== "read"),
      ["same"],
      `changes: ${JSON.stringify(c)}`,
    );
    assert.equal(deployment(NS, "frontend").metadata.generation, before);
  });

  it("a replicas change updates only that Deployment, and up awaits its rollout", async () => {
    const backendGen = deployment(NS, "backend").metadata.generation;
    const frontend = committedLocalConfig()["travel:frontend"] as object;
    await writeConfig(p, { "travel:frontend": { ...frontend, replicas: 3 } });
    await up(p);
    const c = await changes(p);
    assert.equal(c.update, 1, JSON.stringify(c));
    assert.equal(deployment(NS, "frontend").status.readyReplicas, 3);
    assert.equal(deployment(NS, "backend").metadata.generation, backendGen);
    await writeConfig(p, {});
    await up(p);
  });

  let secondSha: string;
  it("a source change rolls both workloads to the new digests under a request loop, losing no request", async (t) => {
    commitSource(p, "frontend/message", "travel frontend fixture v2\n");
    secondSha = commitSource(p, "backend/message", "travel backend fixture v2\n");
    const sampler = await recordAvailable();
    const loop = new RequestLoop(() => viaGateway(hostnameOf(p)));
    const streams = streamLoop(hostnameOf(p), NS);
    stopAfter(t, loop, streams, sampler);
    await up(p);
    const [result, available] = [await loop.stop(), sampler.stop()];
    assertStreamsFinished(await streams.stop());
    const secondRefs = await assertDeployed(NS, secondSha);
    assert.notEqual(secondRefs.backend, firstRefs.backend);
    assert.notEqual(secondRefs.frontend, firstRefs.frontend);
    assert.equal(
      result.failed,
      0,
      `${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
    );
    assert.ok(result.total > 20, `${result.total} requests`);
    assert.ok(
      [...result.bodies].some((b) => b.includes("fixture v2")),
      "the new build answered",
    );
    assert.ok(available.length > 0, "the frontend Deployment was watched");
    assert.ok(
      Math.min(...available) >= 2,
      `the frontend never had fewer than 2 available pods: ${available.join(",")}`,
    );
    process.stdout.write(
      `# rolling update: ${result.total} requests, ${result.failed} failed; available frontends ${Math.min(...available)}..${Math.max(...available)}\n`,
    );
  });

  it("wrong registry credentials fail before any Kubernetes object changes", async () => {
    // Specs only: controllers keep writing status (generation counts spec changes).
    const snapshot = () =>
      kubectl(
        "get",
        "deployments,services,secrets,networkpolicies,poddisruptionbudgets",
        "-n",
        NS,
      ).items.map(
        (o: {
          kind: string;
          metadata: { name: string; resourceVersion: string; generation?: number };
        }) => `${o.kind}/${o.metadata.name}@${o.metadata.generation ?? o.metadata.resourceVersion}`,
      );
    // Nothing stored in the Docker config may authenticate the push in its place.
    const dockerConfig = join(process.env.DOCKER_CONFIG ?? "", "config.json");
    const stored = existsSync(dockerConfig) ? readFileSync(dockerConfig, "utf8") : "{}";
    assert.equal(
      (JSON.parse(stored) as { auths?: Record<string, unknown> }).auths?.[REGISTRY],
      undefined,
    );
    const beforeObjects = snapshot();
    commitSource(p, "frontend/message", "travel frontend fixture v3\n");
    setSecret(p, "travel:registryToken", "not-the-token");
    const { message } = await upFails(p);
    assert.match(message, /\b401 Unauthorized\b|unauthorized|authentication required/i);
    assert.deepEqual(snapshot(), beforeObjects);
    setSecret(p, "travel:registryToken", registryToken());
    await up(p);
  });

  it("npm run rollback: back to the previous verified release, then two back, serving throughout", async (t) => {
    // Three verified releases by now: the first commit, the source change, and the one the
    // wrong-credentials case deployed once the token was right again.
    const thirdSha = head(p);
    const shasOf = async () =>
      ((await p.stack.outputs()).releases!.value as { backend: { gitSha: string } }[]).map(
        (r) => r.backend.gitSha,
      );
    assert.deepEqual(await shasOf(), [thirdSha, secondSha, firstSha]);
    const stackFile = join(p.dir, `Pulumi.${p.stack.name}.yaml`);
    const config = readFileSync(stackFile, "utf8");
    const loop = new RequestLoop(() => viaGateway(hostnameOf(p)));
    stopAfter(t, loop);

    const previous = await npmCommand(p, "rollback", [p.stack.name]);
    assert.equal(previous.status, 0, previous.stderr);
    assert.match(
      previous.stderr,
      new RegExp(`\\[rollback\\] ${secondSha}: verified on ${p.stack.name} at `),
    );
    await assertDeployed(NS, secondSha);
    assert.equal(readFileSync(stackFile, "utf8"), config, "the stack file is restored");

    const twoBack = await npmCommand(p, "rollback", [p.stack.name, firstSha]);
    assert.equal(twoBack.status, 0, twoBack.stderr);
    assert.deepEqual(await assertDeployed(NS, firstSha), firstRefs);
    assert.deepEqual(await shasOf(), [firstSha, secondSha, thirdSha], "each verified again");

    const never = createHash("sha1").update("never deployed").digest("hex");
    const refused = await npmCommand(p, "rollback", [p.stack.name, never]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `\\[rollback\\] error: ${never} was never verified on ${p.stack.name} \\(its verified releases: ${firstSha} `,
      ),
    );
    await assertDeployed(NS, firstSha);

    const result = await loop.stop();
    assert.equal(
      result.failed,
      0,
      `${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
    );
    assert.ok(
      [...result.bodies].some((b) => /^frontend travel frontend fixture v1 /.test(b)),
      "the first release answered again",
    );
    process.stdout.write(`# rollbacks: ${result.total} requests, ${result.failed} failed\n`);
  });

  it("no secret value appears in the state file, the outputs or the CLI output", async () => {
    const outputs = JSON.stringify(await p.stack.outputs());
    const state = stateFileText(p);
    const printed = p.output.join("\n");
    for (const secret of [...p.secretValues, registryToken(), registryPullToken()]) {
      assert.ok(!outputs.includes(secret), "stack outputs");
      assert.ok(!state.includes(secret), "state file");
      assert.ok(!printed.includes(secret), "CLI output");
    }
    assert.ok(state.includes("ciphertext"), "secrets are stored encrypted");
  });

  it("destroy removes everything it created", async () => {
    await p.stack.destroy({ onOutput: (l) => p.output.push(l) });
    assert.equal(kubectlGet("namespace", NS), undefined);
    const left = kubectl("get", "httproutes.gateway.networking.k8s.io", "-A").items.filter(
      (r: { metadata: { namespace: string } }) => r.metadata.namespace === NS,
    );
    assert.equal(left.length, 0);
  });
});
