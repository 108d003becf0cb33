/**
 * The promotion gate: a promoting stack deploys only what its source stack has
 * verified, i.e. the images of its last update whose rollouts succeeded and whose checks
 * through the Gateway passed (the source's `verifiedImages` output). The release a
 * reviewer approved (`images.gitSha`, `images.refs`) must be the one that ships, and with
 * a soak time it must have been verified at least that long ago. An explicit override
 * takes the source's last deployed images instead, and says so.
 */
import { WORKLOADS, type WorkloadName } from "../names";
import type { ImageSet, RevokedImageSet, VerifiedImageSet } from "./types";

export interface PromotionSource {
  /** The source stack's name. */
  readonly stack: string;
  /** Its `verifiedImages` output (undefined until a rollout has succeeded there). */
  readonly verified: VerifiedImageSet | undefined;
  /** Its `images` output: what its last update deployed. */
  readonly deployed: ImageSet | undefined;
  /** Its `revokedImages` output: the verified release whose re-check failed, if any. */
  readonly revoked?: RevokedImageSet | undefined;
}

export interface PromotionRequest {
  /** The git SHA the promotion is meant to ship (the release under approval), if pinned. */
  readonly gitSha?: string;
  /** The digest-pinned refs the promotion is meant to ship, if pinned. */
  readonly refs?: Readonly<Record<WorkloadName, string>>;
  /** Emergency override: promote the source's deployed images even if unverified. */
  readonly allowUnverified: boolean;
  /** How long ago, at least, the source must have verified the release (0: no soak). */
  readonly soakMinutes: number;
  /** The time the soak is measured at. */
  readonly now: Date;
  /**
   * false in a preview: a release still soaking is then a warning with the time left, so
   * a plan made before the soak ends still shows the change. An update refuses it.
   */
  readonly enforceSoak: boolean;
}

export interface Promotion {
  readonly images: ImageSet;
  /** Set when the override was used, or in a preview while the release soaks: to be logged. */
  readonly warning?: string;
}

/** Every reason a promotion is refused, one line each. */
export class PromotionRefused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "PromotionRefused";
  }
}

const sha = (set: ImageSet) => set.backend.gitSha;

/** Whether `images` is the release the reviewer approved: each problem, one line each. */
function approvalProblems(
  source: PromotionSource,
  images: ImageSet,
  what: "verified" | "deployed",
  request: PromotionRequest,
): string[] {
  const problems: string[] = [];
  if (request.gitSha !== undefined && request.gitSha !== sha(images)) {
    const deployedOnly =
      what === "verified" && source.deployed && sha(source.deployed) === request.gitSha;
    problems.push(
      `refusing to promote ${request.gitSha}: stack "${source.stack}" has ${what} ` +
        `${sha(images)}, not ${request.gitSha}` +
        (deployedOnly ? " (it was deployed there, but its rollout did not succeed)" : ""),
    );
  }
  for (const w of WORKLOADS) {
    const approved = request.refs?.[w];
    if (approved !== undefined && approved !== images[w].ref) {
      problems.push(
        `refusing to promote the approved ${w} image ${approved}: stack "${source.stack}" has ` +
          `${what} ${images[w].ref}`,
      );
    }
  }
  return problems;
}

function soakProblem(
  source: PromotionSource,
  verified: VerifiedImageSet,
  request: PromotionRequest,
): string | undefined {
  if (request.soakMinutes === 0) return undefined;
  const at = verified.verifiedAt === undefined ? NaN : Date.parse(verified.verifiedAt);
  if (Number.isNaN(at)) {
    return (
      `refusing to promote ${sha(verified)}: soakMinutes is ${request.soakMinutes}, but ` +
      `stack "${source.stack}" did not record when it verified it (verifiedAt); deploy it ` +
      `there again to record it`
    );
  }
  const ready = at + request.soakMinutes * 60_000;
  const left = ready - request.now.getTime();
  if (left <= 0) return undefined;
  const minutes = Math.ceil(left / 60_000);
  return (
    `${sha(verified)} is not promotable yet: stack "${source.stack}" verified it at ` +
    `${new Date(at).toISOString()}, and it must soak there for ${request.soakMinutes} min ` +
    `(soakMinutes): ${minutes} min left, promotable from ${new Date(ready).toISOString()}`
  );
}

/** Picks the images to promote, or throws a PromotionRefused that says every reason. */
export function selectPromotion(source: PromotionSource, request: PromotionRequest): Promotion {
  if (request.allowUnverified) {
    const images = source.deployed ?? source.verified;
    if (!images) {
      throw new PromotionRefused([`stack "${source.stack}" has no images output to promote`]);
    }
    const problems = approvalProblems(source, images, "deployed", request);
    if (problems.length) throw new PromotionRefused(problems);
    return {
      images,
      warning:
        `promotion gate overridden (images.allowUnverified): promoting ${sha(images)} from ` +
        `"${source.stack}" without checking that its rollout there succeeded` +
        (request.soakMinutes > 0 ? ` or that it soaked for ${request.soakMinutes} min` : ""),
    };
  }
  const verified = source.verified;
  if (!verified && source.revoked) {
    const r = source.revoked;
    throw new PromotionRefused([
      `stack "${source.stack}" has no verified images: it revoked ${sha(r)} at ${r.revokedAt} ` +
        `(${r.reason}); nothing there is promotable until an update's checks pass again`,
    ]);
  }
  if (!verified) {
    throw new PromotionRefused([
      `stack "${source.stack}" has no verified images: no rollout has succeeded there yet ` +
        `(its verifiedImages output is missing)`,
    ]);
  }
  const problems = approvalProblems(source, verified, "verified", request);
  const soak = soakProblem(source, verified, request);
  if (soak !== undefined && request.enforceSoak) problems.push(soak);
  if (problems.length) throw new PromotionRefused(problems);
  return soak === undefined
    ? { images: verified }
    : {
        images: verified,
        warning: `${soak}; this preview shows the promotion, which an update refuses until then`,
      };
}
