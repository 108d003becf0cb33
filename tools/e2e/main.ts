/**
 * `npm run test:e2e`'s parallel phase: every `test/e2e/*.test.ts`, CONCURRENCY at a time,
 * in the order of ./order.ts (`node --test` itself sorts the files by name). The exit code
 * is 1 when any test failed or was cancelled.
 *
 *   node --import tsx tools/e2e/main.ts
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { startOrder } from "./order";

const DIR = join(__dirname, "..", "..", "test", "e2e");
const files = startOrder(
  readdirSync(DIR)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(DIR, f)),
);
/**
 * Suites at once. Three kept the two cores 76% busy over the phase (1477 of 1954
 * CPU-seconds, warm CI run of 159021b; docs/benchmarks.md): a suite alone waits on
 * rollouts, drains and verification more than it computes, so a fourth fills the gaps.
 */
const CONCURRENCY = 4;
const stream = run({ files, concurrency: CONCURRENCY, timeout: 3_600_000 });
stream.on("test:fail", () => {
  process.exitCode = 1;
});
stream.compose(new spec()).pipe(process.stdout);
