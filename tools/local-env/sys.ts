/**
 * Running commands for the environment's setup steps: output goes to the step's log,
 * and a failure names the command and the log.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export interface RunOptions {
  /** Log file the command's output is appended to. */
  readonly log: string;
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Return the result instead of throwing when it fails. */
  readonly allowFail?: boolean;
  readonly timeoutMs?: number;
}

export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly log?: string,
  ) {
    super(message);
  }
}

/** The last lines of a log file, indented, for a failure message. */
export function tail(log: string, lines = 25): string {
  if (!existsSync(log)) return "";
  return readFileSync(log, "utf8")
    .trimEnd()
    .split("\n")
    .slice(-lines)
    .map((l) => `  | ${l}`)
    .join("\n");
}

export function run(
  argv: readonly string[],
  opts: RunOptions,
): { ok: boolean; stdout: string; stderr: string } {
  mkdirSync(dirname(opts.log), { recursive: true });
  appendFileSync(opts.log, `$ ${argv.join(" ")}\n`);
  const res = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    timeout: opts.timeoutMs ?? 600_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  const stdout = res.stdout ?? "";
  const stderr = res.stderr ?? "";
  appendFileSync(opts.log, stderr);
  const ok = !res.error && res.status === 0;
  if (!ok && !opts.allowFail) {
    const why = res.error ? res.error.message : `exit ${res.status}`;
    throw new StepError(
      argv[0]!,
      `\`${argv.slice(0, 4).join(" ")}\` failed (${why}): ${stderr.trim().split("\n").slice(-3).join(" / ")}`,
      opts.log,
    );
  }
  return { ok, stdout, stderr };
}

/** The whole output of a command that must succeed. */
export function output(argv: readonly string[], opts: RunOptions): string {
  return run(argv, opts).stdout;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
