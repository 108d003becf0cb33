/**
 * commands/rollback.sh without network: argument validation, and with stub `pulumi`
 * and `docker` commands on PATH, the lookups (history, outputs, registry), the pulumi
 * commands it prints (--dry-run) or runs, and the restored stack config file.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";

const SCRIPT = join(__dirname, "..", "..", "..", "commands", "rollback.sh");
const sha = (seed: string) => createHash("sha1").update(seed).digest("hex");
const SHA = sha("deployed");
const OTHER_SHA = sha("never-deployed");
const ZERO_DIGEST = `sha256:${"0".repeat(64)}`;
const STACK_FILE =
  "config:\n  travel:images:\n    mode: promote\n    fromStack: organization/travel/staging\n";

/** The digest the stub registry returns for a reference. */
const digestOf = (ref: string) => `sha256:${createHash("sha256").update(ref).digest("hex")}`;

const PULUMI_STUB = `#!/usr/bin/env bash
printf 'pulumi %s\\n' "$*" >>"$STUB_LOG"
case "$*" in
  "stack history"*) printf '%s\\n' "$STUB_HISTORY" ;;
  "stack output images"*) printf '%s\\n' "$STUB_IMAGES" ;;
  "config get --path registry.username"*) echo ci-bot ;;
  "config set"* | "config rm"*) printf '# %s\\n' "$*" >>"Pulumi.\${STUB_STACK_FILE}.yaml" ;;
  *) ;;
esac
`;

const DOCKER_STUB = `#!/usr/bin/env bash
printf 'docker %s\\n' "$*" >>"$STUB_LOG"
if [[ "$1" == login ]]; then
  printf 'stdin=%s\\n' "$(cat)" >>"$STUB_LOG"
  exit 0
fi
ref="$4" fmt="$6"
[[ "$ref" == *"\${STUB_MISSING:-none}"* ]] && { echo "ERROR: not found" >&2; exit 1; }
case "$fmt" in
  *Manifest*) printf '{"schemaVersion":2,"digest":"sha256:%s","size":1}\\n' "$(printf '%s' "$ref" | sha256sum | cut -c1-64)" ;;
  *Image*) printf '{"linux/amd64":{"config":{"Labels":{"org.opencontainers.image.revision":"%s"}}}}\\n' "\${STUB_REVISION:-\${ref##*:}}" ;;
esac
`;

