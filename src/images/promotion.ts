/**
 * The promotion gate: a promoting stack deploys only what its source stack has
 * verified, i.e. the images of its last update whose rollouts succeeded and whose checks
 * through the Gateway passed (the source's `verifiedImages` output; its `verifiedAt` is
 * not read here). An explicit override takes the source's
 * last deployed images instead, and says so.
 */
import type { ImageSet } from "./types";

export interface PromotionSource {
  /** The source stack's name. */
  readonly stack: string;
  /** Its `verifiedImages` output (undefined until a rollout has succeeded there). */
  readonly verified: ImageSet | undefined;
  /** Its `images` output: what its last update deployed. */
  readonly deployed: ImageSet | undefined;
}

export interface PromotionRequest {
  /** The git SHA the promotion is meant to ship, if pinned. */
  readonly gitSha?: string;
  /** Emergency override: promote the source's deployed images even if unverified. */
  readonly allowUnverified: boolean;
}

export interface Promotion {
  readonly images: ImageSet;
  /** Set when the override was used: to be logged as a warning. */
  readonly warning?: string;
}

/** Picks the images to promote, or throws a message that says why not. */
export function selectPromotion(source: PromotionSource, request: PromotionRequest): Promotion {
  const sha = (set: ImageSet) => set.backend.gitSha;
  if (request.allowUnverified) {
    const images = source.deployed ?? source.verified;
    if (!images) throw new Error(`stack "${source.stack}" has no images output to promote`);
    return {
      images,
      warning:
        `promotion gate overridden (images.allowUnverified): promoting ${sha(images)} from ` +
        `"${source.stack}" without checking that its rollout there succeeded`,
    };
  }
  const verified = source.verified;
  if (!verified) {
    throw new Error(
      `stack "${source.stack}" has no verified images: no rollout has succeeded there yet ` +
        `(its verifiedImages output is missing)`,
    );
  }
  if (request.gitSha !== undefined && request.gitSha !== sha(verified)) {
    throw new Error(
      `refusing to promote ${request.gitSha}: stack "${source.stack}" has verified ` +
        `${sha(verified)}, not ${request.gitSha}` +
        (source.deployed && sha(source.deployed) === request.gitSha
          ? " (it was deployed there, but its rollout did not succeed)"
          : ""),
    );
  }
  return { images: verified };
}
