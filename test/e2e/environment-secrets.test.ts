/**
 * Environments kept apart by their credentials, with the real Pulumi CLI on a file://
 * backend (no cluster): the stacks dev and staging, each with a passphrase of its own.
 *
 * - Config: holding dev's passphrase (PULUMI_CONFIG_PASSPHRASE in the environment, never
 *   an argument), staging's secrets do not decrypt (`config get`, `config --show-secrets`,
 *   `stack output --show-secrets`); dev's do. Promotion still works: staging's update
 *   reads dev's outputs through a StackReference with staging's passphrase only.
 * - State: one backend, and per-stack write access to it, the shape docs/delivery.md
 *   recommends for S3 (an IAM policy per environment that may write its own stack's
 *   keys). A file backend has no IAM, so the dev job's identity is a Unix user of its own
 *   (nobody) that owns dev's files only: it updates dev, and cannot update, remove or
 *   replace staging's checkpoint (the file with its verifiedImages). What this cannot show:
 *   an object store's own permissions (no S3 or IAM here), and a directory grant cannot
 *   stop that user from creating new files beside staging's (a per-key IAM grant does).
 *
 * Needs root (to run the dev job as another user) and the CLI on PATH:
 * `eval "$(toolchain/toolchain.sh pulumi)"`.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = join(__dirname, "..", "..");
const PASSPHRASE = { dev: "dev passphrase e2e", staging: "staging passphrase e2e" };
const SECRET = { dev: "dev-secret-e2e-value", staging: "staging-secret-e2e-do-not-leak" };
const PROJECT = "envsecrets";
const root = mkdtempSync(join(tmpdir(), "env-secrets-e2e-"));
const project = join(root, "project");
const state = join(root, "state");
const pulumiDir = join(state, ".pulumi");
const cli = join(root, "cli");
const bin = join(cli, "bin");
after(() => rmSync(root, { recursive: true, force: true }));

/** The program: dev exports a release and a secret; staging promotes dev's release. */
const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const token = new pulumi.Config().requireSecret("token");
if (pulumi.getStack() === "dev") {
  module.exports = { verified: "release-of-dev", token };
} else {
  const dev = new pulumi.StackReference("organization/${PROJECT}/dev");
  module.exports = { promoted: dev.getOutput("verified"), token };
}
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pulumi <args>` in the project with a stack's passphrase in the environment, as `user`. */
function pulumi(
  args: string[],
  passphrase: string,
  user: "root" | "dev" = "root",
  input = "",
): Run {
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: join(root, `home-${user}`),
    PULUMI_HOME: join(root, `home-${user}`, ".pulumi"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
  };
  const [cmd, argv] =
    user === "root"
      ? ["pulumi", args]
      : ["setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "pulumi", ...args]];
  const r = spawnSync(cmd, [...argv, "--non-interactive", "--color", "never"], {
    cwd: project,
    env,
    encoding: "utf8",
    input,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell command as the dev job's user (for writes that bypass the CLI). */
function asDev(script: string): Run {
  const r = spawnSync(
    "setpriv",
    ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", script],
    { encoding: "utf8" },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const checkpoint = (stack: string) => join(pulumiDir, "stacks", PROJECT, `${stack}.json`);
const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what}:\n${r.stdout}${r.stderr}`);

/**
 * The CLI in a folder the dev job's user can read (the toolchain's lives under /root):
 * its install folder (bin/, and libexec/ when the language host has one) as hard links,
 * or copies on another file system.
 */
function linkCli(): void {
  const which = execFileSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" }).trim();
  const from = dirname(dirname(which));
  const linked = spawnSync("cp", ["-al", from, cli]);
  if (linked.status !== 0) execFileSync("cp", ["-a", from, cli]);
}

/** Gives the dev job's user its own stack's files and folders, and nothing of staging's. */
function grantDevOnly(): void {
  const own = [
    join(pulumiDir, "history", PROJECT, "dev"),
    join(pulumiDir, "backups", PROJECT, "dev"),
    join(pulumiDir, "locks", "organization", PROJECT, "dev"),
    join(root, "home-dev"),
  ];
  for (const dir of own) mkdirSync(dir, { recursive: true });
  execFileSync("chmod", ["-R", "a+rX", root]);
  execFileSync("chown", ["-R", "nobody:nogroup", ...own]);
  execFileSync("sh", ["-c", `chown nobody:nogroup '${checkpoint("dev")}'*`]);
  // The stacks' folder: anyone may add files, only a file's owner may replace or remove it.
  chmodSync(join(pulumiDir, "stacks", PROJECT), 0o1777);
}

