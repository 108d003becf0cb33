/**
 * The toolchain's one entry point.
 *
 *   toolchain env [TOOL|GROUP...]   choose (and build) tools; print `export` lines to eval
 *   toolchain build TOOL...         build from the pinned modules; print each output folder
 *   toolchain list                  the table: tool, pin, wrapper module, cache state
 *
 * Groups: pulumi (default for env), environment, lint. TRAVEL_TOOLCHAIN=auto|installed|build
 * chooses between installed copies and builds; TRAVEL_TOOLCHAIN_DIR moves the cache.
 */
import { build, cacheRoot, destOf, isComplete, pinOf } from "./build";
import { binary, select } from "./select";
import { expand, GROUPS, TOOLS } from "./tools";

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function env(names: string[]): void {
  const choices = select(expand(names.length ? names : ["pulumi"]));
  const dirs = choices.filter((c) => c.source === "built" && !c.tool.files).map((c) => c.dir!);
  const lines = [];
  if (dirs.length) lines.push(`export PATH=${q(dirs.join(":"))}:"$PATH"`);
  lines.push("export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true");
  lines.push("export PULUMI_SKIP_UPDATE_CHECK=true");
  if (choices.some((c) => c.tool.name === "kubectl")) {
    lines.push(`export TRAVEL_KUBECTL=${q(binary(choices, "kubectl"))}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function list(): void {
  const root = cacheRoot();
  for (const t of TOOLS) {
    const dest = destOf(t, root);
    const state = isComplete(t, dest) ? `cached in ${dest}` : "not built";
    process.stdout.write(
      `${t.name.padEnd(30)} ${pinOf(t).padEnd(10)} toolchain/${t.dir.padEnd(30)} ${state}\n`,
    );
  }
}

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "env":
      return env(rest);
    case "build":
      for (const t of expand(rest)) process.stdout.write(`${build(t)}\n`);
      return;
    case "list":
      return list();
    default:
      process.stderr.write(
        `usage: toolchain env [tool|group...] | build tool... | list\n` +
          `groups: ${Object.keys(GROUPS).join(", ")}; tools: ${TOOLS.map((t) => t.name).join(", ")}\n`,
      );
      process.exitCode = 2;
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`[toolchain] error: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
