/**
 * `npm run bench`: the deploy loop measured on the local environment, each case against
 * its kubectl (or manual) equivalent, written to docs/benchmarks.md.
 *
 *   npm run bench [-- --runs N] [-- --only case,case]
 *
 * Needs the local environment up (tools/local-env.sh up) and the toolchain
 * (eval "$(toolchain/toolchain.sh pulumi bench)"); `npm run bench` does both.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binary, select } from "../../toolchain/select";
import { expand } from "../../toolchain/tools";
import { DOCKER, KUBECONFIG } from "../local-env/layout";
import * as builds from "./build-cases";
import * as cache from "./cache-cases";
import * as cases from "./cases";
import * as failFast from "./fail-fast-cases";
import { machine, table, type Row } from "./measure";
import * as rollouts from "./rollout-cases";
import { copyObjects, COPY_NS, setupBench, versionOf } from "./setup";

const CASES: Record<string, (c: cases.Ctx) => Promise<Row[]>> = {
  "noop-preview": cases.noopPreview,
  "noop-up": cases.noopUp,
  replicas: cases.replicasChange,
  "source-change": cases.sourceChange,
  "already-pushed": rollouts.alreadyPushed,
  "fail-fast": failFast.failFast,
  "stuck-rollout": rollouts.stuckRollout,
  "slow-rollout": rollouts.slowRollout,
  rollback: rollouts.rollback,
  "registry-cache": cache.registryCache,
  "seed-cold-build": builds.seedColdBuild,
  "seed-one-layer": builds.seedOneLayer,
};

const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const runs = Number(arg("runs") ?? 5);
  const only = arg("only")?.split(",") ?? Object.keys(CASES);
  for (const o of only)
    if (!CASES[o]) throw new Error(`--only ${o}: expected one of ${Object.keys(CASES).join(", ")}`);
  // tools/bench.sh has selected (and said) which tools are used; this finds them again.
  const tools = select(expand(["pulumi", "bench"]), { log: () => undefined });
  const kubectl = binary(tools, "kubectl");
  // The seed's manual sequence runs `docker buildx`: a plugin of the environment's CLI.
  const plugins = join(DOCKER.config, "cli-plugins");
  mkdirSync(plugins, { recursive: true });
  if (!existsSync(join(plugins, "docker-buildx")))
    symlinkSync(binary(tools, "docker-buildx"), join(plugins, "docker-buildx"));

  const b = await setupBench(kubectl);
  try {
    say(`deploying the bench stack (${b.p.stack.name})`);
    b.pulumi(["up", "--yes", "--skip-preview"]);
    copyObjects(b);
    const rows: Row[] = [];
    for (const name of only) {
      say(`${name}: ${runs} interleaved samples after a warm-up`);
      rows.push(...(await CASES[name]!({ b, runs, say })));
    }
    write(rows, runs, kubectl);
  } finally {
    say("cleaning up");
    try {
      b.pulumi(["destroy", "--yes", "--skip-preview"]);
    } catch (err) {
      say(`destroy failed: ${(err as Error).message.split("\n")[0]}`);
    }
    execFileSync(
      kubectl,
      [
        "--kubeconfig",
        KUBECONFIG,
        "delete",
        "namespace",
        COPY_NS,
        "travel-bench-same",
        "--ignore-not-found",
        "--wait=false",
      ],
      {
        stdio: "ignore",
      },
    );
    rmSync(b.empty, { recursive: true, force: true });
  }
}

function write(rows: readonly Row[], runs: number, kubectl: string): void {
  const path = join(__dirname, "..", "..", "docs", "benchmarks.md");
  const intro = readFileSync(path, "utf8").split("<!-- bench:start -->")[0];
  const body = [
    "<!-- bench:start -->",
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC by \`npm run bench\` (medians of ${runs} interleaved samples after a warm-up):`,
    "",
    ...machine({
      pulumi: versionOf("pulumi", ["version"]),
      kubectl: versionOf(kubectl, ["version", "--client"]),
      node: process.version,
    }),
    "",
    ...table(rows),
    "",
    ...rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`),
    "",
  ];
  writeFileSync(path, `${intro}${body.join("\n")}`);
  // In the repository's style (npm run lint checks it), tables aligned.
  execFileSync(join(__dirname, "..", "..", "node_modules", ".bin", "prettier"), ["--write", path], {
    stdio: "ignore",
  });
  say(`wrote ${path}`);
}

main().catch((err: Error) => {
  process.stderr.write(`[bench] failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
