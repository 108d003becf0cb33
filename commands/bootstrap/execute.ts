/**
 * Runs a plan's actions in order, each announced by its line: files are edited here,
 * everything about stacks goes through the real Pulumi CLI (secrets on its standard
 * input), the GitHub settings through an update of the settings stack (github-apply.ts)
 * and the environments' secrets through gh (on its standard input too). The first failure
 * stops the run; running bootstrap again picks up from there.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Action, cliArgs, describeAction, ghSecretArgs } from "./actions";
import { applyGitHub } from "./github-apply";
import { type CliResult, errorLine, type PulumiCli, runOk } from "./pulumi-cli";
import type { SecretNeed } from "./secrets";
import { stripEncryption } from "./stack-file";
import { copyText } from "./workflow-copy";

export interface ExecuteContext {
  readonly cli: PulumiCli;
  readonly project: string;
  /** The repository's top folder (for workflow copies). */
  readonly top?: string;
  /** The value of a secret, from the environment or the answers given at the prompts. */
  readonly secretValue: (need: SecretNeed) => string;
  /** The environment of the settings stack's update (backend, its passphrase, GITHUB_TOKEN). */
  readonly githubEnv: (ref: string) => Readonly<Record<string, string>>;
  /** Runs gh with the token that may administer the repository; `stdin` is its input. */
  readonly gh: (args: readonly string[], stdin: string) => CliResult;
  readonly log: (line: string) => void;
}

async function perform(a: Action, ctx: ExecuteContext): Promise<string | undefined> {
  const what = `${"stack" in a ? `${a.stack}: ` : ""}${a.kind} failed`;
  switch (a.kind) {
    case "create-folder":
      mkdirSync(a.path, { recursive: true });
      return undefined;
    case "reset-stack-file":
      writeFileSync(a.file, stripEncryption(readFileSync(a.file, "utf8")));
      return undefined;
    case "set-secret":
      runOk(ctx.cli, cliArgs(a)!, what, { stdin: ctx.secretValue(a.need) });
      return undefined;
    case "apply-github":
      return applyGitHub({
        projectDir: ctx.cli.cwd,
        ref: a.ref,
        env: ctx.githubEnv(a.ref),
        log: ctx.log,
      });
    case "set-environment-secret": {
      const r = ctx.gh(ghSecretArgs(a), ctx.secretValue(a.need));
      if (r.status !== 0) throw new Error(`${what}: gh secret set: ${errorLine(r)}`);
      return undefined;
    }
    case "write-codeowners": {
      const top = ctx.top!;
      mkdirSync(dirname(join(top, a.to)), { recursive: true });
      writeFileSync(join(top, a.to), a.text);
      return undefined;
    }
    case "copy-workflow": {
      const top = ctx.top!;
      mkdirSync(dirname(join(top, a.to)), { recursive: true });
      writeFileSync(join(top, a.to), copyText(readFileSync(join(top, a.from), "utf8"), a.from));
      return undefined;
    }
    default:
      runOk(ctx.cli, cliArgs(a)!, what);
      return undefined;
  }
}

/** Runs every action; returns how many ran. */
export async function execute(actions: readonly Action[], ctx: ExecuteContext): Promise<number> {
  let n = 0;
  for (const a of actions) {
    ctx.log(`→ ${describeAction(a)}`);
    const result = await perform(a, ctx);
    if (result !== undefined) ctx.log(`  ${result}`);
    n++;
  }
  return n;
}
