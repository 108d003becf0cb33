/**
 * The two tools that need a step before `go build`:
 * - the kubernetes provider embeds files that `go generate` makes from its schema;
 * - the docker-build provider needs modules whose .mod this mirror refuses.
 */
import { cpSync, chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requiredVersion } from "./gomod";
import type { BuildDir, HookContext } from "./spec";

const K8S_PROVIDER = "github.com/pulumi/pulumi-kubernetes/provider/v4";
const K8S_CMD = "cmd/pulumi-resource-kubernetes";

/** The folder of a module version in the module cache, downloaded (and verified) first. */
export function moduleDir(ctx: HookContext, cwd: string, module: string): string {
  const info = JSON.parse(ctx.run(["go", "mod", "download", "-json", module], { cwd })) as {
    Dir?: string;
  };
  if (!info.Dir || !existsSync(info.Dir)) throw new Error(`go mod download ${module}: no folder`);
  return info.Dir;
}

/**
 * The provider's main package, built in a scratch copy of the wrapper module so that
 * generated files never land in the repository. The committed main.go and generate.go
 * must be the pinned version's own.
 */
export function kubernetesProviderSources(ctx: HookContext): BuildDir {
  const src = join(ctx.scratch, "src");
  mkdirSync(src, { recursive: true });
  for (const f of ["go.mod", "go.sum", "main.go", "generate.go"]) {
    cpSync(join(ctx.moduleDir, f), join(src, f));
  }
  const upstream = join(moduleDir(ctx, src, K8S_PROVIDER), K8S_CMD);
  for (const f of ["main.go", "generate.go"]) {
    if (readFileSync(join(src, f), "utf8") !== readFileSync(join(upstream, f), "utf8")) {
      throw new Error(
        `toolchain/pulumi-resource-kubernetes/${f} differs from ${K8S_PROVIDER}/${K8S_CMD}/${f} ` +
          `at the pinned version; copy it again from ${upstream}`,
      );
    }
  }
  for (const f of ["schema.json", "terraform-mapping.json"]) {
    cpSync(join(upstream, f), join(src, f));
    chmodSync(join(src, f), 0o644);
  }
  ctx.run(["go", "generate", "."], { cwd: src, env: { VERSION: ctx.version.slice(1) } });
  return { cwd: src, pkgs: ["."] };
}

/** Modules whose .zip the mirror serves but whose .mod it refuses. */
const ZIP_ONLY = ["github.com/pulumi/pulumi-java"];

/**
 * Serves the .mod of zip-only modules from a local file:// proxy put first in GOPROXY;
 * the go command still verifies both files against go.sum.
 */
export function dockerBuildProxy(ctx: HookContext): BuildDir {
  const gomod = readFileSync(join(ctx.moduleDir, "go.mod"), "utf8");
  const cache = ctx.run(["go", "env", "GOMODCACHE"]).trim();
  const proxy = join(ctx.scratch, "goproxy");
  const needed = ZIP_ONLY.map((m) => {
    const v = requiredVersion(gomod, m);
    if (!v) throw new Error(`${ctx.moduleDir}/go.mod: expected a require of ${m}, found none`);
    return { m, v };
  }).filter(({ m, v }) => !existsSync(join(cache, "cache/download", m, "@v", `${v}.mod`)));
  for (const { m, v } of needed) {
    ctx.run(["go", "run", "./internal/modfromzip", "-dir", proxy, `${m}@${v}`], {
      cwd: ctx.moduleDir,
    });
  }
  const goproxy = ctx.run(["go", "env", "GOPROXY"]).trim();
  return {
    cwd: ctx.moduleDir,
    env: needed.length ? { GOPROXY: `file://${proxy},${goproxy}` } : {},
  };
}
