import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectPromotion } from "../../../src/images/promotion";
import type { ImageSet } from "../../../src/images/types";

const set = (sha: string): ImageSet => ({
  backend: { ref: `r/b@sha256:${sha[0]!.repeat(64)}`, gitSha: sha },
  frontend: { ref: `r/f@sha256:${sha[0]!.repeat(64)}`, gitSha: sha },
});
const OLD = "a".repeat(40);
const NEW = "b".repeat(40);

describe("promotion gate", () => {
  it("promotes what the source verified", () => {
    const p = selectPromotion(
      { stack: "dev", verified: set(OLD), deployed: set(NEW) },
      { allowUnverified: false },
    );
    assert.deepEqual(p, { images: set(OLD) });
  });

  it("refuses a SHA the source deployed but did not verify, and says so", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "dev", verified: set(OLD), deployed: set(NEW) },
          { gitSha: NEW, allowUnverified: false },
        ),
      {
        message: `refusing to promote ${NEW}: stack "dev" has verified ${OLD}, not ${NEW} (it was deployed there, but its rollout did not succeed)`,
      },
    );
  });

  it("refuses a SHA the source never had", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "dev", verified: set(OLD), deployed: set(OLD) },
          { gitSha: NEW, allowUnverified: false },
        ),
      { message: `refusing to promote ${NEW}: stack "dev" has verified ${OLD}, not ${NEW}` },
    );
  });

  it("refuses a source with nothing verified yet", () => {
    assert.throws(
      () =>
        selectPromotion(
          { stack: "org/travel/dev", verified: undefined, deployed: set(NEW) },
          { allowUnverified: false },
        ),
      {
        message:
          'stack "org/travel/dev" has no verified images: no rollout has succeeded there yet (its verifiedImages output is missing)',
      },
    );
  });

  it("accepts the verified SHA when it is pinned", () => {
    const p = selectPromotion(
      { stack: "dev", verified: set(OLD), deployed: set(OLD) },
      { gitSha: OLD, allowUnverified: false },
    );
    assert.equal(p.images.backend.gitSha, OLD);
  });

  it("lets an explicit override promote the deployed images, with a warning", () => {
    const p = selectPromotion(
      { stack: "dev", verified: set(OLD), deployed: set(NEW) },
      { gitSha: NEW, allowUnverified: true },
    );
    assert.deepEqual(p.images, set(NEW));
    assert.equal(
      p.warning,
      `promotion gate overridden (images.allowUnverified): promoting ${NEW} from "dev" without checking that its rollout there succeeded`,
    );
  });
});
