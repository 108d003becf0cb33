/**
 * `npm run local` (tools/local-stack.sh) deploys the local stack and ends by printing
 * the app's URL and a command that fetches it through the Gateway on this machine: that
 * command, run as printed, answers with the Next.js frontend's page (fixtures/travel).
 *
 * It runs beside the other suites, on the same environment: it must leave the
 * environment's registry credentials as they were, so a stack another suite deployed
 * keeps building, pushing and pulling with the tokens it was given.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GATEWAY, REGISTRY } from "../../tools/local-env/layout";
import { state } from "../../tools/local-env/supervisor";
import { eventually, viaGateway } from "../support/e2e/http";
import { kubectlGet, registryPullToken, registryToken } from "../support/e2e/local-env";
import {
  commitSource,
  createProject,
  destroyProjects,
  E2EProject,
  hostnameOf,
  ONE_FRONTEND,
  stackNameFor,
  up,
  writeConfig,
} from "../support/e2e/project";

const ROOT = join(__dirname, "..", "..");
const NS = "app-travelexample";

/** The registry's answer to GET /v2/ with these basic-auth credentials. */
async function registryStatus(user: string, token: string): Promise<number> {
  const auth = Buffer.from(`${user}:${token}`).toString("base64");
  const res = await fetch(`http://${REGISTRY.address}/v2/`, {
    headers: { Authorization: `Basic ${auth}` },
  });
  return res.status;
}

/** What a running suite relies on: the token files and the registry process that reads them. */
function environmentCredentials() {
  return {
    push: registryToken(),
    pull: registryPullToken(),
    files: [REGISTRY.tokenFile, REGISTRY.pullTokenFile].map((f) => statSync(f).mtimeMs),
    registry: /pid (\d+)/.exec(state("registry").detail)?.[1],
  };
}

describe("npm run local", { timeout: 15 * 60_000 }, () => {
  // A developer's own local stack is left as it was found.
  const existed = kubectlGet("namespace", NS) !== undefined;
  let beside: E2EProject;
  let before_: ReturnType<typeof environmentCredentials>;
  let out = "";

  before(async () => {
    beside = await createProject(stackNameFor("beside"), {
      namespace: "travel-beside-local",
    });
    await writeConfig(beside, ONE_FRONTEND);
    await up(beside);
    before_ = environmentCredentials();
    assert.ok(before_.registry, "the registry runs under supervisord with a pid");
    out = execFileSync("bash", ["tools/local-stack.sh"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
    });
  });

  after(async () => {
    await destroyProjects(beside);
    if (!existed)
      execFileSync("bash", ["tools/local-stack.sh", "destroy"], { cwd: ROOT, stdio: "ignore" });
  });

  it("ends with a command that fetches the app through the Gateway, and that command works", () => {
    const command = out.trimEnd().split("\n").at(-1)!;
    assert.ok(command.startsWith("curl "), command);
    assert.ok(command.includes(`--resolve travel.local.test:443:${GATEWAY.address} `), command);
    assert.ok(command.endsWith(" https://travel.local.test/"), command);
    const page = execFileSync("sh", ["-c", command], { encoding: "utf8" });
    // The local stack's frontend is the Next.js app of fixtures/travel.
    assert.match(
      page,
      /<main id="who">frontend travel next\.js frontend v1 \(pod travel-frontend-[^)]+\)<\/main>/,
    );
  });

  it("leaves the credentials of a stack deployed beside it valid: it still builds, pushes and pulls", async () => {
    assert.deepEqual(environmentCredentials(), before_, "the tokens or the registry changed");
    assert.equal(await registryStatus(REGISTRY.user, before_.push), 200);
    assert.equal(await registryStatus(REGISTRY.pullUser, before_.pull), 200);

    // A new image: pushed with the suite's push token, pulled by the node with its pull secret.
    commitSource(beside, "frontend/message", "travel frontend fixture beside v2\n");
    await up(beside);
    // The old pod keeps serving while it drains: the new answer comes once it is gone.
    await eventually("the new frontend answers through the Gateway", 60, async () =>
      /^frontend travel frontend fixture beside v2 /.test(
        (await viaGateway(hostnameOf(beside)))?.body ?? "",
      ),
    );
  });
});
