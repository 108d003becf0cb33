/**
 * Building the seed's apps (fixtures/travel: Next.js and FastAPI, multi-stage, on the
 * local Debian-made bases) as a fresh CI machine does: the builder's local cache pruned
 * before each sample, so what is not in the registry cache (images.cacheTag) is built
 * again, downloads included.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  committedLocalConfig,
  commitSource,
  head,
  writeConfig,
} from "../../test/support/e2e/project";
import { registryImageBytes } from "../../test/support/e2e/local-env";
import { WORKLOADS } from "../../src/names";
import type { Ctx } from "./cases";
import { pair, type Row } from "./measure";

const up = (c: Ctx) => c.b.pulumi(["up", "--yes", "--skip-preview"]);
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/** A change to one file of the source, `path` under fixtures/travel, one per sample. */
type Change = (c: Ctx, key: string, i: number) => void;

/** Appends a comment line to a file of the fixtures' copy and commits it. */
const mark = (c: Ctx, file: string, comment: string) =>
  commitSource(c.b.p, file, `${readFileSync(join(c.b.p.sourceDir, file), "utf8")}${comment}\n`);

/** The app code of both: Next.js builds again, FastAPI copies its code again. */
const appCode: Change = (c, key, i) => {
  mark(c, "travel/frontend/app/layout.js", `// ${key} ${i} ${Date.now()}`);
  mark(c, "travel/backend/travel/__init__.py", `# ${key} ${i} ${Date.now()}`);
};
/** The frontend's message: one COPY layer of its runtime stage. */
const oneLayer: Change = (c, key, i) =>
  void commitSource(
    c.b.p,
    "travel/frontend/message",
    `travel next.js frontend ${key} ${i} ${Date.now()}\n`,
  );

function buildCase(name: string, what: string, change: Change) {
  return async (c: Ctx): Promise<Row[]> => {
    const images = (cacheTag?: string) => ({
      "travel:images": {
        mode: "build",
        builder: "travel-local",
        backend: { context: join(c.b.p.sourceDir, "travel", "backend") },
        frontend: { context: join(c.b.p.sourceDir, "travel", "frontend") },
        buildSecrets: (committedLocalConfig()["travel:images"] as { buildSecrets: object })
          .buildSecrets,
        ...(cacheTag ? { cacheTag } : {}),
      },
    });
    const step = (label: string, cacheTag: string | undefined, key: string) => ({
      label,
      before: async (i: number) => {
        await writeConfig(c.b.p, images(cacheTag));
        change(c, key, i);
        c.b.docker(["buildx", "prune", "--builder", "travel-local", "--all", "--force"]);
      },
      run: () => void up(c),
    });
    const [a, k] = await pair(
      step("with the registry cache", "buildcache", "with"),
      step("without", undefined, "without"),
      Math.min(c.runs, 2),
      c.say,
    );
    const sha = head(c.b.p);
    const sizes = await Promise.all(
      WORKLOADS.map(
        async (w) => `${w} ${MB(await registryImageBytes(`travel/coagents-travel-${w}`, sha))}`,
      ),
    );
    const bases = await Promise.all(
      [
        ["library/python", "3.13-slim"],
        ["library/node", "20-slim"],
      ].map(async ([r, t]) => `${r}:${t} ${MB(await registryImageBytes(r!, t!))}`),
    );
    await writeConfig(c.b.p, {});
    return [
      {
        name,
        a: "`pulumi up`, `images.cacheTag` set",
        aSeconds: a,
        b: "`pulumi up`, no registry cache",
        bSeconds: k,
        note: `${what}; the builder's cache pruned before each sample; images as pushed (compressed layers): ${sizes.join(", ")}; bases ${bases.join(", ")}`,
      },
    ];
  };
}

/** Both apps' code changed on a fresh builder: npm ci and next build, pip install. */
export const seedColdBuild = buildCase(
  "Next.js + FastAPI, code of both changed, fresh builder",
  "both apps built and rolled out: without the cache npm ci, next build and pip install run again",
  appCode,
);

/** One layer changed on a fresh builder: with the cache only that layer is built. */
export const seedOneLayer = buildCase(
  "Next.js + FastAPI, one layer changed (the frontend's message), fresh builder",
  "a change to the frontend's last COPY: with the cache every other layer is imported",
  oneLayer,
);
