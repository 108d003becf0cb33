/**
 * What the app's pods may reach, enforced by the node's NetworkPolicy implementation
 * (kube-router): the backend calls the external API stand-in (outside the cluster's
 * networks, over TLS, tools/local-env/components/external.ts); the frontend cannot; no pod
 * of the namespace reaches the API server, the metadata address or another namespace's
 * pods, and no other namespace's pod reaches them. Each "cannot" is checked beside a
 * "can" of the same command, so a dial that fails for another reason fails the test.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { deployment, pods } from "../support/e2e/cluster";
import { eventually, get } from "../support/e2e/http";
import {
  KUBECONFIG,
  kubectlApply,
  kubectlGet,
  kubectlWait,
  REGISTRY,
  registryPullToken,
} from "../support/e2e/local-env";
import {
  committedLocalConfig,
  createProject,
  destroyProjects,
  E2EProject,
  ONE_FRONTEND,
  stackNameFor,
  up,
  writeConfig,
} from "../support/e2e/project";
import { EXTERNAL, KUBE, REGISTRY as LOCAL_REGISTRY } from "../../tools/local-env/layout";

const NS = "travel-egress";
/** A namespace of someone else's, without policies, with a pod listening in it. */
const OTHER = "travel-egress-other";
const EXTERNAL_URL = `https://${EXTERNAL.ip}/v1/places?q=lisbon`;
const METADATA = "169.254.169.254:80";
const API_SERVER = `${KUBE.serviceIp}:443`;

interface Dialled {
  ok: boolean;
  output: string;
}

/** `server dial TARGET` in a container of `pod` (kubectl exec): exit status 0 = it got through. */
async function dial(ns: string, pod: string, target: string): Promise<Dialled> {
  const argv = [
    "--kubeconfig",
    KUBECONFIG,
    "-n",
    ns,
    "exec",
    pod,
    "--",
    "/srv/server",
    "dial",
    target,
  ];
  try {
    const { stdout } = await promisify(execFile)(process.env.TRAVEL_KUBECTL ?? "kubectl", argv, {
      timeout: 30_000,
    });
    return { ok: true, output: stdout.trim() };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() };
  }
}

const podName = (ns: string, w: "backend" | "frontend") => pods(ns, w)[0]!.metadata.name;
const podIp = (ns: string, w: "backend" | "frontend") => pods(ns, w)[0]!.status.podIP!;

/** A pull secret for the local registry, the other namespace's own. */
function pullSecret(ns: string) {
  const auth = `${LOCAL_REGISTRY.pullUser}:${registryPullToken()}`;
  const config = { auths: { [REGISTRY]: { auth: Buffer.from(auth).toString("base64") } } };
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/dockerconfigjson",
    metadata: { name: "pull", namespace: ns },
    data: { ".dockerconfigjson": Buffer.from(JSON.stringify(config)).toString("base64") },
  };
}

/** The backend's image serving in the other namespace, restricted like the app's pods. */
function neighbour(image: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "neighbour", namespace: OTHER },
    spec: {
      automountServiceAccountToken: false,
      imagePullSecrets: [{ name: "pull" }],
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "app",
          image,
          env: [{ name: "HOME", value: "/tmp" }],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          resources: { limits: { cpu: "100m", memory: "64Mi" } },
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volumes: [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
    },
  };
}

