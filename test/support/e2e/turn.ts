/**
 * The disruptive suites' turn: tools/e2e/main.ts starts them beside the other suites and
 * opens their turn once those have ended, so a suite sets its stack up alongside them
 * and stops parts of the environment only when nothing else runs on it.
 */
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** The file whose existence opens the turn; unset when a suite runs on its own. */
export const EXCLUSIVE_TURN_ENV = "TRAVEL_E2E_EXCLUSIVE_TURN";

/** Opens the turn (tools/e2e/main.ts, once the other suites have ended). */
export function openExclusiveTurn(): void {
  const file = process.env[EXCLUSIVE_TURN_ENV];
  if (!file) throw new Error(`${EXCLUSIVE_TURN_ENV} is not set: there is no turn to open`);
  writeFileSync(file, "");
}

/**
 * Resolves once no other suite runs on the environment: when the turn is open, or at
 * once when the suite runs on its own (`npm run test:e2e:disruptive`).
 */
export async function exclusiveTurn(): Promise<void> {
  const file = process.env[EXCLUSIVE_TURN_ENV];
  if (!file) return;
  while (!existsSync(file)) await sleep(1000);
}
