/**
 * The real `pulumi` CLI, run in the project folder with the backend and secrets
 * provider in its environment (never by `pulumi login`, which would change the user's
 * own credentials). Secret values go in on standard input only; output that may hold
 * one (`--show-secrets`) is parsed and never printed.
 */
import { spawnSync } from "node:child_process";

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PulumiCli {
  /** The project folder the CLI runs in. */
  readonly cwd: string;
  /** Runs `pulumi --non-interactive <args>`; `stdin` is written to its standard input. */
  run(args: readonly string[], opts?: { stdin?: string }): CliResult;
}

/** A CLI runner for `cwd` whose child processes see `env`. */
export function pulumiCli(cwd: string, env: NodeJS.ProcessEnv, bin = "pulumi"): PulumiCli {
  const childEnv = { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  return {
    cwd,
    run(args, opts = {}) {
      const r = spawnSync(bin, ["--non-interactive", ...args], {
        cwd,
        env: childEnv,
        encoding: "utf8",
        input: opts.stdin ?? "",
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.error) {
        const hint =
          (r.error as NodeJS.ErrnoException).code === "ENOENT"
            ? ": the Pulumi CLI is not on PATH (install it: https://www.pulumi.com/docs/install/, " +
              'or eval "$(toolchain/toolchain.sh pulumi)")'
            : "";
        throw new Error(`cannot run ${bin}${hint} (${r.error.message})`);
      }
      return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** The last non-empty line of a failed command's stderr (Pulumi's "error: …" line). */
export function errorLine(r: CliResult): string {
  const lines = r.stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.find((l) => l.startsWith("error:")) ?? lines.at(-1) ?? `exit ${r.status}`;
}

/** Runs and throws `what: <error line>` unless the command succeeded. */
export function runOk(
  cli: PulumiCli,
  args: readonly string[],
  what: string,
  opts?: { stdin?: string },
): CliResult {
  const r = cli.run(args, opts);
  if (r.status !== 0) throw new Error(`${what}: ${errorLine(r)}`);
  return r;
}
