/**
 * Verification in the composition, under the mocks: the checks run after the rollouts,
 * against the stack's hostname with the configured address and CA; verifiedImages resolve,
 * with verifiedAt, only once every check passed; a failed check or rollout leaves them
 * unresolved and the update fails.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import "../../support/mocks";
import { compose } from "../../support/compose";
import { fakeChecks } from "../../support/checks";
import { validRaw, BACKEND_REF, FRONTEND_REF, SHA_A } from "../../support/fixtures";
import { fakeRollouts } from "../../support/rollouts";
import { VerificationError } from "../../../src/components/verification";
import { RolloutError } from "../../../src/components/rollout";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** Resolves with the output's value, or "unresolved" when it has none within 200 ms. */
function settledValue<T>(o: { apply: (f: (v: T) => T) => unknown }): Promise<T | "unresolved"> {
  return Promise.race([
    new Promise<T>((resolve) => o.apply((v) => (resolve(v), v))),
    new Promise<"unresolved">((r) => setTimeout(() => r("unresolved"), 200)),
  ]);
}

describe("verification in the composition", () => {
  beforeEach(() => {
    fakeChecks.reset();
    fakeRollouts.reset();
  });

  it("checks the first plain hostname through the configured address, then verifies the images", async () => {
    const raw = validRaw();
    raw.hostnames = ["*.travel.example.com", "travel.example.com"];
    raw.verify = { connectTo: "127.0.80.1:443", caCert: PEM, paths: [{ path: "/trips" }] };
    const { outputs } = await compose(raw);
    const v = await outputs.verification!;
    assert.deepEqual(
      fakeChecks.runs.map((r) => ({ target: r.target, paths: r.checks.map((c) => c.path) })),
      [
        {
          target: {
            hostname: "travel.example.com",
            connectTo: { host: "127.0.80.1", port: 443 },
            ca: PEM,
            timeoutSeconds: 60,
            intervalSeconds: 2,
            requestTimeoutSeconds: 5,
          },
          paths: ["/trips", "/api/backend-status"],
        },
      ],
    );
    assert.equal(fakeRollouts.awaited.length, 2, "both rollouts were awaited first");
    assert.deepEqual(
      v.checks.map((c) => [c.name, c.passed]),
      [
        ["path /trips", true],
        ["frontend reaches backend", true],
      ],
    );
    assert.deepEqual(await settledValue(outputs.verifiedImages), {
      backend: { ref: BACKEND_REF, gitSha: SHA_A },
      frontend: { ref: FRONTEND_REF, gitSha: SHA_A },
      verifiedAt: v.verifiedAt,
    });
  });

  it("a failed check fails the update and leaves verifiedImages unset", async () => {
    fakeChecks.failing.set(
      "https://travel.example.com/api/backend-status",
      "502: backend call failed",
    );
    const { outputs } = await compose(validRaw());
    await assert.rejects(
      outputs.verification!,
      (err) =>
        err instanceof VerificationError &&
        err.message.endsWith(
          "\n- frontend reaches backend: GET https://travel.example.com/api/backend-status: expected 200, got 502: backend call failed (1 attempt)",
        ),
    );
    assert.equal(await settledValue(outputs.verifiedImages), "unresolved");
  });

  it("a failed rollout fails the update before any check", async () => {
    fakeRollouts.outcomes.set("travel-frontend-0a1b2c3d", {
      phase: "failed",
      summary: "frontend: failed",
      report: "frontend broke",
    } as never);
    const { outputs } = await compose(validRaw());
    await assert.rejects(outputs.verification!, (err) => err instanceof RolloutError);
    assert.deepEqual(fakeChecks.runs, []);
    assert.equal(await settledValue(outputs.verifiedImages), "unresolved");
  });
});
