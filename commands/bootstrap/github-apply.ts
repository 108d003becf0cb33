/**
 * Applies the repository's GitHub settings before the first deploy: a preview of the
 * settings stack (names.ts SETTINGS_STACK) with the program itself, which on that stack
 * manages GitHub settings only (src/index.ts), then an update when it would change
 * something. This is how staging, prod and github get their required reviewers, and the
 * deployment branch its protection, before anything deploys. Then the environments'
 * secrets, through gh with the same token, each value on gh's standard input.
 */
import { spawnSync } from "node:child_process";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { CliResult } from "./pulumi-cli";

/** gh with `token` (never prompting); status 127 when it cannot be run. */
export function ghWithToken(env: NodeJS.ProcessEnv, token: string) {
  const childEnv = { ...env, GH_TOKEN: token, GH_PROMPT_DISABLED: "1", NO_COLOR: "1" };
  return (args: readonly string[], stdin: string): CliResult => {
    const r = spawnSync("gh", args, { env: childEnv, encoding: "utf8", input: stdin });
    if (r.error) return { status: 127, stdout: "", stderr: r.error.message };
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

export interface ApplyGitHubInput {
  readonly projectDir: string;
  /** The settings stack's fully qualified name. */
  readonly ref: string;
  /** For the CLI: backend, passphrase, GITHUB_TOKEN. */
  readonly env: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

/** Previews the settings stack and updates it when it would change something. */
export async function applyGitHub(input: ApplyGitHubInput): Promise<"unchanged" | "updated"> {
  const stack = await LocalWorkspace.selectStack(
    { stackName: input.ref, workDir: input.projectDir },
    { envVars: { ...input.env } },
  );
  const onOutput = (out: string) => {
    for (const line of out.split("\n")) if (line.trim() !== "") input.log(`    ${line}`);
  };
  const preview = await stack.preview({ onOutput });
  const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
  if (changes.length === 0) return "unchanged";
  await stack.up({ onOutput });
  return "updated";
}
