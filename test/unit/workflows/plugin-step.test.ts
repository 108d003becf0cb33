/**
 * The setup action's plugin step, run as GitHub runs it (test/support/workflows): it
 * installs each plugin archive through toolchain/plugins.ts, which refuses an archive whose
 * SHA-256 is not the one recorded, so the step fails and the CLI installs nothing. (The
 * step's success path is in steps.test.ts: "Tool versions, plugins and the toolchain".)
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  calls,
  loadWorkflow,
  PINS,
  runJob,
  STUB_PINS,
  stubbedWorkspace,
  SYSTEM_PATH,
} from "../../support/workflows/harness";

const STEPS = ["Tool versions (toolchain/tools.ts, package.json)", "Install the Pulumi plugins"];

describe("Install the Pulumi plugins", () => {
  it("fails, installing nothing, when an archive is not the recorded one", () => {
    const w = stubbedWorkspace();
    const wrong = join(w.ws, "..", "wrong-checksums.json");
    const table = JSON.parse(readFileSync(STUB_PINS.TRAVEL_PLUGIN_CHECKSUMS, "utf8")) as {
      assets: Record<string, { sha256: string }>;
    };
    for (const entry of Object.values(table.assets)) entry.sha256 = "0".repeat(64);
    writeFileSync(wrong, JSON.stringify(table));
    const r = runJob(loadWorkflow("deploy.yml"), "dev", {
      workspace: w.ws,
      path: [w.bin],
      basePath: SYSTEM_PATH,
      only: STEPS,
      runnerEnv: { ...STUB_PINS, TRAVEL_PLUGIN_CHECKSUMS: wrong },
    });
    const step = r.result(STEPS[1]!);
    assert.equal(step.status, 1);
    const asset = `pulumi-resource-kubernetes-v${PINS.kubernetes}-linux-amd64.tar.gz`;
    assert.ok(
      step.stderr.includes(`${asset} from `) &&
        step.stderr.includes(`, but ${wrong} records ${"0".repeat(64)}: not installed`),
      step.stderr,
    );
    assert.deepEqual(
      calls(w).filter((c) => c.startsWith("pulumi plugin install")),
      [],
    );
  });
});
