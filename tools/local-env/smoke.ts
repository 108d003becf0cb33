/**
 * The smoke check after `up` (and `verify`): the registry demands credentials; an
 * image pushed there is pulled by the real node through a pull secret; its pods run
 * (containerd container IDs, IPs on the pod subnet) and pass a real probe; PodSecurity
 * refuses a privileged pod; the Service answers on its ClusterIP, its name resolves
 * in cluster DNS, and the Gateway serves its route over HTTPS; deleting the namespace
 * removes everything in it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixtureServers } from "../../fixtures/app/compile";
import { request } from "./checks";
import type { Component, Context } from "./component";
import { CA_CERT, DOCKER, GATEWAY, KUBE, NODE, REGISTRY } from "./layout";
import type { ContextFor } from "./runner";
import { run, sleep, StepError } from "./sys";
import { fillFile } from "./template";

const NS = "travel-local-smoke";
const HOST = "smoke.local.test";
const REPO = `${REGISTRY.address}/travel-local/smoke`;

async function until(
  what: string,
  seconds: number,
  ctx: Context,
  probe: () => Promise<boolean> | boolean,
) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new StepError("smoke", `${what} (within ${seconds}s)`, ctx.log);
    await sleep(500);
  }
}

/** Builds the backend stand-in with dockerd and pushes it; returns its digest reference. */
function pushImage(ctx: Context, token: string): string {
  const dir = mkdtempSync(join(tmpdir(), "travel-smoke-"));
  try {
    cpSync(join(__dirname, "..", "..", "fixtures", "app"), dir, { recursive: true });
    compileFixtureServers(dir);
    const env = {
      DOCKER_HOST: `unix://${DOCKER.socket}`,
      DOCKER_CONFIG: DOCKER.config,
      DOCKER_BUILDKIT: "1",
    };
    const docker = (...args: string[]) => run([DOCKER.cli, ...args], { log: ctx.log, env });
    docker("build", "-q", "-t", `${REPO}:latest`, join(dir, "backend"));
    run([DOCKER.cli, "login", REGISTRY.address, "-u", REGISTRY.user, "--password-stdin"], {
      log: ctx.log,
      env,
      input: token,
    });
    try {
      docker("push", `${REPO}:latest`);
    } finally {
      // No stored credentials may stand in for the ones a program passes.
      docker("logout", REGISTRY.address);
    }
    const digests = docker(
      "inspect",
      "-f",
      "{{range .RepoDigests}}{{println .}}{{end}}",
      `${REPO}:latest`,
    ).stdout;
    const ref = digests.split("\n").find((d) => d.startsWith(`${REPO}@sha256:`));
    if (!ref) throw new StepError("smoke", "the pushed image has no digest", ctx.log);
    return ref;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function verify(contextFor: ContextFor): Promise<void> {
  const ctx = contextFor({ name: "smoke" } as Component);
  const t0 = Date.now();
  const token = readFileSync(REGISTRY.tokenFile, "utf8").trim();
  const anon = await request(`http://${REGISTRY.address}/v2/`);
  const authed = await request(`http://${REGISTRY.address}/v2/`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${REGISTRY.user}:${token}`).toString("base64")}`,
    },
  });
  if (anon?.status !== 401 || authed?.status !== 200) {
    throw new StepError(
      "smoke (registry)",
      `GET /v2/ gave ${anon?.status} anonymous and ${authed?.status} with the token; expected 401 and 200`,
      ctx.log,
    );
  }
  const image = pushImage(ctx, token);
  const auth = Buffer.from(`${REGISTRY.user}:${token}`).toString("base64");
  const pullSecret = Buffer.from(
    JSON.stringify({ auths: { [REGISTRY.address]: { auth } } }),
  ).toString("base64");

  ctx.kubectl(["delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
  ctx.kubectl(["apply", "-f", "-"], {
    input: fillFile("manifests/smoke.yaml", { image, pullSecret, host: HOST }),
  });
  const refused = ctx.kubectl(
    ["-n", NS, "run", "privileged", `--image=${image}`, "--privileged", "--dry-run=server"],
    { allowFail: true },
  );
  if (refused.includes("created"))
    throw new StepError(
      "smoke (PodSecurity)",
      "a privileged pod was admitted into a restricted namespace",
      ctx.log,
    );
  ctx.kubectl(["-n", NS, "rollout", "status", "deployment/smoke", "--timeout=120s"]);

  const pods = JSON.parse(
    ctx.kubectl(["-n", NS, "get", "pods", "-l", "app=smoke", "-o", "json"]),
  ) as {
    items: {
      status: { podIP?: string; containerStatuses?: { containerID?: string; ready: boolean }[] };
    }[];
  };
  const subnet = NODE.podCidr.split(".").slice(0, 3).join(".");
  for (const p of pods.items) {
    const c = p.status.containerStatuses?.[0];
    if (
      !c?.ready ||
      !c.containerID?.startsWith("containerd://") ||
      !p.status.podIP?.startsWith(`${subnet}.`)
    ) {
      throw new StepError(
        "smoke (real pods)",
        `pod status ${JSON.stringify(p.status)} is not a ready containerd container on ${NODE.podCidr}`,
        ctx.log,
      );
    }
  }
  const clusterIp = ctx.kubectl([
    "-n",
    NS,
    "get",
    "service",
    "smoke",
    "-o",
    "jsonpath={.spec.clusterIP}",
  ]);
  await until(
    `GET http://${clusterIp}/docs (the Service) answers 200`,
    30,
    ctx,
    async () => (await request(`http://${clusterIp}/docs`))?.status === 200,
  );
  const dns = new Resolver({ timeout: 2000, tries: 2 });
  dns.setServers([NODE.ip]);
  const name = `smoke.${NS}.svc.${KUBE.clusterDomain}`;
  await until(`${name} resolves to ${clusterIp} in cluster DNS`, 30, ctx, async () =>
    (await dns.resolve4(name).catch((): string[] => [])).includes(clusterIp),
  );
  await until(`https://${HOST}/docs answers 200 through the Gateway`, 60, ctx, async () => {
    const res = await request(`https://${GATEWAY.address}/docs`, {
      ca: CA_CERT,
      headers: { Host: HOST },
      servername: HOST,
    });
    return res?.status === 200;
  });
  ctx.kubectl(["delete", "namespace", NS, "--wait=true", "--timeout=120s"]);
  ctx.say(
    `smoke: pulled through a pull secret, 2 real pods Ready, Service, DNS and Gateway (HTTPS) answer, namespace deleted (${((Date.now() - t0) / 1000).toFixed(1)}s)`,
  );
}
