import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordRelease, RELEASES_KEPT } from "../../../src/images/releases";
import type { VerifiedImageSet } from "../../../src/images/types";

const release = (n: number, at = `2026-12-05T12:${String(n).padStart(2, "0")}:00.000Z`) => {
  const sha = n.toString(16).padStart(40, "0");
  const digest = n.toString(16).padStart(64, "0");
  return {
    backend: { ref: `r/b@sha256:${digest}`, gitSha: sha },
    frontend: { ref: `r/f@sha256:${digest}`, gitSha: sha },
    verifiedAt: at,
  } satisfies VerifiedImageSet;
};

describe("the verified releases", () => {
  it("starts with the first verified release", () => {
    assert.deepEqual(recordRelease(undefined, release(1)), [release(1)]);
  });

  it("puts the newest first and keeps the earlier ones in order", () => {
    assert.deepEqual(recordRelease([release(2), release(1)], release(3)), [
      release(3),
      release(2),
      release(1),
    ]);
  });

  it("moves a release verified again to the front, with its new time, once", () => {
    const again = release(1, "2026-12-05T13:00:00.000Z");
    assert.deepEqual(recordRelease([release(2), release(1)], again), [again, release(2)]);
  });

  it(`keeps at most ${RELEASES_KEPT}`, () => {
    const earlier = Array.from({ length: RELEASES_KEPT }, (_, i) => release(RELEASES_KEPT - i));
    const got = recordRelease(earlier, release(50));
    assert.equal(got.length, RELEASES_KEPT);
    assert.deepEqual(got[0], release(50));
    assert.deepEqual(got.at(-1), release(2), "the oldest was dropped");
  });

  it("ignores an earlier output that is not a list", () => {
    assert.deepEqual(recordRelease("garbage" as never, release(1)), [release(1)]);
  });
});
