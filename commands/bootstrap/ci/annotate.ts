/**
 * What a workflow step hands back to GitHub Actions: annotations on stdout
 * (`::error::`, `::notice::`, escaped as the runner expects), and lines appended to the
 * files GitHub names in GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

/** A workflow command's message, escaped (%, CR and LF). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export interface Step {
  error(message: string): void;
  notice(message: string): void;
  info(line: string): void;
  /** Sets a variable for the job's later steps. */
  setEnv(name: string, value: string): void;
  /** Sets a step output. */
  setOutput(name: string, value: string): void;
  /** Appends markdown to the job summary. */
  summary(markdown: string): void;
  /** Writes a file in RUNNER_TEMP (for a later step). */
  writeTemp(name: string, text: string): void;
}

/** The step's channels to the runner, from the environment GitHub gives every step. */
export function stepIO(
  env: Env,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Step {
  const append = (file: string | undefined, text: string, what: string) => {
    if (file === undefined || file === "")
      throw new Error(`${what} is not set: not run by GitHub Actions?`);
    appendFileSync(file, text);
  };
  return {
    error: (m) => write(`::error::${escapeData(m)}\n`),
    notice: (m) => write(`::notice::${escapeData(m)}\n`),
    info: (l) => write(`${l}\n`),
    setEnv: (n, v) => append(env.GITHUB_ENV, `${n}=${v}\n`, "GITHUB_ENV"),
    setOutput: (n, v) => append(env.GITHUB_OUTPUT, `${n}=${v}\n`, "GITHUB_OUTPUT"),
    summary: (md) => append(env.GITHUB_STEP_SUMMARY, `${md}\n`, "GITHUB_STEP_SUMMARY"),
    writeTemp: (name, text) => {
      const dir = env.RUNNER_TEMP;
      if (dir === undefined || dir === "") throw new Error("RUNNER_TEMP is not set");
      writeFileSync(join(dir, name), text);
    },
  };
}
