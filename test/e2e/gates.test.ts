/**
 * The primary seed's "Testing Gates", for real, on a stack `pulumi up` deployed to the
 * local node: pods running (containerd containers pulled from the authenticated
 * registry through the stack's pull secret), probes passing, Service discovery by DNS,
 * the frontend reaching the backend by its Service name, the app answering on its
 * hostname through the Gateway, and the NetworkPolicy enforced. The program sits in the
 * app's repository (the in-app layout); releases.test.ts verifies and rolls back releases.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertRealPod, clusterIp, deployment, pods, type Pod } from "../support/e2e/cluster";
import { clusterDns, eventually, get, viaGateway, viaGatewayHttp } from "../support/e2e/http";
import {
  anonymousStatus,
  kubectl,
  kubectlGet,
  kubectlApply,
  kubectlDelete,
} from "../support/e2e/local-env";
import {
  createProject,
  destroyProjects,
  E2EProject,
  hostnameOf,
  BACKEND_STATUS_PATH,
  stackNameFor,
  up,
} from "../support/e2e/project";

const NS = "travel-gates";
const BACKEND_SERVICE = "travel-backend-service";
const FRONTEND_SERVICE = "travel-frontend-service";
/** The frontend's page (it does not call the backend). */
const PAGE = /^frontend travel frontend fixture v1 \(pod travel-frontend-[^)]+\)$/;
/** What it answers when it reached the backend (pod names vary). */
const WIRED =
  /^frontend travel frontend fixture v1 \(pod travel-frontend-[^)]+\) <- backend travel backend fixture v1 \(pod travel-backend-[^)]+\)$/;

/**
 * A restricted pod of our own beside the stack's, running `image`, with a /tmp of its own
 * (HOME=/tmp, from a workload's env ConfigMap, must be writable).
 */
function extraPod(
  name: string,
  image: string,
  opts: { labels?: Record<string, string>; pullSecret?: string; envFrom?: object[] },
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { "travel.example/e2e": name, ...opts.labels } },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(opts.pullSecret ? { imagePullSecrets: [{ name: opts.pullSecret }] } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "app",
          image,
          // Always ask the registry, even though the node has the image already.
          imagePullPolicy: "Always",
          envFrom: opts.envFrom ?? [],
          resources: {
            requests: { cpu: "10m", memory: "16Mi" },
            limits: { cpu: "100m", memory: "64Mi" },
          },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    },
  };
}

function pod(name: string): Pod | undefined {
  return kubectlGet("pod", name, "-n", NS) as Pod | undefined;
}

