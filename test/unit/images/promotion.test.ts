import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectPromotion, type PromotionRequest } from "../../../src/images/promotion";
import type { ImageSet, VerifiedImageSet } from "../../../src/images/types";

const set = (sha: string): ImageSet => ({
  backend: { ref: `r/b@sha256:${sha[0]!.repeat(64)}`, gitSha: sha },
  frontend: { ref: `r/f@sha256:${sha[0]!.repeat(64)}`, gitSha: sha },
});
const OLD = "a".repeat(40);
const NEW = "b".repeat(40);
const NOW = new Date("2026-12-05T12:00:00.000Z");
const request = (r: Partial<PromotionRequest> = {}): PromotionRequest => ({
  allowUnverified: false,
  soakMinutes: 0,
  now: NOW,
  enforceSoak: true,
  ...r,
});
const verifiedAt = (set: ImageSet, iso: string): VerifiedImageSet => ({ ...set, verifiedAt: iso });

describe("promotion gate", () => {
  it("promotes what the source verified", () => {
    const p = selectPromotion({ stack: "dev", verified: set(OLD), deployed: set(NEW) }, request());
    assert.deepEqual(p, { images: set(OLD) });
  });

  it("refuses a SHA the source deployed but did not verify, and says so", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "dev", verified: set(OLD), deployed: set(NEW) },
          request({ gitSha: NEW }),
        ),
      {
        name: "PromotionRefused",
        problems: [
          `refusing to promote ${NEW}: stack "dev" has verified ${OLD}, not ${NEW} (it was deployed there, but its rollout did not succeed)`,
        ],
      },
    );
  });

  it("refuses a SHA the source never had", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "dev", verified: set(OLD), deployed: set(OLD) },
          request({ gitSha: NEW }),
        ),
      { message: `refusing to promote ${NEW}: stack "dev" has verified ${OLD}, not ${NEW}` },
    );
  });

  it("refuses a source with nothing verified yet", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "org/travel/dev", verified: undefined, deployed: set(NEW) },
          request(),
        ),
      {
        message:
          'stack "org/travel/dev" has no verified images: no rollout has succeeded there yet (its verifiedImages output is missing)',
      },
    );
  });

  it("refuses a source that revoked its verified release, saying when and why", () => {
    const revoked = {
      ...set(OLD),
      verifiedAt: "2026-12-05T09:00:00.000Z",
      revokedAt: "2026-12-05T11:00:00.000Z",
      reason: "the verification failed in the update of 2026-12-05T11:00:00.000Z",
    };
    for (const gitSha of [undefined, OLD]) {
      assert.throws(
        () =>
          selectPromotion(
            { stack: "dev", verified: undefined, deployed: set(OLD), revoked },
            request(gitSha === undefined ? {} : { gitSha }),
          ),
        {
          message: `stack "dev" has no verified images: it revoked ${OLD} at 2026-12-05T11:00:00.000Z (the verification failed in the update of 2026-12-05T11:00:00.000Z); nothing there is promotable until an update's checks pass again`,
        },
      );
    }
  });

  it("accepts the approved release when it is what the source verified", () => {
    const p = selectPromotion(
      { stack: "dev", verified: set(OLD), deployed: set(NEW) },
      request({
        gitSha: OLD,
        refs: { backend: set(OLD).backend.ref, frontend: set(OLD).frontend.ref },
      }),
    );
    assert.deepEqual(p.images, set(OLD));
  });

  it("refuses approved digests the source did not verify, each one named", () => {
    const approved = set(NEW);
    assert.throws(
      () =>
        selectPromotion(
          { stack: "dev", verified: set(OLD), deployed: set(OLD) },
          request({ refs: { backend: approved.backend.ref, frontend: approved.frontend.ref } }),
        ),
      {
        problems: [
          `refusing to promote the approved backend image ${approved.backend.ref}: stack "dev" has verified ${set(OLD).backend.ref}`,
          `refusing to promote the approved frontend image ${approved.frontend.ref}: stack "dev" has verified ${set(OLD).frontend.ref}`,
        ],
      },
    );
  });

  it("refuses a release verified less than soakMinutes ago, with the time left", () => {
    assert.throws(
      () =>
        selectPromotion(
          {
            stack: "staging",
            verified: verifiedAt(set(OLD), "2026-12-05T11:50:30.000Z"),
            deployed: set(OLD),
          },
          request({ soakMinutes: 30 }),
        ),
      {
        problems: [
          `${OLD} is not promotable yet: stack "staging" verified it at 2026-12-05T11:50:30.000Z, and it must soak there for 30 min (soakMinutes): 21 min left, promotable from 2026-12-05T12:20:30.000Z`,
        ],
      },
    );
  });

  it("promotes once the soak is over, to the second", () => {
    const source = {
      stack: "staging",
      verified: verifiedAt(set(OLD), "2026-12-05T11:30:00.000Z"),
      deployed: set(OLD),
    };
    assert.equal(selectPromotion(source, request({ soakMinutes: 30 })).images.backend.gitSha, OLD);
    assert.throws(() => selectPromotion(source, request({ soakMinutes: 31 })), {
      message: /: 1 min left, promotable from 2026-12-05T12:01:00.000Z$/,
    });
  });

  it("warns, in a preview, of a release still soaking, and shows the promotion", () => {
    const p = selectPromotion(
      {
        stack: "staging",
        verified: verifiedAt(set(OLD), "2026-12-05T11:58:00.000Z"),
        deployed: set(OLD),
      },
      request({ soakMinutes: 5, enforceSoak: false }),
    );
    assert.deepEqual(p.images.backend, set(OLD).backend);
    assert.equal(
      p.warning,
      `${OLD} is not promotable yet: stack "staging" verified it at 2026-12-05T11:58:00.000Z, and it must soak there for 5 min (soakMinutes): 3 min left, promotable from 2026-12-05T12:03:00.000Z; this preview shows the promotion, which an update refuses until then`,
    );
  });

  it("refuses a soak when the source never recorded when it verified", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "staging", verified: set(OLD), deployed: set(OLD) },
          request({ soakMinutes: 5 }),
        ),
      {
        message: `refusing to promote ${OLD}: soakMinutes is 5, but stack "staging" did not record when it verified it (verifiedAt); deploy it there again to record it`,
      },
    );
  });

  it("says every reason at once: the wrong SHA and the soak", () => {
    assert.throws(
      () =>
        selectPromotion(
          {
            stack: "dev",
            verified: verifiedAt(set(OLD), "2026-12-05T11:59:00.000Z"),
            deployed: set(OLD),
          },
          request({ gitSha: NEW, soakMinutes: 10 }),
        ),
      (err: Error & { problems?: string[] }) => {
        assert.equal(err.problems?.length, 2);
        assert.match(err.problems[0]!, /has verified a+, not b+$/);
        assert.match(err.problems[1]!, /: 9 min left,/);
        return true;
      },
    );
  });

  it("lets an explicit override promote the deployed images, with a warning", () => {
    const p = selectPromotion(
      { stack: "dev", verified: set(OLD), deployed: set(NEW) },
      request({ gitSha: NEW, allowUnverified: true, soakMinutes: 10 }),
    );
    assert.deepEqual(p.images, set(NEW));
    assert.equal(
      p.warning,
      `promotion gate overridden (images.allowUnverified): promoting ${NEW} from "dev" without checking that its rollout there succeeded or that it soaked for 10 min`,
    );
  });

  it("holds the override to the approved release too", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "dev", verified: set(OLD), deployed: set(NEW) },
          request({ gitSha: OLD, allowUnverified: true }),
        ),
      { message: `refusing to promote ${OLD}: stack "dev" has deployed ${NEW}, not ${OLD}` },
    );
  });
});
