/**
 * One passphrase per stack: `PULUMI_CONFIG_PASSPHRASE_<STACK>` (PULUMI_CONFIG_PASSPHRASE_DEV,
 * _STAGING, _PROD) wins for its stack, else the shared PULUMI_CONFIG_PASSPHRASE (or the
 * one asked for on the terminal). Each Pulumi call of bootstrap sees the passphrase of
 * the stack it names, so stacks created with their own passphrases stay apart: dev's
 * passphrase, the secret of the environments dev and dev-preview, opens nothing of
 * staging or prod (docs/delivery.md#secrets-per-environment).
 */
import { PASSPHRASE_VAR } from "../../src/config/passphrase";
import { pulumiCli, type PulumiCli } from "./pulumi-cli";

/** The variable that holds one stack's own passphrase. */
export const stackPassphraseVar = (stack: string) => `${PASSPHRASE_VAR}_${stack.toUpperCase()}`;

/** Each stack's passphrase from the environment: its own variable, else the shared one. */
export function stackPassphrases(
  stacks: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  shared: string | undefined,
): Record<string, string | undefined> {
  return Object.fromEntries(
    stacks.map((s) => {
      const own = env[stackPassphraseVar(s)];
      return [s, own !== undefined && own !== "" ? own : shared];
    }),
  );
}

/** The stacks that share a passphrase with another: each should have its own. */
export function sharedPassphrases(passphrases: Record<string, string | undefined>): string[] {
  const stacks = Object.keys(passphrases).filter((s) => passphrases[s] !== undefined);
  return stacks.filter((s) => stacks.some((o) => o !== s && passphrases[o] === passphrases[s]));
}

/** The short name of the stack a CLI call names (`--stack org/project/dev`, `stack init org/project/dev` → dev). */
export function stackOfArgs(args: readonly string[]): string | undefined {
  const i = args.findIndex((a) => a === "--stack" || a === "-s");
  const init = args[0] === "stack" && args[1] === "init" ? args[2] : undefined;
  const value =
    i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith("--stack="))?.slice(8) ?? init);
  return value?.split("/").at(-1);
}

/** The environment of a call about `stack`: its passphrase (none known: none set). */
export function passphraseEnv(
  passphrases: Record<string, string | undefined>,
  stack: string | undefined,
): Record<string, string> {
  const p = stack === undefined ? undefined : passphrases[stack];
  return p === undefined ? {} : { [PASSPHRASE_VAR]: p };
}

/** A CLI whose calls each see the passphrase of the stack they name. */
export function perStackCli(
  cwd: string,
  env: NodeJS.ProcessEnv,
  passphrases: Record<string, string | undefined>,
): PulumiCli {
  const base = { ...env };
  delete base[PASSPHRASE_VAR];
  return {
    cwd,
    run(args, opts) {
      return pulumiCli(cwd, { ...base, ...passphraseEnv(passphrases, stackOfArgs(args)) }).run(
        args,
        opts,
      );
    },
  };
}