describe("the seed's testing gates on the real node", { timeout: 20 * 60_000 }, () => {
  let p: E2EProject;
  let pullSecret: string;

  before(async () => {
    // The program as deploy/ of the app's repository (local-stack.test.ts: beside it).
    p = await createProject(stackNameFor("gates"), { namespace: NS, layout: "in-app" });
    await up(p);
    pullSecret = deployment(NS, "backend").spec.template.spec.imagePullSecrets[0].name;
  });

  after(async () => {
    await destroyProjects(p);
  });

  it("pods run in containerd on the node, from images pulled through the stack's pull secret", async () => {
    assert.equal(await anonymousStatus(), 401, "the registry demands credentials");
    assert.match(pullSecret, /^travel-registry-/);
    for (const w of ["backend", "frontend"] as const) {
      const live = pods(NS, w);
      assert.equal(live.length, w === "backend" ? 1 : 2);
      for (const x of live) {
        assertRealPod(x);
        assert.deepEqual(x.spec.imagePullSecrets, [{ name: pullSecret }]);
        assert.equal(x.status.containerStatuses![0]!.imageID, x.spec.containers[0]!.image);
      }
    }
  });

  it("pods write under HOME on a read-only root, with a limited /tmp, spread per revision", () => {
    for (const w of ["backend", "frontend"] as const) {
      // The fixtures write ~/.cache/<name> at start and exit if they cannot: ready and never
      // restarted (the gate above) means HOME is writable.
      const raw = kubectl("get", "pods", "-n", NS, "-l", `app.kubernetes.io/name=travel-${w}`);
      for (const x of raw.items as {
        spec: {
          volumes: { name: string; emptyDir?: { sizeLimit?: string } }[];
          containers: { resources: { limits: Record<string, string> } }[];
          topologySpreadConstraints?: { topologyKey: string; labelSelector: object }[];
        };
      }[]) {
        const limit = x.spec.containers[0]!.resources.limits["ephemeral-storage"];
        assert.match(limit ?? "", /^\d+Mi$/, "an ephemeral-storage limit");
        assert.deepEqual(
          x.spec.volumes.find((v) => v.name === "tmp")?.emptyDir,
          { sizeLimit: limit },
          "/tmp is limited to it",
        );
        // One backend pod: nothing to spread; two frontend pods: over nodes and zones.
        assert.deepEqual(
          (x.spec.topologySpreadConstraints ?? []).map((c) => c.topologyKey),
          w === "backend" ? [] : ["kubernetes.io/hostname", "topology.kubernetes.io/zone"],
        );
      }
    }
    const env = kubectl(
      "get",
      "configmaps",
      "-n",
      NS,
      "-l",
      "app.kubernetes.io/name=travel-backend",
    );
    assert.ok(
      (env.items as { data?: Record<string, string> }[]).some((c) => c.data?.HOME === "/tmp"),
      "HOME=/tmp in the backend's env",
    );
  });

  it("without the pull secret, or with a wrong token, the image cannot be pulled", async () => {
    const image = deployment(NS, "backend").spec.template.spec.containers[0].image as string;
    const wrong = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/dockerconfigjson",
      metadata: { name: "wrong-token", namespace: NS },
      stringData: {
        ".dockerconfigjson": JSON.stringify({
          auths: {
            "127.0.0.1:5000": { auth: Buffer.from("travel-ci:not-the-token").toString("base64") },
          },
        }),
      },
    };
    kubectlApply(
      wrong,
      extraPod("no-pull-secret", image, {}),
      extraPod("wrong-pull-secret", image, { pullSecret: "wrong-token" }),
    );
    try {
      for (const name of ["no-pull-secret", "wrong-pull-secret"]) {
        await eventually(`${name} fails to pull`, 90, () => {
          const waiting = pod(name)?.status.containerStatuses?.[0]?.state.waiting;
          return (
            /^(ErrImagePull|ImagePullBackOff)$/.test(waiting?.reason ?? "") &&
            /401 Unauthorized|authorization failed|unauthorized/i.test(waiting?.message ?? "")
          );
        });
      }
    } finally {
      kubectlDelete("pod/no-pull-secret", "pod/wrong-pull-secret", "secret/wrong-token", "-n", NS);
    }
  });

  it("startup, readiness and liveness probes pass against the real paths", () => {
    for (const [w, path] of [
      ["backend", "/docs"],
      ["frontend", "/"],
    ] as const) {
      const c = deployment(NS, w).spec.template.spec.containers[0];
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"])
        assert.equal(c[probe].httpGet.path, path);
      for (const x of pods(NS, w)) {
        const s = x.status.containerStatuses![0]!;
        assert.deepEqual(
          [s.started, s.ready, s.restartCount],
          [true, true, 0],
          `${x.metadata.name} started, ready, never restarted`,
        );
      }
    }
  });

  it("cluster DNS resolves the backend's Service; /docs answers; the frontend answers with the backend's answer", async () => {
    const backendIp = clusterIp(NS, BACKEND_SERVICE);
    assert.deepEqual(await clusterDns(`${BACKEND_SERVICE}.${NS}.svc.cluster.local`), [backendIp]);
    const docs = await get(`http://${backendIp}:8000/docs`);
    assert.equal(docs?.status, 200);
    assert.equal(docs?.body, "travel backend docs: travel backend fixture v1\n");
    const front = await get(`http://${clusterIp(NS, FRONTEND_SERVICE)}:3000${BACKEND_STATUS_PATH}`);
    assert.equal(front?.status, 200, front?.body);
    assert.match(front!.body.trim(), WIRED);
  });

  it("the real Gateway accepts the routes; the hostname answers over HTTPS; HTTP redirects to HTTPS", async () => {
    const host = hostnameOf(p);
    assert.equal((await p.stack.outputs()).url!.value, `https://${host}`);
    for (const route of kubectl("get", "httproutes.gateway.networking.k8s.io", "-n", NS).items) {
      const parent = route.status.parents[0];
      assert.equal(parent.controllerName, "traefik.io/gateway-controller");
      const conditions = Object.fromEntries(
        parent.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
      );
      assert.deepEqual(
        [conditions.Accepted, conditions.ResolvedRefs],
        ["True", "True"],
        route.metadata.name,
      );
    }
    const https = await viaGateway(host);
    assert.equal(https?.status, 200, https?.body);
    assert.match(https!.body.trim(), PAGE);
    const wired = await viaGateway(host, BACKEND_STATUS_PATH);
    assert.equal(wired?.status, 200, wired?.body);
    assert.match(wired!.body.trim(), WIRED);
    const http = await viaGatewayHttp(host, "/trips?id=7");
    assert.equal(http?.status, 301);
    assert.equal(http?.headers.location, `https://${host}/trips?id=7`);
    assert.equal(
      (await viaGateway("not-this-app.local.test"))?.status,
      404,
      "other hostnames are not routed here",
    );
  });

  it("the NetworkPolicy lets only the frontend's pods reach the backend", async () => {
    const front = deployment(NS, "frontend");
    const template = front.spec.template;
    const image = template.spec.containers[0].image as string;
    // The frontend's env ConfigMap: the backend's URL.
    const envFrom = template.spec.containers[0].envFrom;
    // Same image and backend URL; only the labels differ: one has the frontend's selector labels.
    const impostor = extraPod("impostor", image, {
      labels: front.spec.selector.matchLabels,
      pullSecret,
      envFrom,
    });
    const intruder = extraPod("intruder", image, { pullSecret, envFrom });
    kubectlApply(impostor, intruder);
    try {
      const answer = async (name: string) => {
        let ip: string | undefined;
        await eventually(`${name} runs`, 60, () => {
          ip = pod(name)?.status.podIP;
          return pod(name)?.status.phase === "Running" && ip !== undefined;
        });
        return get(`http://${ip}:3000${BACKEND_STATUS_PATH}`, 5000);
      };
      await eventually(
        "the impostor (frontend labels) reaches the backend",
        30,
        async () => (await answer("impostor"))?.status === 200,
      );
      const denied = await answer("intruder");
      assert.equal(denied?.status, 502);
      assert.match(
        denied!.body,
        /backend call failed: .*(connection refused|timeout|deadline exceeded)/,
      );
    } finally {
      kubectlDelete("pod/impostor", "pod/intruder", "-n", NS);
    }
  });
});
