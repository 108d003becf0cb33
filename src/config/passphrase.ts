/**
 * The template's passphrase, refused for a real stack. The committed dev, staging and
 * prod stack files are encrypted with {@link PLACEHOLDER_PASSPHRASE}, which README
 * publishes: a stack that still runs with it keeps secrets anyone can decrypt. The CLI
 * hands its environment to the program, so the program (and bootstrap, and the
 * workflows' stack step) read the passphrase exactly as the CLI does and refuse it in
 * one problem line. Only the placeholder is ever printed, never a passphrase of one's own.
 */
import { readFileSync } from "node:fs";
import { LOCAL_STACK, PLACEHOLDER_PASSPHRASE } from "../names";

/** The variable the passphrase secrets provider reads. */
export const PASSPHRASE_VAR = "PULUMI_CONFIG_PASSPHRASE";
/** The variable naming a file that holds the passphrase (when {@link PASSPHRASE_VAR} is unset). */
export const PASSPHRASE_FILE_VAR = "PULUMI_CONFIG_PASSPHRASE_FILE";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The passphrase the Pulumi CLI would use, read as it reads it: the variable when it is
 * set (even empty), else the file's content with surrounding space trimmed. Undefined
 * when neither is set or the file cannot be read (the CLI then fails on its own).
 */
export function passphraseOf(
  env: Env,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): { readonly from: string; readonly value: string } | undefined {
  const direct = env[PASSPHRASE_VAR];
  if (direct !== undefined) return { from: PASSPHRASE_VAR, value: direct };
  const file = env[PASSPHRASE_FILE_VAR];
  if (file === undefined || file === "") return undefined;
  try {
    return { from: file, value: readFile(file).trim() };
  } catch {
    return undefined;
  }
}

/**
 * The problem line when `stacks` (other than the local stack) would be encrypted with
 * the template's placeholder passphrase, else undefined.
 */
export function placeholderPassphraseProblem(
  stacks: readonly string[],
  env: Env,
  readFile?: (path: string) => string,
): string | undefined {
  const real = stacks.filter((s) => s !== LOCAL_STACK);
  const passphrase = passphraseOf(env, readFile);
  if (real.length === 0 || passphrase?.value !== PLACEHOLDER_PASSPHRASE) return undefined;
  const key =
    passphrase.from === PASSPHRASE_VAR
      ? `${PASSPHRASE_VAR} = "${PLACEHOLDER_PASSPHRASE}"`
      : `${PASSPHRASE_FILE_VAR} = "${passphrase.from}" (it holds "${PLACEHOLDER_PASSPHRASE}")`;
  const which = `${real.length === 1 ? "the stack" : "the stacks"} ${real.join(", ")}`;
  return (
    `${key}: expected a passphrase of your own for ${which}: this one is the template's, ` +
    `published in README, so anyone could decrypt what it encrypts (a new stack: npm run ` +
    `bootstrap with your own, docs/delivery.md; an existing one: pulumi stack ` +
    `change-secrets-provider, then set its secrets again)`
  );
}
