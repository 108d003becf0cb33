/**
 * "Pin the release under approval" (commands/bootstrap/ci/release-step.ts): the release
 * the job before verified becomes the stack's images.gitSha and images.refs; a missing or
 * malformed release fails the job with every problem, before the stack is touched.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseRelease, releaseStep } from "../../../../commands/bootstrap/ci/release-step";
import type { PulumiCli } from "../../../../commands/bootstrap/pulumi-cli";
import { recorder } from "../../../support/step-recorder";

const SHA = "c".repeat(40);
const REF = (w: string) => `ghcr.io/acme/travel-${w}@sha256:${"d".repeat(64)}`;
const RELEASE = JSON.stringify({
  backend: { ref: REF("backend"), gitSha: SHA },
  frontend: { ref: REF("frontend"), gitSha: SHA },
  verifiedAt: "2026-12-05T12:00:00.000Z",
});

function project(mode: string) {
  const dir = mkdtempSync(join(tmpdir(), "release-step-"));
  writeFileSync(
    join(dir, "Pulumi.prod.yaml"),
    `config:\n  travel:images:\n    mode: ${mode}\n    fromStack: organization/travel/staging\n`,
  );
  const calls: string[] = [];
  const cli: PulumiCli = {
    cwd: dir,
    run: (args) => {
      calls.push(args.join(" "));
      return { status: 0, stdout: "", stderr: "" };
    },
  };
  return { cli, calls };
}

describe("the release under approval", () => {
  it("pins a promoting stack to the release, and says which in the summary", () => {
    const { cli, calls } = project("promote");
    const { step, lines, summaries } = recorder();
    assert.equal(releaseStep({ cli, project: "travel", stack: "prod", release: RELEASE, step }), 0);
    assert.deepEqual(calls, [
      `config set --path images.gitSha ${SHA} --stack prod`,
      `config set --path images.refs.backend ${REF("backend")} --stack prod`,
      `config set --path images.refs.frontend ${REF("frontend")} --stack prod`,
    ]);
    assert.deepEqual(lines, [`prod ships ${SHA} or nothing`]);
    assert.equal(
      summaries.join(""),
      `### prod: the release under approval\n\ncommit \`${SHA}\`\n\n- backend: \`${REF("backend")}\`\n- frontend: \`${REF("frontend")}\`\n`,
    );
  });

  it("fails before touching the stack when the job before passed no release", () => {
    const { cli, calls } = project("promote");
    const { step, lines } = recorder();
    assert.equal(releaseStep({ cli, project: "travel", stack: "prod", release: "", step }), 1);
    assert.deepEqual(calls, []);
    assert.deepEqual(lines, [
      "error: prod: the release under approval: RELEASE is empty: the job before this one passed no release (its verifiedImages output); re-run the workflow from the start",
    ]);
  });

  it("names every problem of a malformed release at once", () => {
    const bad = {
      backend: { ref: "ghcr.io/acme/travel-backend:latest", gitSha: SHA },
      frontend: { ref: REF("frontend"), gitSha: "abc" },
    };
    assert.deepEqual(parseRelease(JSON.stringify(bad)), [
      'RELEASE.backend.ref = "ghcr.io/acme/travel-backend:latest": expected a digest-pinned image reference',
      'RELEASE.frontend.gitSha = "abc": expected a full 40-character git commit SHA',
    ]);
    const mixed = {
      backend: { ref: REF("backend"), gitSha: SHA },
      frontend: { ref: REF("frontend"), gitSha: "e".repeat(40) },
    };
    assert.deepEqual(parseRelease(JSON.stringify(mixed)), [
      `RELEASE holds images of ${SHA} and ${"e".repeat(40)}: expected one commit`,
    ]);
    assert.deepEqual(parseRelease("{not json"), ["RELEASE is not JSON: {not json"]);
  });

  it("leaves a stack pinned by hand as it is", () => {
    const { cli, calls } = project("pinned");
    const { step, lines } = recorder();
    assert.equal(releaseStep({ cli, project: "travel", stack: "prod", release: "", step }), 0);
    assert.deepEqual(calls, []);
    assert.deepEqual(lines, ['prod does not promote (images.mode = "pinned"): nothing to pin']);
  });

  it("fails with pulumi's error when the config cannot be set", () => {
    const { cli } = project("promote");
    const failing: PulumiCli = {
      cwd: cli.cwd,
      run: () => ({ status: 255, stdout: "", stderr: "error: the stack is locked\n" }),
    };
    const { step } = recorder();
    assert.throws(
      () => releaseStep({ cli: failing, project: "travel", stack: "prod", release: RELEASE, step }),
      { message: "cannot set images.gitSha of prod: error: the stack is locked" },
    );
  });
});