const work = mkdtempSync(join(tmpdir(), "rollback-test-"));
const bin = join(work, "bin");
const project = join(work, "project");
const log = join(work, "calls.log");
mkdirSync(bin);
mkdirSync(join(project, "policy"), { recursive: true });
writeFileSync(join(project, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\n");
writeFileSync(join(bin, "pulumi"), PULUMI_STUB);
writeFileSync(join(bin, "docker"), DOCKER_STUB);
chmodSync(join(bin, "pulumi"), 0o755);
chmodSync(join(bin, "docker"), 0o755);
after(() => rmSync(work, { recursive: true, force: true }));

const HISTORY = JSON.stringify([
  { version: 2, result: "failed", environment: { "git.head": OTHER_SHA } },
  { version: 1, result: "succeeded", environment: { "git.head": SHA } },
]);
const IMAGES = JSON.stringify({
  backend: { ref: `ghcr.io/acme/coagents-travel-backend@${ZERO_DIGEST}`, gitSha: OTHER_SHA },
  frontend: { ref: `ghcr.io/acme/coagents-travel-frontend@${ZERO_DIGEST}`, gitSha: OTHER_SHA },
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
}

function rollback(args: string[], env: Record<string, string> = {}): Run {
  const result = spawnSync("bash", [SCRIPT, ...args], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: work,
      TRAVEL_PROJECT_DIR: project,
      STUB_LOG: log,
      STUB_HISTORY: HISTORY,
      STUB_IMAGES: IMAGES,
      STUB_STACK_FILE: "prod",
      ...env,
    },
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    calls = [];
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const backendRef = `ghcr.io/acme/coagents-travel-backend@${digestOf(`ghcr.io/acme/coagents-travel-backend:${SHA}`)}`;
const frontendRef = `ghcr.io/acme/coagents-travel-frontend@${digestOf(`ghcr.io/acme/coagents-travel-frontend:${SHA}`)}`;

const PINNING = (stack: string) => [
  `pulumi config rm images --stack ${stack}`,
  `pulumi config set --path images.mode pinned --stack ${stack}`,
  `pulumi config set --path images.backend.ref ${backendRef} --stack ${stack}`,
  `pulumi config set --path images.backend.gitSha ${SHA} --stack ${stack}`,
  `pulumi config set --path images.frontend.ref ${frontendRef} --stack ${stack}`,
  `pulumi config set --path images.frontend.gitSha ${SHA} --stack ${stack}`,
];

const LOOKUPS = (stack: string) => [
  `pulumi stack history --json --show-secrets=false --page-size 100 --stack ${stack}`,
  `pulumi stack output images --json --stack ${stack}`,
  `pulumi config get --path registry.username --stack ${stack}`,
  `docker buildx imagetools inspect ghcr.io/acme/coagents-travel-backend:${SHA} --format {{json .Manifest}}`,
  `docker buildx imagetools inspect ghcr.io/acme/coagents-travel-backend:${SHA} --format {{json .Image}}`,
  `docker buildx imagetools inspect ghcr.io/acme/coagents-travel-frontend:${SHA} --format {{json .Manifest}}`,
  `docker buildx imagetools inspect ghcr.io/acme/coagents-travel-frontend:${SHA} --format {{json .Image}}`,
];

beforeEach(() => {
  rmSync(log, { force: true });
  writeFileSync(join(project, "Pulumi.prod.yaml"), STACK_FILE);
});

describe("rollback.sh arguments", () => {
  const USAGE_ERRORS: [string, string[], RegExp][] = [
    ["no arguments", [], /expected STACK and SHA, got 0 argument/],
    ["only a stack", ["prod"], /expected STACK and SHA, got 1 argument/],
    ["three arguments", ["prod", SHA, "extra"], /expected STACK and SHA, got 3 argument/],
    ["a short SHA", ["prod", SHA.slice(0, 12)], /is not a full 40-character lowercase git SHA/],
    ["an uppercase SHA", ["prod", SHA.toUpperCase()], /is not a full 40-character lowercase/],
    ["a non-hex SHA", ["prod", `g${SHA.slice(1)}`], /is not a full 40-character lowercase/],
    ["a SHA with a suffix", ["prod", `${SHA}-dirty`], /is not a full 40-character lowercase/],
    ["a stack with a space", ["pr od", SHA], /STACK 'pr od' is not a stack name/],
    ["a stack with 4 parts", ["a/b/c/d", SHA], /STACK 'a\/b\/c\/d' is not a stack name/],
    ["an unknown option", ["--force", "prod", SHA], /unknown option --force/],
    ["--policy-pack without a value", ["prod", SHA, "--policy-pack"], /--policy-pack needs/],
    ["a missing policy pack", ["--policy-pack", "nope", "prod", SHA], /'nope' does not exist/],
  ];
  for (const [what, args, message] of USAGE_ERRORS) {
    it(`refuses ${what} with exit 2 and the usage, running nothing`, () => {
      const run = rollback(args);
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /usage: commands\/rollback\.sh/);
      assert.equal(run.stdout, "");
      assert.deepEqual(run.calls, []);
    });
  }

  it("prints the usage with --help", () => {
    const run = rollback(["--help"]);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^usage: commands\/rollback\.sh/);
    assert.deepEqual(run.calls, []);
  });
});

describe("rollback.sh --dry-run", () => {
  it("looks up the SHA's digests and prints the pulumi commands, changing nothing", () => {
    const run = rollback(["--dry-run", "prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      ...PINNING("prod"),
      `pulumi up --yes --stack prod --policy-pack policy --message 'rollback prod to ${SHA}'`,
    ]);
    assert.deepEqual(run.calls, LOOKUPS("prod"));
    assert.equal(readFileSync(join(project, "Pulumi.prod.yaml"), "utf8"), STACK_FILE);
  });

  it("takes options after the arguments and a stack with an organization", () => {
    const run = rollback(["organization/travel/staging", SHA, "--no-policy-pack", "--dry-run"]);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, 6), PINNING("organization/travel/staging"));
    assert.equal(
      lines[6],
      `pulumi up --yes --stack organization/travel/staging --message 'rollback organization/travel/staging to ${SHA}'`,
    );
  });

  it("refuses a SHA never deployed to the stack, unless --allow-undeployed", () => {
    const refused = rollback(["--dry-run", "prod", OTHER_SHA]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`${OTHER_SHA} was never deployed to prod`));
    assert.equal(refused.stdout, "");
    assert.ok(!refused.calls.some((c) => c.startsWith("docker")), "looked up the registry");

    rmSync(log, { force: true });
    const allowed = rollback(["--dry-run", "--allow-undeployed", "prod", OTHER_SHA]);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.ok(!allowed.calls.some((c) => c.includes("stack history")), "read the history");
    assert.match(allowed.stdout, new RegExp(`images.backend.gitSha ${OTHER_SHA} --stack prod`));
  });

  it("fails when the SHA's tag is not in the registry", () => {
    const run = rollback(["--dry-run", "prod", SHA], { STUB_MISSING: "frontend" });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      new RegExp(`ghcr.io/acme/coagents-travel-frontend:${SHA} not found in the registry`),
    );
    assert.equal(run.stdout, "");
  });

  it("fails when the tag's image is labelled with another revision", () => {
    const run = rollback(["--dry-run", "prod", SHA], { STUB_REVISION: OTHER_SHA });
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`labelled revision ${OTHER_SHA}, not ${SHA}`));
  });

  it("fails when the stack's images output is not digest-pinned", () => {
    const images = JSON.stringify({
      backend: { ref: "ghcr.io/acme/coagents-travel-backend:latest", gitSha: SHA },
      frontend: { ref: `ghcr.io/acme/coagents-travel-frontend@${ZERO_DIGEST}`, gitSha: SHA },
    });
    const run = rollback(["--dry-run", "prod", SHA], { STUB_IMAGES: images });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /the backend image of prod is not a digest reference/);
  });

  it("logs in with REGISTRY_TOKEN on stdin, never as an argument", () => {
    const run = rollback(["--dry-run", "prod", SHA], { REGISTRY_TOKEN: "tok-do-not-leak" });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.calls.includes("docker login ghcr.io --username ci-bot --password-stdin"));
    assert.ok(run.calls.includes("stdin=tok-do-not-leak"));
    assert.ok(!run.calls.some((c) => c.startsWith("docker") && c.includes("tok-do-not-leak")));
    assert.ok(!`${run.stdout}${run.stderr}`.includes("tok-do-not-leak"));
  });
});

