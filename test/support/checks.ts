/**
 * A stand-in for verification's requests under the mocks: every check passes on its first
 * attempt unless a test says what a check's URL answers; each run is recorded.
 */
import type { CheckResult, CheckRunner } from "../../src/components/verification";
import type { CheckTarget, HttpCheck } from "../../src/components/verification-checks";

export const fakeChecks = {
  /** What came back, by URL, for checks that fail; any other passes. */
  failing: new Map<string, string>(),
  runs: [] as { target: CheckTarget; checks: readonly HttpCheck[] }[],
  run: (async (target, checks) => {
    fakeChecks.runs.push({ target, checks });
    return checks.map((c): CheckResult => {
      const url = `https://${target.hostname}${c.path}`;
      const got = fakeChecks.failing.get(url);
      return {
        name: c.name,
        url,
        expected: `${c.status}`,
        got: got ?? `${c.status}`,
        passed: got === undefined,
        attempts: 1,
      };
    });
  }) as CheckRunner,
  reset(): void {
    fakeChecks.failing.clear();
    fakeChecks.runs.length = 0;
  },
};
