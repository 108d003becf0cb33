/**
 * Revoking a release whose re-check failed. When an update of a release the stack had
 * verified before fails its rollout or its checks, the stack must stop calling it verified
 * (kargo#5144). Pulumi saves no stack outputs from a failed update, so the deploy command
 * changes them in the stack's state, through `pulumi stack export` and `pulumi stack
 * import`: the release leaves `releases` (nothing rolls back to it), `verifiedImages` is
 * removed when it named it (nothing promotes it), and `revokedImages` says what was
 * revoked, when and why (the promotion gate reads it for its message). The next update
 * whose checks pass writes all three afresh.
 *
 * Only the stack resource's outputs change; every other part of the state (resources,
 * their secrets, still encrypted) is imported as it was exported.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sameImages } from "../../src/images/releases";
import type { ImageSet, RevokedImageSet, VerifiedImageSet } from "../../src/images/types";
import { componentName, TYPE, WORKLOADS } from "../../src/names";
import { Failure, type Pulumi } from "../rollback/pulumi";

/** The root resource's type in a Pulumi state. */
const STACK_TYPE = "pulumi:pulumi:Stack";

interface StateResource {
  readonly urn?: unknown;
  readonly type?: unknown;
  outputs?: Record<string, unknown>;
}
interface State {
  deployment?: { resources?: StateResource[] };
}

/**
 * The images the stack's last update deployed, from its RegistryImage components
 * (`travel-backend`, `travel-frontend`): their outputs are saved as soon as the images
 * resolve, before the rollouts, so a failed update records them too.
 */
export function deployedImages(state: State): ImageSet | undefined {
  const found: Partial<ImageSet> = {};
  for (const r of state.deployment?.resources ?? []) {
    if (r.type !== TYPE.registryImage || typeof r.urn !== "string") continue;
    const urn = r.urn;
    const w = WORKLOADS.find((x) => urn.endsWith(`::${componentName(x)}`));
    const ref = r.outputs?.ref;
    const gitSha = r.outputs?.gitSha;
    if (w && typeof ref === "string" && typeof gitSha === "string") found[w] = { ref, gitSha };
  }
  return WORKLOADS.every((w) => found[w]) ? (found as ImageSet) : undefined;
}

/** What revoking `failed` changes in the stack's outputs; undefined: it was never verified. */
export function revokedOutputs(
  outputs: Record<string, unknown>,
  failed: ImageSet,
  reason: string,
  now: Date,
): Record<string, unknown> | undefined {
  const verified = outputs.verifiedImages as VerifiedImageSet | undefined;
  const releases = Array.isArray(outputs.releases) ? (outputs.releases as VerifiedImageSet[]) : [];
  const namedVerified = verified !== undefined && sameImages(verified, failed);
  const kept = releases.filter((r) => !sameImages(r, failed));
  if (!namedVerified && kept.length === releases.length) return undefined;
  const rest = Object.fromEntries(Object.entries(outputs).filter(([k]) => k !== "verifiedImages"));
  const record: RevokedImageSet = {
    backend: failed.backend,
    frontend: failed.frontend,
    ...(namedVerified && verified.verifiedAt !== undefined
      ? { verifiedAt: verified.verifiedAt }
      : {}),
    revokedAt: now.toISOString(),
    reason,
  };
  return {
    ...(namedVerified ? rest : outputs),
    ...(Array.isArray(outputs.releases) ? { releases: kept } : {}),
    ...(namedVerified ? { revokedImages: record } : {}),
  };
}

/**
 * Reads the stack's state; when its last update deployed a release the stack had
 * verified, revokes it there (see above). Returns the images that update deployed
 * (undefined when the state does not say) and whether they were revoked.
 */
export async function revokeFailedRelease(
  pulumi: Pulumi,
  stack: string,
  reason: string,
  now: Date,
): Promise<{ failed: ImageSet | undefined; revoked: boolean }> {
  const text = pulumi.read(
    ["stack", "export", "--stack", stack],
    `cannot export the state of ${stack}`,
  );
  let state: State;
  try {
    state = JSON.parse(text) as State;
  } catch {
    throw new Failure(`the exported state of ${stack} is not JSON`);
  }
  const failed = deployedImages(state);
  const root = state.deployment?.resources?.find((r) => r.type === STACK_TYPE);
  if (!failed || !root) return { failed, revoked: false };
  const outputs = revokedOutputs(root.outputs ?? {}, failed, reason, now);
  if (outputs === undefined) return { failed, revoked: false };
  root.outputs = outputs;
  const dir = mkdtempSync(join(tmpdir(), "travel-revoke-"));
  try {
    const file = join(dir, "state.json");
    writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    const status = await pulumi.run(["stack", "import", "--stack", stack, "--file", file]);
    if (status !== 0) throw new Failure(`pulumi stack import failed (exit ${status})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { failed, revoked: true };
}
