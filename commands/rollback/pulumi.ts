/**
 * The `pulumi` CLI as the rollback runs it, always with argv arrays, never a shell
 * string. Lookups go through bootstrap's runner (output captured, the error line kept
 * for the message); the commands that change the stack are written out as a shell would
 * need them (for --dry-run and the log) and run with the terminal's output. A signal
 * that arrives while one runs waits for it to end (the child gets the terminal's
 * Ctrl-C itself), so that the stack file is still restored.
 */
import { spawn } from "node:child_process";
import { errorLine, pulumiCli } from "../bootstrap/pulumi-cli";

/** A failure of the rollback (exit 1), as one line. */
export class Failure extends Error {}

/** Where the rollback's output goes: the process's own streams, or (tests) functions. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** The changing commands' output: the terminal's streams, or out/err. */
  readonly childOutput: "inherit" | "io";
}

export interface Pulumi {
  /** Runs a lookup and returns its standard output; throws `${what} (error line)`. */
  read(args: readonly string[], what: string): string;
  /** Runs a command that changes the stack; resolves to its exit status. */
  run(args: readonly string[]): Promise<number>;
}

/** A word as a shell needs it written: as it is when plainly safe, else single-quoted. */
export const shellWord = (w: string) =>
  /^[A-Za-z0-9_./:@=+-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`;

export const commandLine = (args: readonly string[]) =>
  ["pulumi", ...args].map(shellWord).join(" ");

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function rollbackPulumi(cwd: string, env: NodeJS.ProcessEnv, io: Io): Pulumi {
  const cli = pulumiCli(cwd, env);
  return {
    read(args, what) {
      let r;
      try {
        r = cli.run(args);
      } catch (err) {
        throw new Failure((err as Error).message);
      }
      if (r.status !== 0) throw new Failure(`${what} (${errorLine(r)})`);
      return r.stdout;
    },
    run: (args) =>
      new Promise((done, fail) => {
        let signal: string | undefined;
        const note = (s: string) => (signal = s);
        for (const s of SIGNALS) process.on(s, note);
        const child = spawn("pulumi", args, {
          cwd,
          env,
          stdio: io.childOutput === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
        });
        child.stdout?.on("data", (d: Buffer) => io.out(d.toString()));
        child.stderr?.on("data", (d: Buffer) => io.err(d.toString()));
        const finish = (outcome: () => void) => {
          for (const s of SIGNALS) process.off(s, note);
          outcome();
        };
        child.on("error", (err) =>
          finish(() => fail(new Failure(`cannot run pulumi (${err.message})`))),
        );
        child.on("close", (status) =>
          finish(() =>
            signal === undefined ? done(status ?? 1) : fail(new Failure(`stopped by ${signal}`)),
          ),
        );
      }),
  };
}
