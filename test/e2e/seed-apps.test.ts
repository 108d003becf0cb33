/**
 * The seed's kind of app on the real node: a Next.js frontend (standalone server) and a
 * FastAPI backend on uvicorn (fixtures/travel), built by `pulumi up` from their own
 * multi-stage Dockerfiles on the base images the local environment makes from Debian
 * (FROM python:3.13-slim, FROM node:20-slim, through BuildKit's docker.io mirror), with pip
 * and npm downloading through this machine's proxy with its CA as a build secret. Then the
 * seed's gates: pods running as UID 65532 on a read-only root, DNS, the frontend's server
 * route reaching the backend, the page on the hostname through the Gateway; a streamed
 * answer arriving in pieces and calling the external API; and a source change of each app
 * under a request loop and open streams, losing no request and no stream.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { assertDeployed, assertRealPod, pods } from "../support/e2e/cluster";
import {
  clusterDns,
  get,
  RequestLoop,
  streamViaGateway,
  viaGateway,
  stopAfter,
} from "../support/e2e/http";
import { kubectlText } from "../support/e2e/local-env";
import { assertStreamsFinished, streamLoop } from "../support/e2e/streams";
import {
  BACKEND_STATUS_PATH,
  commitSource,
  committedLocalConfig,
  createProject,
  destroyProjects,
  E2EProject,
  head,
  hostnameOf,
  stackNameFor,
  up,
  writeConfig,
} from "../support/e2e/project";
import { EXTERNAL } from "../../tools/local-env/layout";

const NS = "travel-seed";
const PAGE = (v: string) =>
  new RegExp(
    `<main id="who">frontend travel next\\.js frontend ${v} \\(pod travel-frontend-[^)]+\\)</main>`,
  );
const WIRED = (f: string, b: string) =>
  new RegExp(
    `^frontend travel next\\.js frontend ${f} \\(pod travel-frontend-[^)]+\\) <- backend travel fastapi backend ${b} \\(pod travel-backend-[^)]+\\)\\n$`,
  );

/** A request loop's outcome: every request answered with the page. */
function assertNoneLost(result: Awaited<ReturnType<RequestLoop["stop"]>>, what: string) {
  assert.equal(
    result.failed,
    0,
    `${what}: ${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
  );
  assert.ok(result.total > 20, `${what}: ${result.total} requests`);
  process.stdout.write(`# ${what}: ${result.total} requests, ${result.failed} failed\n`);
}

describe(
  "the seed's frameworks (Next.js, FastAPI) on the real node",
  { timeout: 25 * 60_000 },
  () => {
    let p: E2EProject;
    let host: string;

    before(async () => {
      p = await createProject(stackNameFor("seed"), { namespace: NS, app: "seed" });
      host = hostnameOf(p);
      const backend = committedLocalConfig()["travel:backend"] as object;
      await writeConfig(p, {
        // The agent's external API: the stand-in outside the cluster, trusted by its CA.
        "travel:backend": {
          ...backend,
          env: {
            EXTERNAL_API_URL: `https://${EXTERNAL.ip}/v1/chat`,
            EXTERNAL_API_CA: readFileSync(EXTERNAL.caCert, "utf8"),
          },
        },
      });
      const t0 = Date.now();
      await up(p);
      process.stdout.write(
        `# first up (two builds, rollout, verification): ${(Date.now() - t0) / 1000} s\n`,
      );
    });

    after(async () => {
      await destroyProjects(p);
    });

    it("runs real pods as UID 65532 on a read-only root, HOME writable, from the built digests", async () => {
      await assertDeployed(NS, head(p));
      for (const w of ["backend", "frontend"] as const) {
        for (const pod of pods(NS, w)) {
          assertRealPod(pod);
          const exec = (...argv: string[]) =>
            kubectlText("-n", NS, "exec", pod.metadata.name, "--", ...argv).then((o) => o.trim());
          assert.equal(await exec("id", "-u"), "65532", `${pod.metadata.name} runs as 65532`);
          await assert.rejects(exec("touch", "/app/written"), /Read-only file system/);
          assert.equal(await exec("sh", "-c", 'touch "$HOME/x" && echo "$HOME"'), "/tmp");
          // Next.js's cache directory is writable (frontend.writablePaths), the rest of /app not.
          if (w === "frontend") await exec("touch", "/app/.next/cache/written");
          const created = Date.parse(pod.metadata.creationTimestamp!);
          const ready = pod.status.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
          process.stdout.write(
            `# ${pod.metadata.name}: Ready ${((Date.parse(ready!) - created) / 1000).toFixed(0)} s after it was created\n`,
          );
        }
      }
    });

    it("cluster DNS, the page on the hostname, and the Next.js server route reaching FastAPI", async () => {
      assert.ok((await clusterDns(`travel-backend-service.${NS}.svc.cluster.local`)).length > 0);
      const page = await viaGateway(host);
      assert.equal(page?.status, 200);
      assert.match(page!.body, PAGE("v1"));
      const wired = await viaGateway(host, BACKEND_STATUS_PATH);
      assert.equal(wired?.status, 200, wired?.body);
      assert.match(wired!.body, WIRED("v1", "v1"));
      const backendIp = pods(NS, "backend")[0]!.status.podIP!;
      const docs = await get(`http://${backendIp}:8000/docs`);
      assert.equal(docs?.status, 200);
      assert.match(docs!.body, /swagger-ui/, "FastAPI's own /docs page");
    });

    it("streams the agent's answer through the Gateway in pieces, after it called the external API", async () => {
      const a = await streamViaGateway(host, "/api/stream?stream=4&interval=800");
      assert.equal(a.status, 200);
      assert.equal(a.broken, undefined);
      assert.equal(a.events.length, 5, JSON.stringify(a.events));
      assert.match(a.events[0]!.data, /^frontend travel next\.js frontend v1 /);
      for (const [i, e] of a.events.slice(1).entries())
        assert.match(
          e.data,
          new RegExp(
            `^backend travel fastapi backend v1 \\(pod [^)]+\\) via external 200 ${i + 1}/4$`,
          ),
        );
      const spread = a.events.at(-1)!.ms - a.events[1]!.ms;
      assert.ok(spread >= 3 * 800 - 500, `events arrived as sent, ${spread} ms apart in all`);
    });

    for (const [w, file] of [
      ["frontend", "travel/frontend/message"],
      ["backend", "travel/backend/message"],
    ] as const) {
      it(`a source change of the ${w} rolls out under a request loop and open streams, losing none`, async (t) => {
        const before = await assertDeployed(NS, head(p));
        const sha = commitSource(
          p,
          file,
          `travel ${w === "frontend" ? "next.js frontend" : "fastapi backend"} v2\n`,
        );
        const loop = new RequestLoop(() => viaGateway(host));
        const streams = streamLoop(host, NS);
        stopAfter(t, loop, streams);
        const t0 = Date.now();
        await up(p);
        const seconds = (Date.now() - t0) / 1000;
        const result = await loop.stop();
        assertStreamsFinished(await streams.stop());
        assertNoneLost(result, `${w} source change (up in ${seconds} s)`);
        const after = await assertDeployed(NS, sha);
        assert.notEqual(after[w], before[w], `the ${w} has a new digest`);
        const wired = await viaGateway(host, BACKEND_STATUS_PATH);
        assert.match(wired!.body, w === "frontend" ? WIRED("v2", "v1") : WIRED("v2", "v2"));
      });
    }
  },
);
