/**
 * `npm run rollback` refuses what is not a stack and an optional full SHA, an unknown
 * option, or --unverified without a reason and a SHA, with exit 2 and the usage, before
 * it runs anything; and the npm script runs the command as a process with its exit
 * status and output.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import {
  clearCalls,
  LOOKUPS,
  SHA,
  rollback,
  registry,
  runEnv,
  stubCalls,
} from "../../../support/rollback";

const ROOT = join(__dirname, "..", "..", "..", "..");

describe("rollback arguments", () => {
  const USAGE_ERRORS: [string, string[], string][] = [
    ["no arguments", [], "expected STACK and an optional SHA, got 0 argument(s)"],
    [
      "three arguments",
      ["prod", SHA, "extra"],
      "expected STACK and an optional SHA, got 3 argument(s)",
    ],
    [
      "--unverified without a SHA",
      ["--unverified", "why", "prod"],
      "--unverified needs the SHA to deploy",
    ],
    ["--unverified without a reason", ["prod", SHA, "--unverified"], "--unverified needs a reason"],
    [
      "--unverified with a blank reason",
      ["--unverified", " ", "prod", SHA],
      "--unverified needs a reason",
    ],
    [
      "a short SHA",
      ["prod", SHA.slice(0, 12)],
      `SHA '${SHA.slice(0, 12)}' is not a full 40-character lowercase git SHA`,
    ],
    [
      "an uppercase SHA",
      ["prod", SHA.toUpperCase()],
      `SHA '${SHA.toUpperCase()}' is not a full 40-character lowercase git SHA`,
    ],
    [
      "a non-hex SHA",
      ["prod", `g${SHA.slice(1)}`],
      `SHA 'g${SHA.slice(1)}' is not a full 40-character lowercase git SHA`,
    ],
    [
      "a SHA with a suffix",
      ["prod", `${SHA}-dirty`],
      `SHA '${SHA}-dirty' is not a full 40-character lowercase git SHA`,
    ],
    [
      "a stack with a space",
      ["pr od", SHA],
      "STACK 'pr od' is not a stack name (name, or org/project/name)",
    ],
    [
      "a stack with 4 parts",
      ["a/b/c/d", SHA],
      "STACK 'a/b/c/d' is not a stack name (name, or org/project/name)",
    ],
    ["an unknown option", ["--force", "prod", SHA], "unknown option --force"],
    [
      "--policy-pack without a value",
      ["prod", SHA, "--policy-pack"],
      "--policy-pack needs a directory",
    ],
    [
      "a missing policy pack",
      ["--policy-pack", "nope", "prod", SHA],
      "policy pack directory 'nope' does not exist",
    ],
  ];
  for (const [what, args, message] of USAGE_ERRORS) {
    it(`refuses ${what} with exit 2 and the usage, running nothing`, async () => {
      const run = await rollback(args);
      assert.equal(run.status, 2, run.stderr);
      const [first, usage] = run.stderr.split("\n");
      assert.equal(first, `[rollback] error: ${message}`);
      assert.match(usage!, /^usage: npm run rollback -- \[--dry-run\]/);
      assert.equal(run.stdout, "");
      assert.deepEqual(run.calls, []);
      assert.deepEqual(registry.requests, []);
    });
  }

  it("prints the usage with --help", async () => {
    const run = await rollback(["--help"]);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^usage: npm run rollback -- \[--dry-run\] \[--keep-config\]/);
    assert.match(run.stdout, /--policy-pack DIR \| --no-policy-pack\] STACK \[SHA\]\n/);
    assert.equal(run.stderr, "");
    assert.deepEqual(run.calls, []);
  });
});

describe("npm run rollback", () => {
  const npm = (args: string[], env: Record<string, string> = {}) => {
    clearCalls();
    return promisify(execFile)("npm", ["run", "--silent", "rollback", "--", ...args], {
      cwd: ROOT,
      env: runEnv(env),
    }).then(
      (r) => ({ status: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        status: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );
  };

  it("exits 2 with the usage on a usage error, and 0 after a dry run", async () => {
    const bad = await npm(["prod", "0123"]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, "");
    assert.deepEqual(stubCalls(), []);
    assert.match(bad.stderr, /^\[rollback\] error: SHA '0123' is not a full .*\nusage: /);

    const dry = await npm(["--dry-run", "prod", SHA]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.stdout.trim().split("\n").length, 7);
    assert.match(dry.stdout, /^pulumi config rm images --stack prod\n/);
    assert.deepEqual(stubCalls(), LOOKUPS("prod"));
  });
});
