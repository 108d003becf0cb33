/**
 * `npm run rollback` without network: with a stub `pulumi` on PATH and a fake registry
 * on 127.0.0.1, the lookups (history, outputs, registry), the pulumi commands it prints
 * (--dry-run) or runs, the registry's pull credentials, and the restored stack file.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OCI_LABEL } from "../../../../src/names";
import {
  imagesOutput,
  LOOKUPS,
  OTHER_SHA,
  PINNING,
  pinnedRef,
  REPOSITORIES,
  registry,
  registryConfig,
  rollback,
  SHA,
  STACK_FILE,
  stackFile,
} from "../../../support/rollback";

const UP = (stack: string, policy = " --policy-pack policy") =>
  `pulumi up --yes --stack ${stack}${policy} --message 'rollback ${stack} to ${SHA}'`;

describe("rollback --dry-run", () => {
  it("looks up the SHA's digests and prints the pulumi commands, changing nothing", async () => {
    const run = await rollback(["--dry-run", "prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [...PINNING("prod"), UP("prod")]);
    assert.deepEqual(run.calls, LOOKUPS("prod"));
    assert.equal(stackFile(), STACK_FILE);
    assert.deepEqual(run.stderr.trim().split("\n"), [
      `[rollback] ${SHA} was deployed to prod before (1 update(s))`,
      "[rollback] reading the registry anonymously (REGISTRY_TOKEN is not set)",
      `[rollback] backend: ${pinnedRef(0)}`,
      `[rollback] frontend: ${pinnedRef(1)}`,
      "[rollback] dry run: the commands that would run",
    ]);
  });

  it("takes options after the arguments and a stack with an organization", async () => {
    const stack = "organization/travel/staging";
    const run = await rollback([stack, SHA, "--no-policy-pack", "--dry-run"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [...PINNING(stack), UP(stack, "")]);
    assert.deepEqual(run.calls, LOOKUPS(stack));
  });

  it("refuses a SHA never deployed to the stack, unless --allow-undeployed", async () => {
    const refused = await rollback(["--dry-run", "prod", OTHER_SHA]);
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stderr,
      `[rollback] error: ${OTHER_SHA} was never deployed to prod (no succeeded update with ` +
        `git.head ${OTHER_SHA} in its history); use --allow-undeployed to deploy it anyway\n`,
    );
    assert.equal(refused.stdout, "");
    assert.deepEqual(registry.requests, [], "looked up the registry");

    for (const r of REPOSITORIES) registry.tags.set(`${r}:${OTHER_SHA}`, { revision: OTHER_SHA });
    const allowed = await rollback(["--dry-run", "--allow-undeployed", "prod", OTHER_SHA]);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.deepEqual(allowed.calls, LOOKUPS("prod", { history: false }));
    assert.deepEqual(allowed.stdout.trim().split("\n").slice(0, 6), PINNING("prod", OTHER_SHA));
  });

  it("fails when the SHA's tag is not in the registry", async () => {
    registry.tags.delete(`${REPOSITORIES[1]}:${SHA}`);
    const run = await rollback(["--dry-run", "prod", SHA]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `[rollback] error: ${registry.host}/${REPOSITORIES[1]}:${SHA} not found in the registry ` +
        `(was ${SHA} built by dev?)`,
    );
    assert.equal(run.stdout, "");
  });

  it("fails when the tag's image is labelled with another revision", async () => {
    registry.tags.set(`${REPOSITORIES[0]}:${SHA}`, { revision: OTHER_SHA });
    const run = await rollback(["--dry-run", "prod", SHA]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `[rollback] error: ${registry.host}/${REPOSITORIES[0]}:${SHA} is labelled revision ` +
        `${OTHER_SHA}, not ${SHA}: the tag was overwritten`,
    );
    assert.equal(run.stdout, "");
  });

  it("reads the label of an index's image, and warns about an unlabelled one", async () => {
    registry.tags.set(`${REPOSITORIES[0]}:${SHA}`, { revision: SHA, index: true });
    registry.tags.set(`${REPOSITORIES[1]}:${SHA}`, {});
    const run = await rollback(["--dry-run", "prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [...PINNING("prod"), UP("prod")]);
    assert.ok(
      run.stderr.includes(
        `[rollback] warning: ${registry.host}/${REPOSITORIES[1]}:${SHA} has no ${OCI_LABEL.revision} label\n`,
      ),
      run.stderr,
    );
  });

  it("fails when the stack's images output is not digest-pinned", async () => {
    const images = JSON.stringify({
      ...JSON.parse(imagesOutput()),
      backend: { ref: `${registry.host}/${REPOSITORIES[0]}:latest`, gitSha: SHA },
    });
    const run = await rollback(["--dry-run", "prod", SHA], { STUB_IMAGES: images });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `[rollback] error: the backend image of prod is not a digest reference: ${registry.host}/${REPOSITORIES[0]}:latest`,
    );
    assert.deepEqual(registry.requests, []);
  });
});

describe("rollback's registry credentials", () => {
  const TOKEN = "tok-do-not-leak";
  const noLeak = (run: { stdout: string; stderr: string; calls: string[] }) =>
    assert.ok(![run.stdout, run.stderr, ...run.calls].some((t) => t.includes(TOKEN)));

  it("reads anonymously without REGISTRY_TOKEN, never asking for a token", async () => {
    const run = await rollback(["--dry-run", "prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(registry.requests.length > 0);
    assert.ok(
      registry.requests.every((r) => r.startsWith("GET /v2/")),
      registry.requests.join(),
    );
  });

  it("reads with REGISTRY_TOKEN as the pull user, never as an argument", async () => {
    registry.auth = { username: "reader", password: TOKEN };
    const STUB_REGISTRY = registryConfig({
      owner: "acme",
      username: "ci-bot",
      pullUsername: "reader",
    });
    const run = await rollback(["--dry-run", "prod", SHA], {
      REGISTRY_TOKEN: TOKEN,
      STUB_REGISTRY,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.calls, LOOKUPS("prod", { registryConfig: true }));
    assert.match(run.stderr, /\[rollback\] reading the registry as reader \(REGISTRY_TOKEN\)\n/);
    assert.deepEqual(
      registry.requests.filter((r) => r.startsWith("GET /token")),
      REPOSITORIES.map(
        (r) =>
          `GET /token?service=fake-registry&scope=${encodeURIComponent(`repository:${r}:pull`)} as reader`,
      ),
    );
    noLeak(run);
  });

  it("falls back to registry.username, as the schema does, and fails on a refused token", async () => {
    registry.auth = { username: "ci-bot", password: TOKEN };
    const ok = await rollback(["--dry-run", "prod", SHA], { REGISTRY_TOKEN: TOKEN });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /reading the registry as ci-bot \(REGISTRY_TOKEN\)/);
    noLeak(ok);

    const refused = await rollback(["--dry-run", "prod", SHA], { REGISTRY_TOKEN: "wrong" });
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stderr.trim().split("\n").at(-1),
      `[rollback] error: cannot look up ${registry.host}/${REPOSITORIES[0]}:${SHA} in the ` +
        `registry: ${registry.host} refused the credentials of "ci-bot" (HTTP 401 from its token ` +
        `endpoint ${registry.host}/token): expected a valid, unexpired token of "ci-bot" that may ` +
        `pull ${REPOSITORIES[0]}`,
    );
  });

  it("fails on a registry config without a user", async () => {
    const STUB_REGISTRY = registryConfig({ owner: "acme" });
    const run = await rollback(["--dry-run", "prod", SHA], {
      REGISTRY_TOKEN: TOKEN,
      STUB_REGISTRY,
    });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      "[rollback] error: the registry config of prod is not valid (registry.username: the registry user name)",
    );
    assert.deepEqual(registry.requests, []);
  });
});

describe("rollback", () => {
  const ran = (stack: string) => [
    ...PINNING(stack),
    `pulumi up --yes --stack ${stack} --policy-pack policy --message rollback ${stack} to ${SHA}`,
  ];

  it("pins the digests, runs pulumi up and restores the stack config file", async () => {
    const run = await rollback(["prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "");
    assert.deepEqual(run.calls, [...LOOKUPS("prod"), ...ran("prod")]);
    assert.equal(stackFile(), STACK_FILE);
    assert.deepEqual(run.stderr.trim().split("\n").slice(-9), [
      ...[...PINNING("prod"), UP("prod")].map((c) => `[rollback] ${c}`),
      "[rollback] restored Pulumi.prod.yaml",
      `[rollback] prod now runs the images of ${SHA}`,
    ]);
  });

  it("keeps the pinned config with --keep-config", async () => {
    const run = await rollback(["--keep-config", "prod", SHA]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(stackFile().startsWith(STACK_FILE));
    assert.match(stackFile(), /# config set --path images.mode pinned --stack prod/);
    assert.doesNotMatch(run.stderr, /restored/);
  });

  it("restores the stack config file when pulumi up fails, and exits 1", async () => {
    const run = await rollback(["prod", SHA], { STUB_UP_STATUS: "7" });
    assert.equal(run.status, 1);
    assert.equal(run.calls.at(-1), ran("prod").at(-1));
    assert.equal(stackFile(), STACK_FILE);
    assert.deepEqual(run.stderr.trim().split("\n").slice(-2), [
      "[rollback] restored Pulumi.prod.yaml",
      "[rollback] error: pulumi up failed (exit 7)",
    ]);
  });

  it("outlives a signal during pulumi up, restores the stack file, and exits 1", async () => {
    const run = await rollback(["prod", SHA], { STUB_UP_SIGNAL: "SIGTERM" });
    assert.equal(run.status, 1);
    assert.equal(stackFile(), STACK_FILE);
    assert.deepEqual(run.stderr.trim().split("\n").slice(-2), [
      "[rollback] restored Pulumi.prod.yaml",
      "[rollback] error: stopped by SIGTERM after pulumi up",
    ]);
    assert.deepEqual(process.listeners("SIGTERM"), [], "the signals are held no longer");
  });
});
