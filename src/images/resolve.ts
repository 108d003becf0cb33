/**
 * Where each workload's image comes from, decided before any resource exists, asking
 * the registry (with the pull credentials):
 * - build: the tag is the source's commit. If the registry already has that tag, it is
 *   reused by digest and nothing is built — unless this stack built it itself (its build
 *   is then a no-op anyway). A tag whose image says it was built from another commit is
 *   an error: an existing tag is never pushed over. A repository the registry denies the
 *   pull credentials is read with the push credentials (readTag).
 * - promote / pinned: the digests must exist in the registry, or preview says which not.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { imageLabels } from "../builders/labels";
import type { StackConfig } from "../config/load";
import type {
  BuildSource,
  ExistingSource,
  ImageSet,
  ImageSources,
  RegistryCredentials,
} from "./types";
import { OCI_LABEL, WORKLOADS, type WorkloadName } from "../names";
import { PromotionRefused, selectPromotion } from "./promotion";
import { parseRef, RegistryError, type Manifest } from "./registry-client";
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

/**
 * The config key a failed registry request points at: the credentials it was made with
 * (`credentials`: their key) when the registry refused or denied them, else the server.
 */
const blamed = (err: unknown, credentials: string) =>
  err instanceof RegistryError && (err.fault === "credentials" || err.fault === "denied")
    ? credentials
    : "registry.server";

/** The key of the pull credentials: the pull token, or none with a public registry. */
const pullKey = (cfg: StackConfig) =>
  cfg.registryPullToken ? "registryPullToken" : "registry.public";

/** A failed read with the push credentials, and the config key it points at. */
class PushReadError extends Error {
  constructor(
    readonly configKey: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A build's tag as read: its manifest, and, when the push credentials read it, the pull
 * credentials' denial and whether the push credentials were denied too.
 */
interface TagRead {
  readonly manifest: Manifest | undefined;
  readonly denied?: { readonly pull: RegistryError; readonly push: boolean };
}

/**
 * `server/repository:tag` as the pull credentials read it. When the registry denies them the
 * repository (which is how GHCR may answer, whatever the token, for a package that was never
 * pushed), the push credentials read it: an account that may push to a repository can
 * normally read it too, so what they find exists, and what they do not find, or are denied
 * too, is not there to push over. Whatever else fails throws; a failure of the push
 * credentials as a PushReadError.
 */
async function readTag(
  lookup: ImageLookup,
  server: string,
  repository: string,
  tag: string,
  pushKey: string,
): Promise<TagRead> {
  try {
    return { manifest: await lookup.registry.manifest(server, repository, tag) };
  } catch (pull) {
    if (!(pull instanceof RegistryError) || pull.fault !== "denied") throw pull;
    try {
      const manifest = await lookup.pushRegistry.manifest(server, repository, tag);
      return { manifest, denied: { pull, push: false } };
    } catch (err) {
      if (err instanceof RegistryError && err.fault === "denied")
        return { manifest: undefined, denied: { pull, push: true } };
      throw new PushReadError(blamed(err, pushKey), (err as Error).message);
    }
  }
}

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
    labels: imageLabels(gitSha, cfg.registry.repository),
    secrets: Object.fromEntries(
      Object.entries(images.buildSecrets).map(([id, file]) => [id, readFileSync(file, "utf8")]),
    ),
  };
  const ref = `${server}/${repository}:${gitSha}`;
  try {
    const [{ manifest: tagged, denied }, own] = await Promise.all([
      readTag(lookup, server, repository, gitSha, cfg.pushTokenKey),
      ownImages,
    ]);
    if (denied) {
      if (tagged) {
        return {
          problem:
            `${key(pullKey(cfg))}: cannot look up ${ref}: ${denied.pull.message}; yet ${cfg.pushTokenKey} ` +
            `finds that tag: it exists, and the pods, which pull with the same credentials, could not pull it`,
        };
      }
      void pulumi.log.warn(
        `${w}: building ${ref}: the registry denies its repository to the pull credentials ` +
          `(${denied.pull.message}) and ${denied.push ? `to ${cfg.pushTokenKey} too` : `${cfg.pushTokenKey} finds no such tag`}, ` +
          `as GHCR may answer for a package that was never pushed. The pods pull with the pull credentials: ` +
          `if they still may not read ${server}/${repository} once it is pushed, the rollout stops at the refused pull`,
      );
      return { source: build };
    }
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
          `${key(`images.${w}`)}: ${ref} already exists with other content ` +
          `(its ${OCI_LABEL.revision} is ${revision === undefined ? "not set" : `"${revision}"`}): ` +
          `an existing tag is never pushed over; delete that tag or build another commit`,
      };
    }
    void pulumi.log.info(
      `${w}: ${ref} is already in the registry (${tagged.digest}): reused, nothing built`,
    );
    return {
      source: { kind: "existing", ref: `${server}/${repository}@${tagged.digest}`, gitSha },
    };
  } catch (err) {
    const k = err instanceof PushReadError ? err.configKey : blamed(err, pullKey(cfg));
    return { problem: `${key(k)}: cannot look up ${ref}: ${(err as Error).message}` };
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
        {
          gitSha: images.gitSha,
          refs: images.refs,
          allowUnverified: images.allowUnverified,
          soakMinutes: images.soakMinutes,
          now: lookup.now(),
          enforceSoak: !pulumi.runtime.isDryRun(),
        },
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
      if (err instanceof PromotionRefused)
        problems.push(...err.problems.map((p) => `${key("images")}: ${p}`));
      else problems.push(`${key("images")}: ${(err as Error).message}`);
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