describe(
  "egress and isolation under the node's NetworkPolicy enforcement",
  { timeout: 15 * 60_000 },
  () => {
    let p: E2EProject;
    let neighbourIp: string;

    before(async () => {
      p = await createProject(stackNameFor("egress"), { namespace: NS });
      const backend = committedLocalConfig()["travel:backend"] as object;
      await writeConfig(p, {
        ...ONE_FRONTEND,
        // The stand-in's certificate is its own CA's: the backend trusts it as an app trusts
        // a corporate proxy's CA (the fixture's EXTERNAL_API_CA; a public API needs none).
        "travel:backend": {
          ...backend,
          env: {
            EXTERNAL_API_URL: EXTERNAL_URL,
            EXTERNAL_API_CA: readFileSync(EXTERNAL.caCert, "utf8"),
          },
        },
      });
      await up(p);
      kubectlWait("delete", "namespace", OTHER, "--ignore-not-found");
      kubectlApply(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: OTHER } },
        pullSecret(OTHER),
        neighbour(deployment(NS, "backend").spec.template.spec.containers[0].image),
      );
      await eventually("the neighbour runs", 90, () => {
        const pod = kubectlGet("pod", "neighbour", "-n", OTHER);
        neighbourIp = pod?.status.podIP;
        return pod?.status.containerStatuses?.[0]?.ready === true;
      });
    });

    after(async () => {
      kubectlWait("delete", "namespace", OTHER, "--ignore-not-found", "--wait=false");
      await destroyProjects(p);
    });

    it("the backend calls the external API over TLS from its own address", async () => {
      const answer = await get(`http://${podIp(NS, "backend")}:8000/external`, 10_000);
      assert.equal(answer?.status, 200, answer?.body);
      assert.match(
        answer!.body,
        new RegExp(
          `^backend \\(pod travel-backend-[^)]+\\) <- 200 external api: /v1/places\\?q=lisbon from ${podIp(NS, "backend").replace(/\./g, "\\.")}\\n$`,
        ),
      );
    });

    it("the frontend cannot reach the external API; the backend, by the same command, can", async () => {
      const fromBackend = await dial(NS, podName(NS, "backend"), EXTERNAL_URL);
      assert.ok(fromBackend.ok, fromBackend.output);
      assert.match(fromBackend.output, /: 200 external api: \/v1\/places/);
      const fromFrontend = await dial(NS, podName(NS, "frontend"), EXTERNAL_URL);
      assert.equal(fromFrontend.ok, false, fromFrontend.output);
      assert.match(fromFrontend.output, /failed: .*(connection refused|timeout|deadline exceeded)/);
    });

    it("no pod of the namespace reaches the API server, which a pod without policies does", async () => {
      const control = await dial(OTHER, "neighbour", API_SERVER);
      assert.ok(control.ok, `the neighbour reaches the API server: ${control.output}`);
      for (const w of ["backend", "frontend"] as const) {
        const d = await dial(NS, podName(NS, w), API_SERVER);
        assert.equal(d.ok, false, `${w}: ${d.output}`);
      }
    });

    it("no pod of the namespace reaches the metadata address", async () => {
      // Nothing answers there on this machine: this shows the pods get no route or no rule to
      // it, not which of the two stopped them (the policy's exclusion is the unit tests').
      for (const w of ["backend", "frontend"] as const) {
        const d = await dial(NS, podName(NS, w), METADATA);
        assert.equal(d.ok, false, `${w}: ${d.output}`);
      }
    });

    it("no pod of the namespace reaches another namespace's pods, nor they the app's", async () => {
      const listening = await get(`http://${neighbourIp}:8000/docs`, 5000);
      assert.equal(listening?.status, 200, "the neighbour answers the node");
      for (const w of ["backend", "frontend"] as const) {
        const out = await dial(NS, podName(NS, w), `${neighbourIp}:8000`);
        assert.equal(out.ok, false, `${w} -> neighbour: ${out.output}`);
      }
      const toBackend = await dial(OTHER, "neighbour", `${podIp(NS, "backend")}:8000`);
      assert.equal(toBackend.ok, false, `neighbour -> backend: ${toBackend.output}`);
      const toFrontend = await dial(OTHER, "neighbour", `${podIp(NS, "frontend")}:3000`);
      assert.equal(toFrontend.ok, false, `neighbour -> frontend: ${toFrontend.output}`);
      // The neighbour's own egress is open: it reaches the external API stand-in.
      const outside = await dial(OTHER, "neighbour", `${EXTERNAL.ip}:${EXTERNAL.port}`);
      assert.ok(outside.ok, `neighbour -> external: ${outside.output}`);
    });
  },
);
