/**
 * The order the parallel end-to-end phase starts its suites in: the longest first, then
 * any suite not listed, by name. A few run at a time (./main.ts), and a runner takes the
 * next suite as one ends, so longest-first ends them close together; by name (the order
 * `node --test` sorts its files into) the last suite to start was a 167 s one, and the
 * phase took about 60 s longer than this order predicts.
 */
import { basename } from "node:path";

/**
 * Suites by name (`test/e2e/<name>.test.ts`), longest first: seconds each took in the
 * warm CI run of 8233baf (7 December 2026, five at a time on 2 cores). In that run's
 * order (the one of 6 December) `registry` and `drift` started last and ended some 40 s
 * after the others; the run in this order (f52b7c1) took 32 s less (docs/benchmarks.md).
 */
export const LONGEST_FIRST: readonly string[] = [
  "releases", // 533 s
  "failed-rollouts", // 444 s
  "promotion", // 327 s
  "local-stack", // 309 s
  "local-command", // 209 s
  "interrupted", // 178 s
  "registry", // 165 s
  "drift", // 161 s
  "seed-apps", // 137 s
  "registry-faults", // 134 s
  "policy", // 112 s
  "deployer", // 111 s
  "egress", // 81 s
  "gates", // 76 s
];

/**
 * Suites that need no cluster (the Pulumi CLI on a file backend; each header says so):
 * they run beside the disruptive suites, which leave the two cores mostly idle, instead
 * of in the shared phase (./main.ts).
 */
export const CLUSTER_FREE: readonly string[] = ["bootstrap", "environment-secrets"];

const suiteName = (file: string) => basename(file).replace(/\.test\.ts$/, "");

/**
 * `files` split into the cluster-free suites and the others. Throws, naming it, when a
 * listed suite has no file.
 */
export function splitClusterFree(
  files: readonly string[],
  clusterFree = CLUSTER_FREE,
): { clusterFree: string[]; others: string[] } {
  const names = new Set(files.map(suiteName));
  const missing = clusterFree.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new Error(
      `tools/e2e/order.ts lists ${missing.join(", ")} as cluster-free, but test/e2e has no ${missing
        .map((n) => `${n}.test.ts`)
        .join(", ")}: update CLUSTER_FREE`,
    );
  }
  const free = new Set(clusterFree);
  return {
    clusterFree: files.filter((f) => free.has(suiteName(f))),
    others: files.filter((f) => !free.has(suiteName(f))),
  };
}

/**
 * `files` in start order. Throws, naming it, when a listed suite has no file: a renamed
 * suite would otherwise quietly lose its place.
 */
export function startOrder(files: readonly string[], longestFirst = LONGEST_FIRST): string[] {
  const byName = new Map(files.map((f) => [suiteName(f), f]));
  const missing = longestFirst.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new Error(
      `tools/e2e/order.ts lists ${missing.join(", ")}, but test/e2e has no ${missing
        .map((n) => `${n}.test.ts`)
        .join(", ")}: update LONGEST_FIRST`,
    );
  }
  const listed = new Set(longestFirst);
  const rest = files.filter((f) => !listed.has(suiteName(f))).sort();
  return [...longestFirst.map((name) => byName.get(name)!), ...rest];
}
