/**
 * A stack's verified releases, newest first: its `releases` output. Each update whose
 * rollouts and checks passed puts its images (with `verifiedAt`) at the front; the list
 * keeps RELEASES_KEPT. The rollback command reads it: what may be rolled back to without
 * being forced is a release this stack verified, whichever repository holds the app.
 */
import { WORKLOADS } from "../names";
import type { VerifiedImageSet } from "./types";

/** How many verified releases a stack's `releases` output keeps. */
export const RELEASES_KEPT = 10;

const sameImages = (a: VerifiedImageSet, b: VerifiedImageSet) =>
  WORKLOADS.every((w) => a[w].ref === b[w].ref && a[w].gitSha === b[w].gitSha);

/** `verified` first, then the earlier releases other than it, at most RELEASES_KEPT. */
export function recordRelease(
  earlier: readonly VerifiedImageSet[] | undefined,
  verified: VerifiedImageSet,
): VerifiedImageSet[] {
  const rest = (Array.isArray(earlier) ? earlier : []).filter((r) => !sameImages(r, verified));
  return [verified, ...rest].slice(0, RELEASES_KEPT);
}
