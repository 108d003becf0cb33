/**
 * `npm run deploy` with a stub `pulumi`: a deploy whose rollout or verification failed
 * comes back to the stack's last verified release (pinned digests, the stack file
 * restored) and still fails; any other failure, a success, or --no-rollback is left as it is.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CURRENT_SHA,
  deploy,
  importedState,
  imagesOf,
  PINNING,
  SHA,
  STACK_FILE,
  stackFile,
  stackOutputs,
  stackState,
  VERIFIED_AT,
} from "../../../support/rollback";

const LOOKUP = "pulumi --non-interactive stack output --json --stack prod";
const EXPORT = "pulumi --non-interactive stack export --stack prod";
/** The release the stack runs now and verified at 11:00 (stackOutputs()). */
const current = () => imagesOf(CURRENT_SHA, `sha256:${"0".repeat(64)}`);
const UP = "pulumi up --yes --stack prod --policy-pack policy";
const VERIFICATION =
  "error: verification failed: 1 of 2 checks did not pass within 15s (the new pods are serving; verifiedImages still names the last verified release):";
const ROLLOUT =
  "error: 1 of 2 rollouts failed (the pods of the previous revision keep serving; fix the cause and run up again):";
/** The pinning and the update that bring prod back to CURRENT_SHA, its last verified release. */
const BACK = (failed: string) => [
  ...PINNING("prod", CURRENT_SHA, [current().backend.ref, current().frontend.ref]),
  `${UP} --message automatic rollback of prod to ${CURRENT_SHA} after ${failed} failed`,
];