describe("rollback.sh", () => {
  it("pins the digests, runs pulumi up and restores the stack config file", () => {
    const run = rollback(["prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "");
    assert.deepEqual(run.calls, [
      ...LOOKUPS("prod"),
      ...PINNING("prod"),
      `pulumi up --yes --stack prod --policy-pack policy --message rollback prod to ${SHA}`,
    ]);
    assert.equal(readFileSync(join(project, "Pulumi.prod.yaml"), "utf8"), STACK_FILE);
    assert.match(run.stderr, /restored Pulumi\.prod\.yaml/);
  });

  it("keeps the pinned config with --keep-config", () => {
    const run = rollback(["--keep-config", "prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    const file = readFileSync(join(project, "Pulumi.prod.yaml"), "utf8");
    assert.ok(file.startsWith(STACK_FILE));
    assert.match(file, /# config set --path images.mode pinned --stack prod/);
  });

  it("restores the stack config file when pulumi up fails", () => {
    const failing = join(work, "failing-bin");
    mkdirSync(failing, { recursive: true });
    writeFileSync(
      join(failing, "pulumi"),
      `#!/usr/bin/env bash\n[[ "$1" == up ]] && { printf 'pulumi %s\\n' "$*" >>"$STUB_LOG"; exit 7; }\nexec "${join(bin, "pulumi")}" "$@"\n`,
    );
    chmodSync(join(failing, "pulumi"), 0o755);
    const run = rollback(["prod", SHA], { PATH: `${failing}:${bin}:${process.env.PATH}` });
    assert.equal(run.status, 7);
    assert.equal(run.calls.at(-1)?.startsWith("pulumi up --yes --stack prod"), true);
    assert.equal(readFileSync(join(project, "Pulumi.prod.yaml"), "utf8"), STACK_FILE);
  });
});
