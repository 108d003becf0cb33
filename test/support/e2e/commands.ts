/**
 * This program's own commands (`npm run deploy`, `npm run rollback`) run against an e2e
 * project's stack as a user or a workflow runs them: from this checkout, with the
 * project's folder as TRAVEL_PROJECT_DIR and its workspace's environment (state backend,
 * passphrase, kubeconfig).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import type { E2EProject } from "./project";

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** How long it ran. */
  readonly seconds: number;
}

/** `npm run --silent <script> -- ...args`; never throws on a non-zero exit. */
export function npmCommand(
  p: E2EProject,
  script: "deploy" | "rollback",
  args: readonly string[],
): Promise<CommandResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  return promisify(execFile)("npm", ["run", "--silent", script, "--", ...args], {
    cwd: join(__dirname, "..", "..", ".."),
    env: { ...process.env, ...p.stack.workspace.envVars, TRAVEL_PROJECT_DIR: p.dir },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr, seconds: seconds() }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      status: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
      seconds: seconds(),
    }),
  );
}
