/**
 * The registry build cache (images.cacheTag): a builder without local cache takes the
 * unchanged layers from the registry.
 */
import { join } from "node:path";
import { commitSource, writeConfig } from "../../test/support/e2e/project";
import type { Ctx } from "./cases";
import { pair, type Row } from "./measure";

const up = (c: Ctx) => c.b.pulumi(["up", "--yes", "--skip-preview"]);

/**
 * A code change after the builder lost its cache (a fresh CI machine): with a registry
 * cache (images.cacheTag) the unchanged layer (the server binary) is imported, not rebuilt.
 */
export async function registryCache(c: Ctx): Promise<Row[]> {
  const images = (cacheTag?: string) => ({
    "travel:images": {
      mode: "build",
      builder: "travel-local",
      backend: { context: join(c.b.p.sourceDir, "backend") },
      frontend: { context: join(c.b.p.sourceDir, "frontend") },
      ...(cacheTag ? { cacheTag } : {}),
    },
  });
  const cached = { with: 0, without: 0, samples: 0, builds: 0 };
  /**
   * How many of the image builds BuildKit recorded since `t` had a step served from a
   * cache (its build history; the progress lines in the CLI's output interleave both
   * builds, whose step numbers collide).
   */
  const buildsReusingCache = (t: number) => {
    const records = c.b
      .docker(["buildx", "history", "ls", "--builder", "travel-local", "--format", "json"])
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { created_at: string; cached_steps: number })
      .filter((r) => Date.parse(r.created_at) >= t);
    cached.builds += records.length;
    return records.filter((r) => r.cached_steps > 0).length;
  };
  const step = (label: string, cacheTag: string | undefined, key: "with" | "without") => ({
    label,
    before: async (i: number) => {
      await writeConfig(c.b.p, images(cacheTag));
      commitSource(
        c.b.p,
        "backend/message",
        `travel backend fixture, cache ${key} ${i} ${Date.now()}\n`,
      );
      commitSource(
        c.b.p,
        "frontend/message",
        `travel frontend fixture, cache ${key} ${i} ${Date.now()}\n`,
      );
      c.b.docker(["buildx", "prune", "--builder", "travel-local", "--all", "--force"]);
    },
    run: () => {
      const t = Date.now();
      up(c);
      const n = buildsReusingCache(t);
      cached[key] += n;
      if (key === "with") cached.samples++;
    },
  });
  const [a, k] = await pair(
    step("with the registry cache", "buildcache", "with"),
    step("without", undefined, "without"),
    Math.min(c.runs, 3),
    c.say,
  );
  await writeConfig(c.b.p, {});
  const samples = cached.samples; // includes the warm-up, which fills the cache
  return [
    {
      name: "code change on a builder without local cache",
      a: "`pulumi up`, `images.cacheTag` set",
      aSeconds: a,
      b: "`pulumi up`, no registry cache",
      bSeconds: k,
      target: "unchanged layers come from the registry cache",
      met: cached.with >= 2 * (samples - 1) && cached.without === 0,
      note: `a cached step in ${cached.with} of ${2 * samples} image builds with the cache (the first fills it), in ${cached.without} without (BuildKit recorded ${cached.builds} builds)`,
    },
  ];
}
