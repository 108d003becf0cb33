/**
 * What the rollback reads from the stack: its outputs (the verified releases it may go
 * back to, and the images it runs now, whose repositories a forced release is looked up
 * in), and the user of its pull credentials (its `registry` config, read with the
 * schema's own field, so that `pullUsername` falls back to `username` as the program does).
 */
import { stackConfigSchema } from "../../src/config/schema";
import { parseRef, type Credentials } from "../../src/images/registry-client";
import type { VerifiedImageSet } from "../../src/images/types";
import { WORKLOADS, type WorkloadName } from "../../src/names";
import { Failure, type Pulumi } from "./pulumi";

/** `server/repository` of an image, without a tag or digest. */
export interface Repository {
  readonly server: string;
  readonly repository: string;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Failure(`${what} is not JSON: ${text.slice(0, 200)}`);
  }
}

/** What the rollback reads of the stack's outputs. */
export interface StackOutputs {
  /** What its last update deployed (`images`). */
  readonly images: unknown;
  /** Its verified releases, newest first (`releases`, else `verifiedImages` alone). */
  readonly releases: readonly VerifiedImageSet[];
}

/** The stack's outputs, in one lookup. */
export function stackOutputs(pulumi: Pulumi, stack: string): StackOutputs {
  const out = parseJson(
    pulumi.read(
      ["stack", "output", "--json", "--stack", stack],
      `cannot read the outputs of ${stack} (has it been deployed?)`,
    ),
    `the outputs of ${stack}`,
  ) as { images?: unknown; releases?: unknown; verifiedImages?: VerifiedImageSet } | null;
  const releases = Array.isArray(out?.releases)
    ? (out.releases as VerifiedImageSet[])
    : out?.verifiedImages
      ? [out.verifiedImages] // deployed before the program recorded its releases
      : [];
  return { images: out?.images, releases };
}

/** Each workload's repository, from the digest-pinned refs of the stack's `images` output. */
export function repositories(stack: string, output: unknown): Record<WorkloadName, Repository> {
  const images = output as Partial<Record<WorkloadName, { ref?: unknown }>> | null | undefined;
  const repos = {} as Record<WorkloadName, Repository>;
  for (const w of WORKLOADS) {
    const ref = images?.[w]?.ref;
    if (typeof ref !== "string") throw new Failure(`the images output of ${stack} has no ${w}.ref`);
    const parsed = parseRef(ref);
    if (!parsed?.digest) {
      throw new Failure(`the ${w} image of ${stack} is not a digest reference: ${ref}`);
    }
    repos[w] = { server: parsed.server, repository: parsed.repository };
  }
  return repos;
}

/** The pull credentials: `token` with the stack's `registry.pullUsername`. */
export function pullCredentials(pulumi: Pulumi, stack: string, token: string): Credentials {
  const got = parseJson(
    pulumi.read(
      ["config", "get", "registry", "--json", "--stack", stack],
      `cannot read the registry config of ${stack}`,
    ),
    `the registry config of ${stack}`,
  ) as { objectValue?: unknown } | null;
  const registry = stackConfigSchema.shape.registry.safeParse(got?.objectValue);
  if (!registry.success) {
    const problems = registry.error.issues.map((i) =>
      i.path.length ? `registry.${i.path.join(".")}: ${i.message}` : `registry: ${i.message}`,
    );
    throw new Failure(`the registry config of ${stack} is not valid (${problems.join("; ")})`);
  }
  return { username: registry.data.pullUsername, password: token };
}
