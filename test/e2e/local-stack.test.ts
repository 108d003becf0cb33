/**
 * End to end: real `pulumi up` (CLI, Node.js host, kubernetes and docker-build
 * providers) against the local kube-apiserver + controllers + kwok nodes and
 * the authenticated local registry. Cases run in order on one stack.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { travelPolicies } from "../../policy/rules";
import { runPack } from "../support/policy";
import { after, before, describe, it } from "node:test";
import {
  anonymousStatus,
  kubectl,
  kubectlGet,
  REGISTRY,
  registryDigest,
  registryTags,
} from "./support/local-env";
import {
  changes,
  commitSource,
  createProject,
  E2E_NAMESPACE,
  E2EProject,
  head,
  stateFileText,
  up,
  upFails,
  writeConfig,
} from "./support/project";

const NS = E2E_NAMESPACE;
const REPOS = {
  backend: "travel/coagents-travel-backend",
  frontend: "travel/coagents-travel-frontend",
};
const FRONTEND_OVERRIDES = { "travel:frontend": { replicas: 2 } };

type Workload = keyof typeof REPOS;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function deployment(w: Workload): any {
  const list = kubectl("get", "deployments", "-n", NS, "-l", `app.kubernetes.io/name=travel-${w}`);
  assert.equal(list.items.length, 1, `one ${w} Deployment`);
  return list.items[0];
}

function podImages(w: Workload): string[] {
  const pods = kubectl("get", "pods", "-n", NS, "-l", `app.kubernetes.io/name=travel-${w}`);
  return pods.items
    .filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp)
    .map((p: { spec: { containers: { image: string }[] } }) => p.spec.containers[0]!.image);
}

function available(w: Workload): boolean {
  const d = deployment(w);
  return (d.status.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === "Available" && c.status === "True",
  );
}

/** Asserts that both workloads run the registry's digest for `sha`. */
async function assertDeployed(sha: string): Promise<Record<Workload, string>> {
  const refs = {} as Record<Workload, string>;
  for (const w of Object.keys(REPOS) as Workload[]) {
    assert.ok((await registryTags(REPOS[w])).includes(sha), `${w} tag ${sha} in the registry`);
    const digest = await registryDigest(REPOS[w], sha);
    const ref = `${REGISTRY}/${REPOS[w]}@${digest}`;
    const d = deployment(w);
    assert.equal(d.spec.template.spec.containers[0].image, ref, `${w} Deployment pins the digest`);
    assert.deepEqual([...new Set(podImages(w))], [ref], `${w} pods run ${ref}`);
    assert.equal(d.status.updatedReplicas, d.spec.replicas);
    assert.ok(available(w), `${w} Available`);
    refs[w] = ref;
  }
  return refs;
}

