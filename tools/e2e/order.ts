/**
 * The order the parallel end-to-end phase starts its suites in: the longest first, then
 * any suite not listed, by name. Three run at a time, and a runner takes the next suite
 * as one ends, so longest-first ends the three close together; by name (the order
 * `node --test` sorts its files into) the last suite to start was a 167 s one, and the
 * phase took about 60 s longer than this order predicts.
 */
import { basename } from "node:path";

/**
 * Suites by name (`test/e2e/<name>.test.ts`), longest first: seconds each took in the
 * warm CI run of 5 December 2026, three at a time on 2 cores.
 */
export const LONGEST_FIRST: readonly string[] = [
  "failed-rollouts", // 392 s
  "local-stack", // 266 s
  "promotion", // 263 s
  "local-command", // 226 s
  "drift", // 179 s
  "gates", // 104 s; 177 s alone with the verification case (5 December)
  "interrupted", // 176 s
  "registry", // 167 s
  "policy", // 165 s
  "registry-faults", // 141 s
  "deployer", // 89-140 s alone (5 December)
  "bootstrap", // 60 s
  "environment-secrets", // 38-43 s alone (5 December)
];

const suiteName = (file: string) => basename(file).replace(/\.test\.ts$/, "");

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
