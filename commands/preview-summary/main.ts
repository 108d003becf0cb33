/**
 * Prints a markdown summary of a preview's engine event stream, for a pull request
 * comment or the job summary: changes to images and manifests, and policy violations.
 *
 *   PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true \
 *     pulumi preview --diff --stack prod --policy-pack policy --json > events.jsonl
 *   node --require tsx/cjs commands/preview-summary/main.ts events.jsonl [--stack prod]
 *
 * The stream has one JSON engine event per line (without the variable, `--json` prints a
 * digest that leaves policy events out). A path of "-" reads standard input. The logic
 * is in ./preview-summary/.
 */
import { readFileSync } from "node:fs";
import { parseEvents } from "./events";
import { renderSummary } from "./markdown";

const USAGE = "usage: preview-summary.ts <events.jsonl | -> [--stack <name>]";

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
    process.stdout.write(renderSummary(parseEvents(text), stack));
  } catch (err) {
    process.stderr.write(`preview-summary: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
