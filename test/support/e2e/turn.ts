/**
 * The disruptive suites' turn: tools/e2e/main.ts starts them beside the other suites and
 * opens their turn once those have ended, so a suite sets its stack up alongside them
 * and stops parts of the environment only when nothing else runs on it.
 */
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "./http";
import { kubectl } from "./local-env";

/** The file whose existence opens the turn; unset when a suite runs on its own. */
export const EXCLUSIVE_TURN_ENV = "TRAVEL_E2E_EXCLUSIVE_TURN";

/** Opens the turn (tools/e2e/main.ts, once the other suites have ended). */
export function openExclusiveTurn(): void {
  const file = process.env[EXCLUSIVE_TURN_ENV];
  if (!file) throw new Error(`${EXCLUSIVE_TURN_ENV} is not set: there is no turn to open`);
  writeFileSync(file, "");
}

/** Namespaces being deleted, as `kubectl get namespaces` lists them. */
function terminatingNamespaces(): string[] {
  const list = kubectl("get", "namespaces") as {
    items: { metadata: { name: string }; status?: { phase?: string } }[];
  };
  return list.items.filter((n) => n.status?.phase === "Terminating").map((n) => n.metadata.name);
}

/**
 * Resolves once no other suite runs on the environment (the turn is open, or the suite
 * runs on its own: `npm run test:e2e:disruptive`) and nothing they left is still being
 * deleted: the suites that ended delete their namespaces without waiting.
 */
export async function exclusiveTurn(): Promise<void> {
  const file = process.env[EXCLUSIVE_TURN_ENV];
  if (file) while (!existsSync(file)) await sleep(1000);
  await eventually("no namespace is being deleted", 300, () => {
    return terminatingNamespaces().length === 0;
  });
}