describe("npm run deploy", () => {
  it("succeeds with pulumi up, and rolls nothing back", async () => {
    const run = await deploy(["prod"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.calls, [LOOKUP, UP]);
  });

  for (const [failed, output] of [
    ["the verification", VERIFICATION],
    ["a rollout", ROLLOUT],
  ] as const) {
    it(`comes back to the last verified release when ${failed} failed, and still fails`, async () => {
      const run = await deploy(["prod"], { STUB_UP_STATUSES: "255 0", STUB_UP_OUTPUT: output });
      assert.equal(run.status, 1);
      assert.deepEqual(run.calls, [LOOKUP, UP, EXPORT, ...BACK(failed)]);
      assert.equal(importedState(), undefined, "a release never verified: nothing revoked");
      assert.equal(stackFile(), STACK_FILE, "the stack file is restored");
      const log = run.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
      assert.deepEqual(
        [log[0], log.at(-2), log.at(-1)],
        [
          `[deploy] ${failed} failed: rolling prod back to its last verified release, ${CURRENT_SHA} (verified at 2026-12-05T11:00:00.000Z); nothing is built`,
          "[deploy] restored Pulumi.prod.yaml",
          `[deploy] prod runs ${CURRENT_SHA} again; the deploy failed all the same`,
        ],
      );
      assert.ok(run.stderr.includes(output), "pulumi's own output is shown");
    });
  }

  it("says so when the automatic rollback fails too", async () => {
    const run = await deploy(["prod"], { STUB_UP_STATUSES: "255 3", STUB_UP_OUTPUT: ROLLOUT });
    assert.equal(run.status, 1);
    assert.equal(stackFile(), STACK_FILE);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `[deploy] the automatic rollback failed too (pulumi up failed (exit 3)): prod may run the failed release; see above, then npm run rollback -- prod ${CURRENT_SHA}`,
    );
  });

  it("rolls nothing back after a failure that changed no workload", async () => {
    const run = await deploy(["prod"], {
      STUB_UP_STATUS: "255",
      STUB_UP_OUTPUT: "error: The images cannot be deployed (1 problem):",
    });
    assert.equal(run.status, 1);
    assert.deepEqual(run.calls, [LOOKUP, UP]);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      "[deploy] pulumi up failed (exit 255) before any rollout was checked: no workload changed, nothing to roll back",
    );
  });

  it("rolls nothing back with --no-rollback, or before the first verified release", async () => {
    const env = { STUB_UP_STATUS: "255", STUB_UP_OUTPUT: ROLLOUT };
    const kept = await deploy(["--no-rollback", "prod"], env);
    assert.equal(kept.status, 1);
    assert.deepEqual(kept.calls, [UP, EXPORT]);
    assert.match(
      kept.stderr,
      /\[deploy\] pulumi up failed \(exit 255\); not rolled back \(--no-rollback\)\n$/,
    );

    const first = await deploy(["prod"], {
      ...env,
      STUB_OUTPUTS: stackOutputs({ releases: [] }),
    });
    assert.equal(first.status, 1);
    assert.deepEqual(first.calls, [LOOKUP, UP, EXPORT]);
    assert.match(
      first.stderr,
      /\[deploy\] a rollout failed, and prod has no verified release to come back to\n$/,
    );
  });

  it("revokes a verified release whose re-check failed, and comes back to the one before it", async () => {
    const outputs = {
      ...(JSON.parse(stackOutputs()) as Record<string, unknown>),
      verifiedImages: { ...current(), verifiedAt: "2026-12-05T11:00:00.000Z" },
    };
    const before = Date.now();
    const run = await deploy(["prod"], {
      STUB_UP_STATUSES: "255 0",
      STUB_UP_OUTPUT: VERIFICATION,
      STUB_EXPORT: stackState(current(), outputs),
    });
    assert.equal(run.status, 1);
    const imported = importedState() as {
      deployment: { resources: { type: string; outputs: Record<string, unknown> }[] };
    };
    const [root, ...rest] = imported.deployment.resources;
    const { revokedImages, ...kept } = root!.outputs as { revokedImages: Record<string, string> };
    // verifiedImages is gone, the release left `releases`, every other output is as it was.
    assert.deepEqual(kept, {
      url: "https://travel.example",
      images: current(),
      releases: [{ ...imagesOf(SHA), verifiedAt: VERIFIED_AT }],
    });
    const { revokedAt, ...revoked } = revokedImages;
    assert.ok(Date.parse(revokedAt!) >= before - 1000, revokedAt);
    assert.deepEqual(revoked, {
      ...current(),
      verifiedAt: "2026-12-05T11:00:00.000Z",
      reason: `the verification failed in the update of ${revokedAt}`,
    });
    assert.deepEqual(
      rest,
      (JSON.parse(stackState(current(), outputs)) as typeof imported).deployment.resources.slice(1),
      "the other resources are imported as they were",
    );
    const importCall = run.calls.indexOf(EXPORT) + 1;
    assert.match(
      run.calls[importCall]!,
      /^pulumi stack import --stack prod --file \/.+\/state\.json$/,
    );
    assert.deepEqual(run.calls.slice(importCall + 1), [
      ...PINNING("prod", SHA),
      `${UP} --message automatic rollback of prod to ${SHA} after the verification failed`,
    ]);
    const log = run.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
    assert.deepEqual(log.slice(0, 2), [
      `[deploy] revoked ${CURRENT_SHA} on prod: prod had verified it, and the verification failed now; it is in neither verifiedImages nor releases any more`,
      `[deploy] the verification failed: rolling prod back to its last verified release, ${SHA} (verified at ${VERIFIED_AT}); nothing is built`,
    ]);
  });

  it("revokes with --no-rollback too; a revocation that fails is said, and the rollback goes on", async () => {
    const state = stackState(current());
    const kept = await deploy(["--no-rollback", "prod"], {
      STUB_UP_STATUS: "255",
      STUB_UP_OUTPUT: ROLLOUT,
      STUB_EXPORT: state,
    });
    assert.equal(kept.status, 1);
    assert.deepEqual(
      (importedState() as { deployment: { resources: { outputs: { releases: unknown } }[] } })
        .deployment.resources[0]!.outputs.releases,
      [{ ...imagesOf(SHA), verifiedAt: VERIFIED_AT }],
      "only `releases` named it: it leaves them",
    );

    const broken = await deploy(["prod"], {
      STUB_UP_STATUSES: "255 0",
      STUB_UP_OUTPUT: ROLLOUT,
      STUB_EXPORT: "not json",
    });
    assert.equal(broken.status, 1);
    const log = broken.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
    assert.equal(
      log[0],
      "[deploy] could not revoke the failed release (the exported state of prod is not JSON); going on",
    );
    // Not knowing what failed, it comes back to the newest verified release.
    assert.deepEqual(broken.calls.slice(3), BACK("a rollout"));
  });

  it("refuses bad arguments with exit 2 and the usage, running nothing", async () => {
    for (const [args, message] of [
      [[], "expected STACK, got 0 argument(s)"],
      [["prod", "dev"], "expected STACK, got 2 argument(s)"],
      [["--force", "prod"], "unknown option --force"],
      [["pr od"], "STACK 'pr od' is not a stack name (name, or org/project/name)"],
      [["--policy-pack", "nope", "prod"], "policy pack directory 'nope' does not exist"],
    ] as const) {
      const run = await deploy([...args]);
      assert.equal(run.status, 2, message);
      assert.equal(run.stderr.split("\n")[0], `[deploy] error: ${message}`);
      assert.match(run.stderr, /\nusage: npm run deploy -- /);
      assert.deepEqual(run.calls, []);
    }
  });
});
