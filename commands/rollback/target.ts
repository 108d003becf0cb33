/**
 * Which release the rollback deploys: a release the stack verified (its `releases`
 * output), never one it only ran. Without a SHA, the newest verified release other than
 * the images the stack runs now; with one, the newest verified release of that commit.
 * A commit the stack never verified is refused, unless forced with a reason (its digests
 * are then looked up in the registry by tag, ./digests.ts).
 */
import type { VerifiedImageSet } from "../../src/images/types";
import { WORKLOADS, type WorkloadName } from "../../src/names";
import { Failure } from "./pulumi";

/** A release the stack verified: its commit, digests and when. */
export interface VerifiedTarget {
  readonly kind: "verified";
  readonly sha: string;
  readonly refs: Record<WorkloadName, string>;
  readonly verifiedAt?: string;
}

export type Target =
  | VerifiedTarget
  /** Forced: a commit the stack never verified; its digests come from the registry. */
  | { readonly kind: "unverified"; readonly sha: string; readonly reason: string };

const shaOf = (r: VerifiedImageSet) =>
  WORKLOADS.every((w) => r[w].gitSha === r.backend.gitSha) ? r.backend.gitSha : undefined;
const refsOf = (r: VerifiedImageSet) =>
  Object.fromEntries(WORKLOADS.map((w) => [w, r[w].ref])) as Record<WorkloadName, string>;
const runsNow = (t: VerifiedTarget, images: unknown) =>
  WORKLOADS.every(
    (w) => (images as Record<string, { ref?: unknown }> | null)?.[w]?.ref === t.refs[w],
  );

/** The verified releases as one line: `sha (verifiedAt), …`. */
const listed = (releases: readonly VerifiedImageSet[]) =>
  releases.length === 0
    ? "none"
    : releases
        .map((r) => `${shaOf(r) ?? "(mixed)"} (${r.verifiedAt ?? "time unknown"})`)
        .join(", ");

/** A recorded release as a target; undefined when its images name different commits. */
export function verifiedTarget(r: VerifiedImageSet): VerifiedTarget | undefined {
  const sha = shaOf(r);
  if (sha === undefined) return undefined;
  return {
    kind: "verified",
    sha,
    refs: refsOf(r),
    ...(r.verifiedAt !== undefined ? { verifiedAt: r.verifiedAt } : {}),
  };
}

export interface TargetRequest {
  readonly stack: string;
  /** The commit asked for; undefined: the previous verified release. */
  readonly sha?: string;
  /** Set to deploy a commit the stack never verified, and why (logged). */
  readonly unverified?: string;
}

/** The release to deploy, or a Failure saying why there is none. */
export function chooseTarget(
  request: TargetRequest,
  releases: readonly VerifiedImageSet[],
  images: unknown,
): Target {
  const { stack, sha } = request;
  const candidates = releases.flatMap((r) => verifiedTarget(r) ?? []);
  if (sha === undefined) {
    const previous = candidates.find((t) => !runsNow(t, images));
    if (!previous) {
      throw new Failure(
        `${stack} has no verified release other than the one it runs now (its releases: ` +
          `${listed(releases)}); name a SHA to deploy`,
      );
    }
    return previous;
  }
  const found = candidates.find((t) => t.sha === sha);
  if (found) return found;
  if (request.unverified !== undefined)
    return { kind: "unverified", sha, reason: request.unverified };
  throw new Failure(
    `${sha} was never verified on ${stack} (its verified releases: ${listed(releases)}); ` +
      `--unverified REASON deploys it anyway, and logs why`,
  );
}
