/**
 * `npm run rollback` without network: with a stub `pulumi` on PATH and a fake registry
 * on 127.0.0.1, the lookups (history, outputs, registry), the pulumi commands it prints
 * (--dry-run) or runs, the registry's pull credentials, and the restored stack file.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { OCI_LABEL } from "../../../../src/names";
import {
  CURRENT_SHA,
  imagesOf,
  LOOKUPS,
  OTHER_SHA,
  PINNING,
  pinnedRef,
  REPOSITORIES,
  registry,
  registryConfig,
  rollback,
  SHA,
  sha,
  STACK_FILE,
  stackFile,
  stackOutputs,
  VERIFIED_AT,
} from "../../../support/rollback";

const UP = (stack: string, policy = " --policy-pack policy") =>
  `pulumi up --yes --stack ${stack}${policy} --message 'rollback ${stack} to ${SHA}'`;

describe("rollback --dry-run", () => {
  const verifiedLog = () => [
    `[rollback] ${SHA}: verified on prod at ${VERIFIED_AT}`,
    `[rollback] backend: ${pinnedRef(0)}`,
    `[rollback] frontend: ${pinnedRef(1)}`,
    "[rollback] dry run: the commands that would run",
  ];

  it("goes back to the previous verified release, from the record alone", async () => {
    const run = await rollback(["--dry-run", "prod"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [...PINNING("prod"), UP("prod")]);
    assert.deepEqual(run.calls, LOOKUPS("prod"));
    assert.equal(stackFile(), STACK_FILE);
    assert.deepEqual(run.stderr.trim().split("\n"), verifiedLog());
    assert.deepEqual(registry.requests, [], "asked the registry");
  });

  it("goes to a named verified release, two back, whatever the stack runs now", async () => {
    const older = sha("older");
    for (const r of REPOSITORIES) registry.tags.set(`${r}:${older}`, { revision: older });
    const releases = [
      { ...imagesOf(CURRENT_SHA, `sha256:${"0".repeat(64)}`), verifiedAt: VERIFIED_AT },
      { ...imagesOf(SHA), verifiedAt: VERIFIED_AT },
      { ...imagesOf(older), verifiedAt: "2026-12-04T09:00:00.000Z" },
    ];
    const run = await rollback(["--dry-run", "prod", older], {
      STUB_OUTPUTS: stackOutputs({ releases }),
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n").slice(0, 6), PINNING("prod", older));
    assert.match(run.stderr, new RegExp(`${older}: verified on prod at 2026-12-04T09:00:00.000Z`));
  });

  it("takes options after the arguments and a stack with an organization", async () => {
    const stack = "organization/travel/staging";
    const run = await rollback([stack, SHA, "--no-policy-pack", "--dry-run"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [...PINNING(stack), UP(stack, "")]);
    assert.deepEqual(run.calls, LOOKUPS(stack));
  });

  it("refuses a SHA the stack never verified, unless --unverified with a reason", async () => {
    const refused = await rollback(["--dry-run", "prod", OTHER_SHA]);
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stderr,
      `[rollback] error: ${OTHER_SHA} was never verified on prod (its verified releases: ` +
        `${CURRENT_SHA} (2026-12-05T11:00:00.000Z), ${SHA} (${VERIFIED_AT})); ` +
        `--unverified REASON deploys it anyway, and logs why\n`,
    );
    assert.equal(refused.stdout, "");
    assert.deepEqual(registry.requests, [], "looked up the registry");

    for (const r of REPOSITORIES) registry.tags.set(`${r}:${OTHER_SHA}`, { revision: OTHER_SHA });
    const forced = await rollback([
      "--dry-run",
      "--unverified",
      "hotfix, INC-42",
      "prod",
      OTHER_SHA,
    ]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(forced.calls, LOOKUPS("prod"));
    assert.deepEqual(forced.stdout.trim().split("\n"), [
      ...PINNING("prod", OTHER_SHA),
      `pulumi up --yes --stack prod --policy-pack policy --message 'rollback prod to ${OTHER_SHA} (never verified there: hotfix, INC-42)'`,
    ]);
    assert.equal(
      forced.stderr.split("\n")[0],
      `[rollback] warning: deploying ${OTHER_SHA}, which prod never verified: hotfix, INC-42`,
    );
  });

  it("refuses when the stack verified nothing but what it runs", async () => {
    const only = [
      { ...imagesOf(CURRENT_SHA, `sha256:${"0".repeat(64)}`), verifiedAt: VERIFIED_AT },
    ];
    const run = await rollback(["--dry-run", "prod"], {
      STUB_OUTPUTS: stackOutputs({ releases: only }),
    });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `[rollback] error: prod has no verified release other than the one it runs now (its ` +
        `releases: ${CURRENT_SHA} (${VERIFIED_AT})); name a SHA to deploy\n`,
    );
  });

  it("reads a stack deployed before releases were recorded: its verifiedImages", async () => {
    const outputs = JSON.stringify({
      images: imagesOf(CURRENT_SHA, `sha256:${"0".repeat(64)}`),
      verifiedImages: { ...imagesOf(SHA), verifiedAt: VERIFIED_AT },
    });
    const run = await rollback(["--dry-run", "prod"], { STUB_OUTPUTS: outputs });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stderr.trim().split("\n"), verifiedLog());
  });
});

describe("rollback --unverified: the commit's digests from the registry", () => {
  const FORCE = ["--dry-run", "--unverified", "test", "prod", OTHER_SHA];
  beforeEach(() => {
    for (const r of REPOSITORIES) registry.tags.set(`${r}:${OTHER_SHA}`, { revision: OTHER_SHA });
  });

  it("fails when the SHA's tag is not in the registry", async () => {
    registry.tags.delete(`${REPOSITORIES[1]}:${OTHER_SHA}`);
    const run = await rollback(FORCE);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `[rollback] error: ${registry.host}/${REPOSITORIES[1]}:${OTHER_SHA} not found in the registry ` +
        `(was ${OTHER_SHA} built by dev?)`,
    );
    assert.equal(run.stdout, "");
  });

  it("fails when the tag's image is labelled with another revision", async () => {
    registry.tags.set(`${REPOSITORIES[0]}:${OTHER_SHA}`, { revision: SHA });
    const run = await rollback(FORCE);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `[rollback] error: ${registry.host}/${REPOSITORIES[0]}:${OTHER_SHA} is labelled revision ` +
        `${SHA}, not ${OTHER_SHA}: the tag was overwritten`,
    );
    assert.equal(run.stdout, "");
  });

  it("reads the label of an index's image, and warns about an unlabelled one", async () => {
    registry.tags.set(`${REPOSITORIES[0]}:${OTHER_SHA}`, { revision: OTHER_SHA, index: true });
    registry.tags.set(`${REPOSITORIES[1]}:${OTHER_SHA}`, {});
    const run = await rollback(FORCE);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n").slice(0, 6), PINNING("prod", OTHER_SHA));
    assert.ok(
      run.stderr.includes(
        `[rollback] warning: ${registry.host}/${REPOSITORIES[1]}:${OTHER_SHA} has no ${OCI_LABEL.revision} label\n`,
      ),
      run.stderr,
    );
  });

  it("fails when the stack's images output is not digest-pinned", async () => {
    const images = {
      ...imagesOf(CURRENT_SHA, `sha256:${"0".repeat(64)}`),
      backend: { ref: `${registry.host}/${REPOSITORIES[0]}:latest`, gitSha: CURRENT_SHA },
    };
    const run = await rollback(FORCE, { STUB_OUTPUTS: stackOutputs({ images }) });
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

  const FORCE = ["--dry-run", "--unverified", "test", "prod", SHA];

  it("reads anonymously without REGISTRY_TOKEN, never asking for a token", async () => {
    const run = await rollback(FORCE, { STUB_OUTPUTS: stackOutputs({ releases: [] }) });
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
    const run = await rollback(FORCE, {
      REGISTRY_TOKEN: TOKEN,
      STUB_REGISTRY,
      STUB_OUTPUTS: stackOutputs({ releases: [] }),
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
    const unrecorded = { STUB_OUTPUTS: stackOutputs({ releases: [] }) };
    const ok = await rollback(FORCE, { REGISTRY_TOKEN: TOKEN, ...unrecorded });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /reading the registry as ci-bot \(REGISTRY_TOKEN\)/);
    noLeak(ok);

    const refused = await rollback(FORCE, { REGISTRY_TOKEN: "wrong", ...unrecorded });
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
    const run = await rollback(FORCE, {
      REGISTRY_TOKEN: TOKEN,
      STUB_REGISTRY,
      STUB_OUTPUTS: stackOutputs({ releases: [] }),
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
