/**
 * `npm run test:e2e`: every end-to-end suite. The suites of `test/e2e/*.test.ts` run
 * CONCURRENCY at a time, in the order of ./order.ts (`node --test` itself sorts the files
 * by name). The disruptive suites (`test/e2e/disruptive/`) stop parts of the environment,
 * so their faults run alone: each starts beside the others, sets its stack up, and waits
 * at `exclusiveTurn()` (test/support/e2e/turn.ts) until they have ended. Their report
 * follows the others'. The exit code is 1 when any test failed or was cancelled.
 *
 *   node --require tsx/cjs tools/e2e/main.ts
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { EXCLUSIVE_TURN_ENV, openExclusiveTurn } from "../../test/support/e2e/turn";
import { startOrder } from "./order";

const DIR = join(__dirname, "..", "..", "test", "e2e");
const suites = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(dir, f));

/**
 * Suites at once. Three kept the two cores 76% busy over the phase (1477 of 1954
 * CPU-seconds, warm CI run of 159021b; docs/benchmarks.md): a suite alone waits on
 * rollouts, drains and verification more than it computes, so a fourth fills the gaps.
 */
const CONCURRENCY = 4;
const TIMEOUT_MS = 3_600_000;

const turnDir = mkdtempSync(join(tmpdir(), "travel-e2e-turn-"));
// Read by the disruptive suites' processes, which inherit this environment.
process.env[EXCLUSIVE_TURN_ENV] = join(turnDir, "open");

const shared = run({
  files: startOrder(suites(DIR)),
  concurrency: CONCURRENCY,
  timeout: TIMEOUT_MS,
});
const exclusive = run({
  files: suites(join(DIR, "disruptive")).sort(),
  concurrency: 1,
  timeout: TIMEOUT_MS,
});
for (const stream of [shared, exclusive]) {
  stream.on("test:fail", () => {
    process.exitCode = 1;
  });
}

const exclusiveReport = exclusive.compose(new spec());
shared
  .compose(new spec())
  .on("end", () => {
    openExclusiveTurn();
    exclusiveReport.pipe(process.stdout);
    exclusiveReport.on("end", () => rmSync(turnDir, { recursive: true, force: true }));
  })
  .pipe(process.stdout, { end: false });
