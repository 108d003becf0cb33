/**
 * Where each workload's image comes from, decided before any resource exists, asking
 * the registry (with the pull credentials):
 * - build: the tag is the source's commit. If the registry already has that tag, it is
 *   reused by digest and nothing is built — unless this stack built it itself (its build
 *   is then a no-op anyway). A tag whose image says it was built from another commit is
 *   an error: an existing tag is never pushed over.
 * - promote / pinned: the digests must exist in the registry, or preview says which not.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";
import type {
  BuildSource,
  ExistingSource,
  ImageSet,
  ImageSources,
  RegistryCredentials,
} from "./types";
import { OCI_LABEL, WORKLOADS, type WorkloadName } from "../names";
import { selectPromotion } from "./promotion";
import { parseRef, RegistryError } from "./registry-client";
import type { ImageLookup } from "./lookup";
import { sourceRevision } from "./source-revision";

/** Thrown with one line per workload whose image cannot be had. */
export class ImageError extends pulumi.RunError {}

function pushCredentials(cfg: StackConfig): RegistryCredentials {
  return {
    server: cfg.registry.server,
    username: cfg.registry.username,
    token: cfg.registryToken!,
  };
}

/** The config key a failed registry request points at: the credentials, or the server. */
const blamed = (err: unknown) =>
  err instanceof RegistryError && (err.fault === "credentials" || err.fault === "denied")
    ? "registryPullToken"
    : "registry.server";

/** A build workload's source: a build of its commit, or the tag the registry already has. */
async function resolveBuild(
  cfg: StackConfig,
  w: WorkloadName,
  ownImages: Promise<ImageSet | undefined>,
  lookup: ImageLookup,
  key: (k: string) => string,
): Promise<{ source: BuildSource | ExistingSource } | { problem: string }> {
  const images = cfg.images;
  if (images.mode !== "build") throw new Error("resolveBuild: not a build stack");
  const server = cfg.registry.server;
  const { context, dockerfile } = images[w];
  let gitSha: string;
  try {
    gitSha = sourceRevision(context, { allowDirty: images.allowDirty, ...lookup.revision });
  } catch (err) {
    return { problem: `${key(`images.${w}`)}: ${(err as Error).message}` };
  }
  const repository = `${cfg.registry.owner}/${cfg[w].imageName}`;
  const build: BuildSource = {
    kind: "build",
    context,
    dockerfile,
    gitSha,
    platform: images.platform,
    builder: images.builder,
    cacheTag: images.cacheTag,
    repository: `${server}/${repository}`,
    registry: pushCredentials(cfg),
  };
  try {
    const [tagged, own] = await Promise.all([
      lookup.registry.manifest(server, repository, gitSha),
      ownImages,
    ]);
    if (
      !tagged ||
      (own?.[w]?.gitSha === gitSha && own[w].ref === `${server}/${repository}@${tagged.digest}`)
    ) {
      return { source: build };
    }
    const revision = await lookup.registry.revision(server, repository, tagged, images.platform);
    if (revision !== gitSha) {
      return {
        problem:
          `${key(`images.${w}`)}: ${server}/${repository}:${gitSha} already exists with other content ` +
          `(its ${OCI_LABEL.revision} is ${revision === undefined ? "not set" : `"${revision}"`}): ` +
          `an existing tag is never pushed over; delete that tag or build another commit`,
      };
    }
    void pulumi.log.info(
      `${w}: ${server}/${repository}:${gitSha} is already in the registry (${tagged.digest}): reused, nothing built`,
    );
    return {
      source: { kind: "existing", ref: `${server}/${repository}@${tagged.digest}`, gitSha },
    };
  } catch (err) {
    return {
      problem: `${key(blamed(err))}: cannot look up ${server}/${repository}:${gitSha}: ${(err as Error).message}`,
    };
  }
}

export async function resolveImageSources(
  cfg: StackConfig,
  lookup: ImageLookup,
): Promise<ImageSources> {
  const problems: string[] = [];
  const key = (k: string) => `${cfg.configNamespace}:${k}`;
  const sources = {} as ImageSources;
  const images = cfg.images;
  const server = cfg.registry.server;
  const exists = async (k: string, ref: string, whose: string) => {
    const r = parseRef(ref);
    if (!r?.digest) {
      problems.push(`${key(k)}: ${ref} is not a digest-pinned reference`);
      return;
    }
    try {
      if (!(await lookup.registry.manifest(r.server, r.repository, r.digest))) {
        problems.push(
          `${key(k)}: ${ref} (${whose}) is not in the registry: its pods would end in ImagePullBackOff; push it, or pin a digest that was pushed`,
        );
      }
    } catch (err) {
      problems.push(`${key(k)}: cannot check ${ref} in the registry: ${(err as Error).message}`);
    }
  };

  if (images.mode === "build") {
    // Both workloads at once: each asks git and the registry, none depends on the other.
    const own = lookup.ownImages();
    const results = await Promise.all(WORKLOADS.map((w) => resolveBuild(cfg, w, own, lookup, key)));
    WORKLOADS.forEach((w, i) => {
      const r = results[i]!;
      if ("problem" in r) problems.push(r.problem);
      else sources[w] = r.source;
    });
  } else if (images.mode === "promote") {
    const outputs = await lookup.stackOutputs(images.fromStack);
    try {
      const promotion = selectPromotion(
        { stack: images.fromStack, ...outputs },
        { gitSha: images.gitSha, allowUnverified: images.allowUnverified },
      );
      if (promotion.warning) void pulumi.log.warn(promotion.warning);
      for (const w of WORKLOADS) {
        const { ref, gitSha } = promotion.images[w];
        if (!ref.startsWith(`${server}/`))
          problems.push(
            `${key("images")}: ${ref} (promoted from "${images.fromStack}") is not in the configured registry ${server}`,
          );
        else await exists("images", ref, `${w}, promoted from "${images.fromStack}"`);
        sources[w] = { kind: "existing", ref, gitSha };
      }
    } catch (err) {
      problems.push(`${key("images")}: ${(err as Error).message}`);
    }
  } else {
    for (const w of WORKLOADS) {
      await exists(`images.${w}.ref`, images[w].ref, `pinned ${w}`);
      sources[w] = { kind: "existing", ...images[w] };
    }
  }
  if (problems.length) {
    throw new ImageError(
      `The images cannot be deployed (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return sources;
}
