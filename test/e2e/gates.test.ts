/**
 * The primary seed's "Testing Gates", for real, on a stack `pulumi up` deployed to the
 * local node: pods running (containerd containers pulled from the authenticated
 * registry through the stack's pull secret), probes passing, Service discovery by DNS,
 * the frontend reaching the backend by its Service name, the app answering on its
 * hostname through the Gateway, and the NetworkPolicy enforced; and `up` itself verifying
 * through the Gateway, refusing to verify a frontend cut off from the backend, and the
 * deploy command bringing a release that fails verification back to the last verified one,
 * revoking a verified release whose re-check fails, and `npm run rollback` with the
 * program in the app's repository (the in-app layout).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertRealPod, clusterIp, deployment, pods, type Pod } from "../support/e2e/cluster";
import { npmCommand } from "../support/e2e/commands";
import {
  clusterDns,
  eventually,
  get,
  RequestLoop,
  viaGateway,
  viaGatewayHttp,
} from "../support/e2e/http";
import {
  anonymousStatus,
  kubectl,
  kubectlGet,
  kubectlApply,
  kubectlDelete,
} from "../support/e2e/local-env";
import {
  commitSource,
  committedLocalConfig,
  createProject,
  destroyProjects,
  E2EProject,
  hostnameOf,
  stackNameFor,
  up,
  upFails,
  verifyConfig,
  writeConfig,
} from "../support/e2e/project";
import type { CheckResult } from "../../src/components/verification";
import type { OutputMap } from "@pulumi/pulumi/automation";
import { selectPromotion } from "../../src/images/promotion";
import type { RevokedImageSet, VerifiedImageSet } from "../../src/images/types";

const NS = "travel-gates";
const BACKEND_SERVICE = "travel-backend-service";
const FRONTEND_SERVICE = "travel-frontend-service";
/** The frontend's page (it does not call the backend). */
const PAGE = /^frontend travel frontend fixture v1 \(pod travel-frontend-[^)]+\)$/;
/** The path of the frontend that calls the backend (verify.backend.path). */
const BACKEND_STATUS = "/api/backend-status";
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

  /** What a stack promoting `gitSha` from this one would be told (the promotion gate). */
  const promote = (outputs: OutputMap, gitSha: string, allowUnverified = false) =>
    selectPromotion(
      {
        stack: p.stack.name,
        verified: outputs.verifiedImages?.value,
        deployed: outputs.images!.value,
        revoked: outputs.revokedImages?.value,
      },
      { gitSha, allowUnverified, soakMinutes: 0, now: new Date(), enforceSoak: true },
    );

  before(async () => {
    // The program as deploy/ of the app's repository (local-stack.test.ts: beside it).
    p = await createProject(stackNameFor("gates"), { namespace: NS, layout: "in-app" });
    const result = await up(p);
    assert.equal(result.summary.result, "succeeded");
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
    const front = await get(`http://${clusterIp(NS, FRONTEND_SERVICE)}:3000${BACKEND_STATUS}`);
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
    const wired = await viaGateway(host, BACKEND_STATUS);
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
        return get(`http://${ip}:3000${BACKEND_STATUS}`, 5000);
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
  it("up verifies through the Gateway; a frontend with a wrong backend URL rolls out ready, fails verification and is not promotable", async () => {
    const host = hostnameOf(p);
    const before = await p.stack.outputs();
    const verified = before.verifiedImages!.value as VerifiedImageSet;
    const oldSha = verified.frontend.gitSha;
    assert.ok(!Number.isNaN(Date.parse(verified.verifiedAt!)), "verifiedAt is a time");
    const checks = (before.verification!.value as { checks: CheckResult[] }).checks;
    assert.deepEqual(
      checks.map((c) => [c.name, c.url, c.passed]),
      [
        ["path /", `https://${host}/`, true],
        ["frontend reaches backend", `https://${host}${BACKEND_STATUS}`, true],
      ],
    );

    const newSha = commitSource(p, "frontend/message", "travel frontend fixture v2\n");
    // A wrong REMOTE_ACTION_URL: the backend has no such path. Every pod is still ready.
    await writeConfig(p, {
      "travel:backend": {
        ...(committedLocalConfig()["travel:backend"] as object),
        actionPath: "/nowhere",
      },
      "travel:verify": verifyConfig({ timeoutSeconds: 15 }),
    });
    try {
      const failed = await upFails(p);
      const report = failed.message.slice(failed.message.indexOf("verification failed"));
      process.stdout.write(
        `# failed after ${failed.seconds.toFixed(0)}s:\n# ${report.slice(0, 1500)}\n`,
      );
      assert.match(
        report,
        new RegExp(
          "verification failed: 1 of 2 checks did not pass within 15s .*\\n\\s*" +
            `- frontend reaches backend: GET https://${host.replaceAll(".", "\\.")}/api/backend-status: ` +
            'expected 200 with a body containing "<- backend ", got 502: frontend travel frontend fixture v2 ' +
            "\\(pod travel-frontend-[^)]+\\): backend answered 404: 404 page not found \\(\\d+ attempts\\)",
        ),
      );
      assert.doesNotMatch(failed.message, /- path \//, "the page itself answered");
      // The new release rolled out ready and serves; it is just not verified.
      for (const x of pods(NS, "frontend")) {
        assert.equal(x.status.containerStatuses![0]!.ready, true, x.metadata.name);
        assert.match(x.spec.containers[0]!.image, /@sha256:/);
      }
      assert.match((await viaGateway(host))?.body ?? "", /^frontend travel frontend fixture v2 /);
      const after = await p.stack.outputs();
      assert.deepEqual(after.verifiedImages!.value, verified, "verifiedImages unchanged");
      assert.throws(
        () => promote(after, newSha),
        new RegExp(
          `^PromotionRefused: refusing to promote ${newSha}: stack "${p.stack.name}" has verified ${oldSha}, not ${newSha}`,
        ),
      );
    } finally {
      await writeConfig(p, {});
    }
    // The right URL again: the same release verifies.
    const fixed = await up(p);
    assert.equal(fixed.summary.result, "succeeded");
    const now = fixed.outputs.verifiedImages!.value as VerifiedImageSet;
    assert.equal(now.frontend.gitSha, newSha);
    assert.ok(Date.parse(now.verifiedAt!) > Date.parse(verified.verifiedAt!));
  });

  it("npm run deploy: a release that fails verification is rolled back to the last verified one at once, losing no request", async () => {
    const host = hostnameOf(p);
    const good = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
    // A backend release whose API moved: it rolls out ready, but the frontend cannot use it.
    const badSha = commitSource(p, "backend/mode", "no-action\n");
    await writeConfig(p, { "travel:verify": verifyConfig({ timeoutSeconds: 15 }) });
    const loop = new RequestLoop(() => viaGateway(host));
    const deployed = await npmCommand(p, "deploy", [p.stack.name]);
    const result = await loop.stop();
    const log = deployed.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
    process.stdout.write(`# ${log.join("\n# ")}\n`);
    assert.equal(deployed.status, 1, "the deploy still fails");
    assert.match(
      `${deployed.stdout}${deployed.stderr}`,
      /verification failed: 1 of 2 checks did not pass within 15s .*\n\s*- frontend reaches backend: .*backend answered 404/,
    );
    assert.deepEqual(log.slice(-1), [
      `[deploy] ${p.stack.name} runs ${good.backend.gitSha} again; the deploy failed all the same`,
    ]);
    assert.ok(
      log.includes(
        `[deploy] the verification failed: rolling ${p.stack.name} back to its last verified release, ${good.backend.gitSha} (verified at ${good.verifiedAt}); nothing is built`,
      ),
      log.join("\n"),
    );
    for (const w of ["backend", "frontend"] as const) {
      assert.equal(deployment(NS, w).spec.template.spec.containers[0].image, good[w].ref, w);
    }
    const after = await p.stack.outputs();
    const { verifiedAt, ...again } = after.verifiedImages!.value as VerifiedImageSet;
    assert.deepEqual(again, { backend: good.backend, frontend: good.frontend });
    assert.ok(Date.parse(verifiedAt!) > Date.parse(good.verifiedAt!), "verified again");
    assert.deepEqual(after.images!.value, { backend: good.backend, frontend: good.frontend });
    const releases = after.releases!.value as VerifiedImageSet[];
    assert.ok(
      releases.every((r) => r.backend.gitSha !== badSha),
      "the failed release is not a verified release",
    );
    // Nothing downstream can promote it, not even with the override (it is not deployed).
    for (const allowUnverified of [false, true]) {
      assert.throws(
        () => promote(after, badSha, allowUnverified),
        new RegExp(
          `^PromotionRefused: refusing to promote ${badSha}: stack "${p.stack.name}" has (verified|deployed) ${good.backend.gitSha}, not ${badSha}`,
        ),
      );
    }
    assert.equal(
      result.failed,
      0,
      `${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
    );
    assert.ok(result.total > 20, `${result.total} requests`);
    process.stdout.write(
      `# automatic rollback: deploy failed and came back in ${deployed.seconds.toFixed(0)}s; ${result.total} requests, ${result.failed} failed\n`,
    );
    commitSource(p, "backend/mode", "ok\n");
    await writeConfig(p, {});
  });

  it("npm run deploy: a verified release whose re-check fails is revoked: not promotable, not rolled back to", async () => {
    const host = hostnameOf(p);
    const previous = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
    // The source as it is now (backend mode ok again), verified.
    const good = await up(p);
    const release = good.outputs.verifiedImages!.value as VerifiedImageSet;
    const sha = release.backend.gitSha;
    assert.notEqual(sha, previous.backend.gitSha);
    // The same release again, with a backend URL the frontend cannot use: its re-check fails.
    await writeConfig(p, {
      "travel:backend": {
        ...(committedLocalConfig()["travel:backend"] as object),
        actionPath: "/nowhere",
      },
      "travel:verify": verifyConfig({ timeoutSeconds: 15 }),
    });
    const deployed = await npmCommand(p, "deploy", [p.stack.name]);
    const log = deployed.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
    process.stdout.write(`# ${log.join("\n# ")}\n`);
    assert.equal(deployed.status, 1);
    assert.equal(
      log[0],
      `[deploy] revoked ${sha} on ${p.stack.name}: ${p.stack.name} had verified it, and the verification failed now; it is in neither verifiedImages nor releases any more`,
    );
    // The rollback goes to the release before it, never to the revoked one; with the
    // same wrong URL its checks fail too, and the deploy says so.
    assert.equal(
      log[1],
      `[deploy] the verification failed: rolling ${p.stack.name} back to its last verified release, ${previous.backend.gitSha} (verified at ${previous.verifiedAt}); nothing is built`,
    );
    assert.match(log.at(-1)!, /^\[deploy\] the automatic rollback failed too \(pulumi up failed/);
    const after = await p.stack.outputs();
    assert.equal(after.verifiedImages, undefined, "nothing is verified");
    const revoked = after.revokedImages!.value as RevokedImageSet;
    assert.deepEqual(
      { backend: revoked.backend, frontend: revoked.frontend, verifiedAt: revoked.verifiedAt },
      release,
    );
    assert.match(revoked.reason, /^the verification failed in the update of /);
    const releases = after.releases!.value as VerifiedImageSet[];
    assert.ok(
      releases.every((r) => r.backend.gitSha !== sha),
      "it left the releases",
    );
    assert.equal(releases[0]!.backend.gitSha, previous.backend.gitSha);
    assert.throws(
      () => promote(after, sha),
      new RegExp(
        `^PromotionRefused: stack "${p.stack.name}" has no verified images: it revoked ${sha} at ${revoked.revokedAt}`,
      ),
    );
    // The URL fixed: the next update's checks pass, and it is verified again.
    await writeConfig(p, {});
    const fixed = await up(p);
    assert.equal((fixed.outputs.verifiedImages!.value as VerifiedImageSet).backend.gitSha, sha);
    assert.equal(fixed.outputs.revokedImages, undefined);
    assert.match((await viaGateway(host))?.body ?? "", /^frontend travel frontend fixture v2 /);
  });

  it("npm run rollback in the in-app layout: to the previous verified release, then two back, serving throughout", async () => {
    const host = hostnameOf(p);
    const releases = (await p.stack.outputs()).releases!.value as VerifiedImageSet[];
    assert.ok(releases.length >= 3, `${releases.length} verified releases`);
    const [, previous, twoBack] = releases as [
      VerifiedImageSet,
      VerifiedImageSet,
      VerifiedImageSet,
    ];
    const loop = new RequestLoop(() => viaGateway(host));
    const back = await npmCommand(p, "rollback", [p.stack.name]);
    // pulumi's own output (stdout) says why an up failed.
    assert.equal(back.status, 0, `${back.stderr}\n${back.stdout.slice(-4000)}`);
    for (const w of ["backend", "frontend"] as const) {
      assert.equal(deployment(NS, w).spec.template.spec.containers[0].image, previous[w].ref, w);
    }
    const further = await npmCommand(p, "rollback", [p.stack.name, twoBack.backend.gitSha]);
    assert.equal(further.status, 0, `${further.stderr}\n${further.stdout.slice(-4000)}`);
    const result = await loop.stop();
    for (const w of ["backend", "frontend"] as const) {
      assert.equal(deployment(NS, w).spec.template.spec.containers[0].image, twoBack[w].ref, w);
    }
    const now = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
    assert.equal(now.backend.ref, twoBack.backend.ref, "verified again");
    assert.equal(
      result.failed,
      0,
      `${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
    );
    assert.ok(result.total > 20, `${result.total} requests`);
    process.stdout.write(`# in-app rollbacks: ${result.total} requests, ${result.failed} failed\n`);
  });
});
