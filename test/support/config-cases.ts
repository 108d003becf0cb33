/**
 * Refusal tables for the stack config (test/unit/config/): each case changes a valid
 * config and lists the exact problem lines it must produce, both from parsing and from
 * the program's entry steps, which must then register nothing.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { recorded, resetRecorded, settle } from "./mocks";
import { ConfigError, loadConfig, parseStackConfig } from "../../src/config/load";
import { resolveImageSources } from "../../src/images/resolve";
import { composeStack } from "../../src/stack";
import { fakeLookup } from "./image-lookup";
import { fakeRollouts } from "./rollouts";
import { fakeChecks } from "./checks";
import { asEngineConfig, validRaw } from "./fixtures";

/** A raw config as validRaw() returns it: keys without the "travel:" prefix. */
export type Raw = ReturnType<typeof validRaw>;

/** [description, change to a valid config, exact problem lines] */
export type BadConfig = [string, (r: Raw) => void, string[]];

function problemsOf(raw: Raw): string[] {
  try {
    parseStackConfig(raw, { namespace: "travel", environment: "dev" });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("the config was accepted");
}

/** Runs the program's entry steps (load config, compose) against engine-shaped config. */
export async function runProgram(raw: Raw, secretKeys?: string[]): Promise<unknown> {
  const engine = asEngineConfig(raw);
  pulumi.runtime.setAllConfig(engine.config, secretKeys ?? engine.secretKeys);
  resetRecorded();
  try {
    const cfg = loadConfig();
    composeStack(cfg, await resolveImageSources(cfg, fakeLookup), {
      awaitRollout: fakeRollouts.await,
      runChecks: fakeChecks.run,
    });
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await settle();
  }
}

/** One test a case, named "refuses: <description>". */
export function itRefuses(cases: readonly BadConfig[]): void {
  for (const [name, mutate, expected] of cases) {
    it(`refuses: ${name}`, async () => {
      const raw = validRaw();
      mutate(raw);
      assert.deepEqual(problemsOf(raw), expected);
      const err = await runProgram(raw);
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, expected);
      assert.equal(recorded.length, 0, "no resource may be registered for an invalid config");
    });
  }
}
