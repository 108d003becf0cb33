/**
 * Prints a markdown summary of `pulumi preview --json` output, for a pull
 * request comment or the job summary:
 *
 *   pulumi preview --json -s prod > preview.json
 *   node --import tsx scripts/preview-summary.ts preview.json [--stack prod]
 *
 * A path of "-" reads standard input. The logic is in ./preview-summary/.
 */
import { readFileSync } from "node:fs";
import { parseDigest } from "./preview-summary/digest";
import { renderSummary } from "./preview-summary/markdown";

const USAGE = "usage: preview-summary.ts <preview.json | -> [--stack <name>]";

/** The file path and optional stack name from the command line; throws on anything else. */
export function parseArgs(argv: string[]): { file: string; stack?: string } {
  const rest = [...argv];
  let stack: string | undefined;
  const at = rest.indexOf("--stack");
  if (at >= 0) {
    stack = rest[at + 1];
    if (stack === undefined || stack.startsWith("--")) throw new Error(USAGE);
    rest.splice(at, 2);
  }
  if (rest.length !== 1 || rest[0] === undefined) throw new Error(USAGE);
  return { file: rest[0], ...(stack !== undefined ? { stack } : {}) };
}

if (require.main === module) {
  try {
    const { file, stack } = parseArgs(process.argv.slice(2));
    const text = readFileSync(file === "-" ? 0 : file, "utf8");
    process.stdout.write(renderSummary(parseDigest(text), stack));
  } catch (err) {
    process.stderr.write(`preview-summary: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
