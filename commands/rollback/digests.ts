/**
 * The digests an earlier commit's images have in the registry: every image is pushed as
 * `<repository>:<full git sha>` (dev builds it, the other stacks promote it), so each
 * tag is resolved to its manifest's digest, and the image it points at must say it was
 * built from that commit (its OCI revision label): another revision means the tag was
 * overwritten.
 */
import type { Registry } from "../../src/images/registry-client";
import { FORMAT, OCI_LABEL, PLATFORMS, WORKLOADS, type WorkloadName } from "../../src/names";
import { Failure } from "./pulumi";
import type { Repository } from "./stack";

type RegistryReads = Pick<Registry, "manifest" | "revision">;
type Manifest = NonNullable<Awaited<ReturnType<Registry["manifest"]>>>;

/** The revision label of the image (of an index: of the first platform image that has one). */
async function revisionOf(registry: RegistryReads, repo: Repository, manifest: Manifest) {
  const platforms = manifest.body.manifests ? PLATFORMS : PLATFORMS.slice(0, 1);
  for (const platform of platforms) {
    const revision = await registry.revision(repo.server, repo.repository, manifest, platform);
    if (revision !== undefined) return revision;
  }
  return undefined;
}

/** Each workload's `<repository>@<digest>` for `sha`; logs each, and a missing label. */
export async function digestRefs(
  registry: RegistryReads,
  repos: Record<WorkloadName, Repository>,
  sha: string,
  log: (line: string) => void,
): Promise<Record<WorkloadName, string>> {
  const refs = {} as Record<WorkloadName, string>;
  for (const w of WORKLOADS) {
    const repo = repos[w];
    const name = `${repo.server}/${repo.repository}`;
    const tag = `${name}:${sha}`;
    let manifest: Manifest | undefined;
    let revision: string | undefined;
    try {
      manifest = await registry.manifest(repo.server, repo.repository, sha);
      if (!manifest)
        throw new Failure(`${tag} not found in the registry (was ${sha} built by dev?)`);
      if (!FORMAT.digest.test(manifest.digest)) {
        throw new Failure(`unexpected digest for ${tag}: ${manifest.digest}`);
      }
      revision = await revisionOf(registry, repo, manifest);
    } catch (err) {
      if (err instanceof Failure) throw err;
      throw new Failure(`cannot look up ${tag} in the registry: ${(err as Error).message}`);
    }
    if (revision === undefined) log(`warning: ${tag} has no ${OCI_LABEL.revision} label`);
    else if (revision !== sha) {
      throw new Failure(
        `${tag} is labelled revision ${revision}, not ${sha}: the tag was overwritten`,
      );
    }
    refs[w] = `${name}@${manifest.digest}`;
    log(`${w}: ${refs[w]}`);
  }
  return refs;
}
