/**
 * `npm run local` (scripts/local-stack.sh) deploys the local stack and ends by printing
 * the app's URL and a command that fetches it through the Gateway on this machine: that
 * command, run as printed, answers with the frontend's page wired to the backend.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { GATEWAY } from "../../scripts/local-env/layout";
import { kubectlGet } from "./support/local-env";

const ROOT = join(__dirname, "..", "..");
const NS = "app-travelexample";

describe("npm run local", { timeout: 15 * 60_000 }, () => {
  // A developer's own local stack is left as it was found.
  const existed = kubectlGet("namespace", NS) !== undefined;

  after(() => {
    if (!existed)
      execFileSync("bash", ["scripts/local-stack.sh", "destroy"], { cwd: ROOT, stdio: "ignore" });
  });

  it("ends with a command that fetches the app through the Gateway, and that command works", () => {
    const out = execFileSync("bash", ["scripts/local-stack.sh"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
    });
    const command = out.trimEnd().split("\n").at(-1)!;
    assert.ok(command.startsWith("curl "), command);
    assert.ok(command.includes(`--resolve travel.local.test:443:${GATEWAY.address} `), command);
    assert.ok(command.endsWith(" https://travel.local.test/"), command);
    const page = execFileSync("sh", ["-c", command], { encoding: "utf8" });
    assert.match(
      page,
      /^frontend travel frontend fixture v1 \(pod travel-frontend-[^)]+\) <- backend travel backend fixture v1 /,
    );
  });
});
