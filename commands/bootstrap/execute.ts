/**
 * Runs a plan's actions in order, each announced by its line: files are edited here,
 * everything about stacks goes through the real Pulumi CLI (secrets on its standard
 * input), and the GitHub settings through a GitHub-only update (github-apply.ts). The
 * first failure stops the run; running bootstrap again picks up from there.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Action, cliArgs, describeAction } from "./actions";
import { applyGitHub } from "./github-apply";
import { type PulumiCli, runOk } from "./pulumi-cli";
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
  /** The environment of a stack's GitHub-only update (backend, its passphrase, GITHUB_TOKEN). */
  readonly githubEnv: (ref: string) => Readonly<Record<string, string>>;
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
        project: ctx.project,
        ref: a.ref,
        target: a.target,
        env: ctx.githubEnv(a.ref),
        log: ctx.log,
      });
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
