/**
 * A stand-in for the rollout await under the mocks: every rollout completes at revision
 * "1" unless a test says how a Deployment's rollout ends; each target awaited is recorded.
 */
import type {
  RolloutAwaiter,
  RolloutLimits,
  RolloutOutcome,
  RolloutTarget,
} from "../../src/components/rollout";

export const fakeRollouts = {
  /** Outcomes by Deployment name; any other completes. */
  outcomes: new Map<string, RolloutOutcome>(),
  awaited: [] as { target: RolloutTarget; limits: RolloutLimits }[],
  await: (async (target, limits) => {
    fakeRollouts.awaited.push({ target, limits });
    return (
      fakeRollouts.outcomes.get(target.name) ?? {
        phase: "complete",
        revision: "1",
        summary: `${target.name}: complete`,
      }
    );
  }) as RolloutAwaiter,
  reset(): void {
    fakeRollouts.outcomes.clear();
    fakeRollouts.awaited.length = 0;
  },
};
