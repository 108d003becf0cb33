/**
 * `npm run test:e2e`: every end-to-end suite. The disruptive suites (`test/e2e/disruptive/`)
 * stop parts of the environment, so they run first, one at a time, with nothing else on
 * the cluster; what runs beside them needs none (the cluster-free suites of ./order.ts,
 * and the unit tests and lint of `npm test` and CI). Then the other suites of
 * `test/e2e/*.test.ts`, CONCURRENCY at a time, in the order of ./order.ts (`node --test`
 * itself sorts the files by name). The exit code is 1 when any test failed or was
 * cancelled.
 *
 *   node --require tsx/cjs tools/e2e/main.ts
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { finished } from "node:stream/promises";
import { splitClusterFree, startOrder } from "./order";

const DIR = join(__dirname, "..", "..", "test", "e2e");
const suites = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(dir, f));

/**
 * Shared suites at once. A suite waits on rollouts, drains and verification more than it
 * computes: with four, the two cores were 70–85% busy over most of the phase (warm CI run
 * of f034ffc, docs/benchmarks.md), so a fifth fills the gaps.
 */
const CONCURRENCY = 5;
const TIMEOUT_MS = 3_600_000;

async function phase(files: string[], concurrency: number): Promise<void> {
  const stream = run({ files, concurrency, timeout: TIMEOUT_MS });
  stream.on("test:fail", () => {
    process.exitCode = 1;
  });
  const report = stream.compose(new spec());
  report.pipe(process.stdout, { end: false });
  await finished(report);
}

void (async () => {
  const { clusterFree, others } = splitClusterFree(suites(DIR));
  await Promise.all([
    phase(suites(join(DIR, "disruptive")).sort(), 1),
    phase(clusterFree.sort(), clusterFree.length),
  ]);
  await phase(startOrder(others), CONCURRENCY);
})();
