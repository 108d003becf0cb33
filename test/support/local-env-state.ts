/**
 * A state folder of its own for a test of tools/local-env: the environment's paths come
 * from TRAVEL_LOCAL_STATE when its modules load, so a test imports this module before any
 * of them.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const STATE = mkdtempSync(join(tmpdir(), "local-env-unit-"));
process.env.TRAVEL_LOCAL_STATE = STATE;
