/**
 * The template's placeholder passphrase: read as the CLI reads it (the variable, else
 * the file), refused for every real stack with one line that names it, before anything
 * is registered, while the local stack and the e2e and bench projects keep their own.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../../src/config/load";
import {
  passphraseOf,
  placeholderPassphraseProblem,
  PASSPHRASE_VAR,
} from "../../../src/config/passphrase";
import { LOCAL_STACK, PLACEHOLDER_PASSPHRASE } from "../../../src/names";
import { runProgram } from "../../support/config-cases";
import { validRaw } from "../../support/fixtures";
import { recorded } from "../../support/mocks";
import { PASSPHRASE as E2E_PASSPHRASE } from "../../support/e2e/project";

const ROOT = join(__dirname, "..", "..", "..");
const OWN = "my own passphrase, never printed";
const files: Record<string, string> = {
  "/run/placeholder": `${PLACEHOLDER_PASSPHRASE}\n`,
  "/run/own": `${OWN}\n`,
};
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};
const EXPECTED_END =
  ": this one is the template's, published in README, so anyone could decrypt what it " +
  "encrypts (a new stack: npm run bootstrap with your own, docs/delivery.md; an existing " +
  "one: pulumi stack change-secrets-provider, then set its secrets again)";

describe("the placeholder passphrase", () => {
  it("is read as the CLI reads it: the variable (even empty) wins over the file, trimmed", () => {
    assert.deepEqual(passphraseOf({ [PASSPHRASE_VAR]: "" }, readFile), {
      from: PASSPHRASE_VAR,
      value: "",
    });
    assert.deepEqual(passphraseOf({ PULUMI_CONFIG_PASSPHRASE_FILE: "/run/own" }, readFile), {
      from: "/run/own",
      value: OWN,
    });
    assert.equal(
      passphraseOf({ PULUMI_CONFIG_PASSPHRASE_FILE: "/run/absent" }, readFile),
      undefined,
    );
    assert.equal(passphraseOf({}, readFile), undefined);
  });

  it("is refused for a real stack, naming the variable or the file", () => {
    assert.equal(
      placeholderPassphraseProblem(["dev"], { [PASSPHRASE_VAR]: PLACEHOLDER_PASSPHRASE }),
      `PULUMI_CONFIG_PASSPHRASE = "change-me-placeholder": expected a passphrase of your own for the stack dev${EXPECTED_END}`,
    );
    assert.equal(
      placeholderPassphraseProblem(
        ["dev", "staging", "prod"],
        { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/placeholder" },
        readFile,
      ),
      `PULUMI_CONFIG_PASSPHRASE_FILE = "/run/placeholder" (it holds "change-me-placeholder"): ` +
        `expected a passphrase of your own for the stacks dev, staging, prod${EXPECTED_END}`,
    );
  });

  it("is left to the local stack, and passphrases of one's own pass (never printed)", () => {
    const placeholder = { [PASSPHRASE_VAR]: PLACEHOLDER_PASSPHRASE };
    assert.equal(placeholderPassphraseProblem([LOCAL_STACK], placeholder), undefined);
    for (const env of [
      { [PASSPHRASE_VAR]: OWN },
      { [PASSPHRASE_VAR]: `${PLACEHOLDER_PASSPHRASE} ` },
      { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/own" },
      {},
    ]) {
      assert.equal(placeholderPassphraseProblem(["prod"], env, readFile), undefined);
    }
  });

  it("is not what the local stack, the e2e projects or the benchmarks run with", () => {
    const script = readFileSync(join(ROOT, "tools", "local-stack.sh"), "utf8");
    const local = /PULUMI_CONFIG_PASSPHRASE:-([^}"]+)\}/.exec(script)?.[1];
    assert.equal(local, "travel-local");
    assert.equal(script.match(/pulumi stack (?:select|init) (\S+)/)?.[1], LOCAL_STACK);
    assert.notEqual(E2E_PASSPHRASE, PLACEHOLDER_PASSPHRASE);
  });

  it("stops the program before it registers anything", async () => {
    const before = process.env[PASSPHRASE_VAR];
    process.env[PASSPHRASE_VAR] = PLACEHOLDER_PASSPHRASE;
    try {
      const err = await runProgram(validRaw());
      assert.ok(err instanceof ConfigError, String(err));
      assert.deepEqual(err.problems, [
        `PULUMI_CONFIG_PASSPHRASE = "change-me-placeholder": expected a passphrase of your own for the stack dev${EXPECTED_END}`,
      ]);
      assert.equal(recorded.length, 0);
    } finally {
      if (before === undefined) delete process.env[PASSPHRASE_VAR];
      else process.env[PASSPHRASE_VAR] = before;
    }
  });
});
