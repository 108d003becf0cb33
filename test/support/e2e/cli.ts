/**
 * The Pulumi CLI itself, run in an e2e project's folder with its workspace's environment
 * (state backend, passphrase, kubeconfig): for what the Automation API does differently
 * from a person or a workflow, e.g. `up` with its preview (the API's `up` skips it) or the
 * streaming JSON event stream of a preview.
 */
import { execFile } from "node:child_process";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import type { E2EProject } from "./project";

/** How a CLI run ended. */
export interface CliResult {
  /** Exit code (non-zero: the command failed). */
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs `pulumi <args> --stack <stack> --non-interactive --color never` in the project's
 * folder; `env` adds variables. Never throws on a non-zero exit: callers assert the code.
 */
export function pulumiCli(
  p: E2EProject,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const workspace = p.stack.workspace as LocalWorkspace;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      "pulumi",
      [...args, "--stack", p.stack.name, "--non-interactive", "--color", "never"],
      {
        cwd: p.dir,
        env: { ...process.env, ...workspace.envVars, ...env },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        timeout: 20 * 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : undefined) : 0;
        if (code === undefined) {
          reject(new Error(`pulumi ${args.join(" ")} did not run: ${String(err)}\n${stderr}`));
          return;
        }
        const seconds = (Date.now() - started) / 1000;
        p.output.push(...stdout.split("\n"), ...stderr.split("\n"));
        resolve({ code, stdout, stderr, seconds });
      },
    );
  });
}

/**
 * What a failed run said: the CLI's "Diagnostics:" section (where the errors are, above
 * the outputs) and its standard error; the last lines of its output when it printed none.
 */
export function diagnostics(run: CliResult): string {
  const start = run.stdout.indexOf("\nDiagnostics:\n");
  const end = run.stdout.search(/\n(Outputs|Resources):\n/);
  const section =
    start >= 0 ? run.stdout.slice(start, end > start ? end : undefined) : run.stdout.slice(-3000);
  return `pulumi exited ${run.code}:${section}\n${run.stderr}`;
}
