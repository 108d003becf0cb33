/**
 * A stack's verified releases, newest first: its `releases` output. Each update whose
 * rollouts and checks passed puts its images (with `verifiedAt`) at the front; the list
 * keeps RELEASES_KEPT. The rollback command reads it: what may be rolled back to without
 * being forced is a release this stack verified, whichever repository holds the app.
 */
import { WORKLOADS } from "../names";
import type { ImageSet, VerifiedImageSet } from "./types";

/** How many verified releases a stack's `releases` output keeps. */
export const RELEASES_KEPT = 10;

/** Whether two releases are the same images (refs and commits), whenever verified. */
export const sameImages = (a: ImageSet, b: ImageSet) =>
  WORKLOADS.every((w) => a[w]?.ref === b[w]?.ref && a[w]?.gitSha === b[w]?.gitSha);

/** A release as one word: its commit, or each workload's when they differ. */
export const releaseName = (images: ImageSet) =>
  WORKLOADS.every((w) => images[w].gitSha === images.backend.gitSha)
    ? images.backend.gitSha
    : WORKLOADS.map((w) => `${w}=${images[w].gitSha}`).join(" ");

/** `verified` first, then the earlier releases other than it, at most RELEASES_KEPT. */
export function recordRelease(
  earlier: readonly VerifiedImageSet[] | undefined,
  verified: VerifiedImageSet,
): VerifiedImageSet[] {
  const rest = (Array.isArray(earlier) ? earlier : []).filter((r) => !sameImages(r, verified));
  return [verified, ...rest].slice(0, RELEASES_KEPT);
}