describe("environments kept apart by their credentials (file backend)", () => {
  before(() => {
    assert.equal(process.getuid?.(), 0, "run as root: the dev job runs as the user nobody");
    linkCli();
    mkdirSync(project);
    mkdirSync(state);
    writeFileSync(join(project, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
    writeFileSync(join(project, "index.js"), PROGRAM);
    symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
    for (const stack of ["dev", "staging"] as const) {
      ok(pulumi(["stack", "init", `organization/${PROJECT}/${stack}`], PASSPHRASE[stack]), stack);
      const secret = ["config", "set", "--secret", "token", "--stack", stack];
      ok(pulumi(secret, PASSPHRASE[stack], "root", SECRET[stack]), `${stack}'s secret, on stdin`);
      ok(pulumi(["up", "--yes", "--stack", stack], PASSPHRASE[stack]), `${stack} up`);
    }
  });

  it("holding dev's passphrase, staging's secrets do not decrypt, and dev's do", () => {
    const dev = PASSPHRASE.dev;
    const get = pulumi(["config", "get", "token", "--stack", "staging"], dev);
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /incorrect passphrase/);
    const all = pulumi(["config", "--show-secrets", "--stack", "staging"], dev);
    assert.notEqual(all.code, 0);
    assert.match(all.stderr, /incorrect passphrase/);
    const outputs = pulumi(
      ["stack", "output", "--show-secrets", "--json", "--stack", "staging"],
      dev,
    );
    assert.notEqual(outputs.code, 0);
    for (const r of [get, all, outputs]) {
      assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET.staging), "staging's secret printed");
    }
    const own = pulumi(["config", "get", "token", "--stack", "dev"], dev);
    ok(own, "dev's own secret");
    assert.equal(own.stdout.trim(), SECRET.dev);
  });

  it("promotion needs no other stack's passphrase: staging read dev's release with its own", () => {
    const staging = PASSPHRASE.staging;
    const promoted = pulumi(["stack", "output", "promoted", "--stack", "staging"], staging);
    ok(promoted, "staging's output");
    assert.equal(promoted.stdout.trim(), "release-of-dev");
    const devRelease = pulumi(["stack", "output", "verified", "--stack", "dev"], staging);
    ok(devRelease, "dev's plain output with staging's passphrase");
    assert.equal(devRelease.stdout.trim(), "release-of-dev");
    const devSecret = pulumi(["config", "get", "token", "--stack", "dev"], staging);
    assert.notEqual(devSecret.code, 0, "and staging's passphrase opens nothing of dev's secrets");
  });

  it("dev's identity updates dev's state, and cannot update, remove or replace staging's", () => {
    grantDevOnly();
    const before = digest(checkpoint("staging"));
    ok(pulumi(["up", "--yes", "--stack", "dev"], PASSPHRASE.dev, "dev"), "dev's own update");
    const file = checkpoint("staging");
    const up = (passphrase: string) =>
      pulumi(["up", "--yes", "--stack", "staging"], passphrase, "dev");
    const attempts: [string, Run, RegExp][] = [
      ["up with dev's passphrase", up(PASSPHRASE.dev), /incorrect passphrase|permission denied/],
      // Even with staging's passphrase (a stolen one), dev's identity cannot write its state.
      ["up with staging's passphrase", up(PASSPHRASE.staging), /permission denied/],
      [
        "stack rm --force",
        pulumi(["stack", "rm", "--force", "--yes", "--stack", "staging"], PASSPHRASE.dev, "dev"),
        /permission denied/,
      ],
      ["overwrite the checkpoint", asDev(`printf '{}' > '${file}'`), /Permission denied/],
      [
        "replace the checkpoint",
        asDev(`printf '{}' > '${file}.new' && mv '${file}.new' '${file}'`),
        /not permitted/,
      ],
    ];
    for (const [what, r, why] of attempts) {
      assert.notEqual(r.code, 0, `${what} succeeded:\n${r.stdout}${r.stderr}`);
      assert.match(`${r.stdout}${r.stderr}`, why, what);
    }
    assert.equal(digest(checkpoint("staging")), before, "staging's checkpoint changed");
    const promoted = pulumi(
      ["stack", "output", "promoted", "--stack", "staging"],
      PASSPHRASE.staging,
    );
    assert.equal(promoted.stdout.trim(), "release-of-dev");
  });
});