describe("local stack, end to end", { timeout: 40 * 60_000 }, () => {
  let p: E2EProject;
  let firstSha: string;
  let firstRefs: Record<Workload, string>;

  before(async () => {
    p = await createProject(`e2e${Date.now().toString(36)}`);
    await writeConfig(p, FRONTEND_OVERRIDES);
  });

  after(async () => {
    // Leave nothing behind even when a case failed midway.
    if (p && kubectlGet("namespace", NS)) await p.stack.destroy().catch(() => undefined);
  });

  it("the registry refuses anonymous requests", async () => {
    assert.equal(await anonymousStatus(), 401);
  });

  it("1. a fresh up creates the namespace, secrets, workloads, route, policy and PDB", async () => {
    const result = await up(p);
    assert.equal(result.summary.result, "succeeded");
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

    firstRefs = await assertDeployed(firstSha);
    assert.equal(deployment("backend").spec.replicas, 1);
    assert.equal(deployment("frontend").spec.replicas, 2);

    const svc = kubectl("get", "service", "travel-backend-service", "-n", NS);
    assert.equal(svc.spec.type, "ClusterIP");
    assert.equal(svc.spec.ports[0].port, 8000);
    assert.equal(
      kubectl("get", "service", "travel-frontend-service", "-n", NS).spec.ports[0].port,
      3000,
    );

    const env = deployment("frontend").spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.find((e: { name: string }) => e.name === "REMOTE_ACTION_URL"),
      { name: "REMOTE_ACTION_URL", value: "http://travel-backend-service:8000/copilotkit" },
    );

    const routes = kubectl("get", "httproutes.gateway.networking.k8s.io", "-n", NS).items;
    assert.equal(routes.length, 1);
    assert.deepEqual(routes[0].spec.parentRefs[0].name, "default-gateway");
    assert.deepEqual(routes[0].spec.rules[0].backendRefs[0], {
      group: "",
      kind: "Service",
      name: "travel-frontend-service",
      port: 3000,
      weight: 1,
    });
    assert.equal(kubectl("get", "networkpolicies", "-n", NS).items.length, 1);
    const pdbs = kubectl("get", "poddisruptionbudgets", "-n", NS).items;
    assert.deepEqual(
      pdbs.map(
        (x: { metadata: { labels: Record<string, string> } }) =>
          x.metadata.labels["app.kubernetes.io/name"],
      ),
      ["travel-frontend"],
    );
  });

  it("the policy pack passes the resources the real engine deployed", async () => {
    // `pulumi preview --policy-pack` cannot run here: the Node.js language host that can
    // be built from this machine's module mirror (v3.68) predates the RunPlugin call the
    // CLI uses to start a policy pack. So the pack runs over the stack's real state.
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

  it("2. a second up with nothing changed changes nothing and rebuilds nothing", async () => {
    const before = deployment("frontend").metadata.generation;
    const result = await up(p);
    const c = changes(result);
    assert.deepEqual(Object.keys(c), ["same"], `changes: ${JSON.stringify(c)}`);
    assert.equal(deployment("frontend").metadata.generation, before);
  });

  it("3. a replicas change updates only that Deployment", async () => {
    const backendGen = deployment("backend").metadata.generation;
    await writeConfig(p, { "travel:frontend": { replicas: 3 } });
    const result = await up(p);
    assert.equal(changes(result).update, 1, JSON.stringify(changes(result)));
    assert.equal(deployment("frontend").spec.replicas, 3);
    assert.equal(deployment("frontend").status.readyReplicas, 3);
    assert.equal(deployment("backend").metadata.generation, backendGen);
    await writeConfig(p, FRONTEND_OVERRIDES);
    await up(p);
  });

  it("5. a backend that never gets ready fails up in bounded time and keeps the old pods", async () => {
    const oldImage = deployment("backend").spec.template.spec.containers[0].image;
    // A new image whose container never becomes ready (kwok's never-ready stage).
    commitSource(p, "backend/app.txt", "travel backend fixture, broken build\n");
    await writeConfig(p, {
      ...FRONTEND_OVERRIDES,
      "travel:rolloutTimeoutSeconds": 45,
      "travel:backend": { probes: { readiness: "/never-ready" } },
    });
    const { message, seconds } = await upFails(p);
    // The Deployment's await (pulumi.com/waitFor, see src/components/workload.ts) fails
    // when the rollout does not complete within rolloutTimeoutSeconds.
    assert.match(message, /"travel-e2e\/travel-backend-[0-9a-f]+" failed to fully initialize/);
    assert.match(message, /Waiting for \{\.status\.replicas\}=1 \(found "2"\)|timed out waiting/);
    assert.ok(seconds >= 45 && seconds < 120, `failed after ${seconds}s`);
    // The pod's reason, as the cluster reports it.
    const pods = kubectl("get", "pods", "-n", NS, "-l", "app.kubernetes.io/name=travel-backend");
    const reasons = pods.items.flatMap(
      (pod: { status: { conditions?: { type: string; status: string; reason?: string }[] } }) =>
        (pod.status.conditions ?? [])
          .filter((c) => c.type === "Ready" && c.status === "False")
          .map((c) => c.reason),
    );
    assert.deepEqual(reasons, ["ContainersNotReady"]);
    assert.match(message, /containers with unready status|ContainersNotReady|timed out/);
    const rs = kubectl(
      "get",
      "replicasets",
      "-n",
      NS,
      "-l",
      "app.kubernetes.io/name=travel-backend",
    );
    const serving = rs.items.filter(
      (r: {
        status: { readyReplicas?: number };
        spec: {
          template: {
            spec: {
              containers: { image: string; readinessProbe: { httpGet: { path: string } } }[];
            };
          };
        };
      }) => (r.status.readyReplicas ?? 0) > 0,
    );
    assert.equal(serving.length, 1, "exactly the old ReplicaSet still serves");
    assert.equal(serving[0].spec.template.spec.containers[0].readinessProbe.httpGet.path, "/docs");
    assert.ok(podImages("backend").includes(oldImage));
    await writeConfig(p, FRONTEND_OVERRIDES);
    await up(p);
    assert.ok(available("backend"));
  });

  let secondSha: string;
  it("4. a source change gives a new SHA tag and digest and rolls both; rollback restores the old digests", async () => {
    secondSha = commitSource(p, "backend/app.txt", "travel backend fixture v2\n");
    assert.notEqual(secondSha, firstSha);
    await up(p);
    const secondRefs = await assertDeployed(secondSha);
    assert.notEqual(secondRefs.backend, firstRefs.backend);
    assert.notEqual(secondRefs.frontend, firstRefs.frontend);
    assert.equal(
      deployment("backend").spec.template.metadata.labels["app.kubernetes.io/version"],
      secondSha,
    );

    await writeConfig(p, {
      ...FRONTEND_OVERRIDES,
      "travel:images": {
        mode: "pinned",
        backend: { ref: firstRefs.backend, gitSha: firstSha },
        frontend: { ref: firstRefs.frontend, gitSha: firstSha },
      },
    });
    await up(p);
    assert.deepEqual(await assertDeployed(firstSha), firstRefs);
    await writeConfig(p, FRONTEND_OVERRIDES);
    await up(p);
  });

  it("6. wrong registry credentials fail before any Kubernetes object changes", async () => {
    const snapshot = () =>
      kubectl(
        "get",
        "deployments,services,secrets,networkpolicies,poddisruptionbudgets",
        "-n",
        NS,
      ).items.map(
        (o: { kind: string; metadata: { name: string; resourceVersion: string } }) =>
          `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`,
      );
    // Nothing stored in the Docker config may authenticate the push in its place.
    const dockerConfig = join(process.env.DOCKER_CONFIG ?? "", "config.json");
    const stored = existsSync(dockerConfig) ? readFileSync(dockerConfig, "utf8") : "{}";
    assert.equal(
      (JSON.parse(stored) as { auths?: Record<string, unknown> }).auths?.[REGISTRY],
      undefined,
    );
    const beforeObjects = snapshot();
    commitSource(p, "frontend/app.txt", "travel frontend fixture v3\n");
    await p.stack.setConfig("travel:registryToken", { value: "not-the-token", secret: true });
    const { message } = await upFails(p);
    assert.match(message, /\b401 Unauthorized\b|unauthorized|authentication required/i);
    assert.deepEqual(snapshot(), beforeObjects);
    const { registryToken } = await import("./support/local-env");
    await p.stack.setConfig("travel:registryToken", { value: registryToken(), secret: true });
    await up(p);
  });

  it("8. no secret value appears in the state file, the outputs or the CLI output", async () => {
    const outputs = JSON.stringify(await p.stack.outputs());
    const state = stateFileText(p);
    const printed = p.output.join("\n");
    const { registryToken } = await import("./support/local-env");
    for (const secret of [...p.secretValues, registryToken()]) {
      assert.ok(!outputs.includes(secret), "stack outputs");
      assert.ok(!state.includes(secret), "state file");
      assert.ok(!printed.includes(secret), "CLI output");
    }
    assert.ok(state.includes("ciphertext"), "secrets are stored encrypted");
  });

  it("7. destroy removes everything it created", async () => {
    await p.stack.destroy({ onOutput: (l) => p.output.push(l) });
    assert.equal(kubectlGet("namespace", NS), undefined);
    const left = kubectl("get", "httproutes.gateway.networking.k8s.io", "-A").items.filter(
      (r: { metadata: { namespace: string } }) => r.metadata.namespace === NS,
    );
    assert.equal(left.length, 0);
  });
});
