/**
 * What the rollback reads from the stack: whether SHA was deployed to it before (its
 * update history), the repositories of the images it runs now (its `images` output), and
 * the user of its pull credentials (its `registry` config, read with the schema's own
 * field, so that `pullUsername` falls back to `username` as the program does).
 */
import { stackConfigSchema } from "../../src/config/schema";
import { parseRef, type Credentials } from "../../src/images/registry-client";
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

interface Update {
  readonly result?: unknown;
  readonly environment?: Readonly<Record<string, unknown>>;
}

/**
 * How many succeeded updates of `stack` ran with `git.head` = `sha`; a Failure when none.
 * (The update history says which commit ran `pulumi up`, not which images it deployed.)
 */
export function deployedBefore(pulumi: Pulumi, stack: string, sha: string): number {
  const history = parseJson(
    pulumi.read(
      [
        "stack",
        "history",
        "--json",
        "--show-secrets=false",
        "--page-size",
        "100",
        "--stack",
        stack,
      ],
      `cannot read the update history of ${stack}`,
    ),
    `the update history of ${stack}`,
  );
  if (!Array.isArray(history)) throw new Failure(`the update history of ${stack} is not a list`);
  const found = (history as (Update | null)[]).filter(
    (u) => u?.result === "succeeded" && u.environment?.["git.head"] === sha,
  ).length;
  if (found === 0) {
    throw new Failure(
      `${sha} was never deployed to ${stack} (no succeeded update with git.head ${sha} in its ` +
        `history); use --allow-undeployed to deploy it anyway`,
    );
  }
  return found;
}

/** Each workload's repository, from the digest-pinned refs of the stack's `images` output. */
export function repositories(pulumi: Pulumi, stack: string): Record<WorkloadName, Repository> {
  const images = parseJson(
    pulumi.read(
      ["stack", "output", "images", "--json", "--stack", stack],
      `cannot read the images output of ${stack} (has it been deployed?)`,
    ),
    `the images output of ${stack}`,
  ) as Partial<Record<WorkloadName, { ref?: unknown }>> | null;
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
