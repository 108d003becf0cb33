/**
 * The `pulumi` CLI as the rollback runs it, always with argv arrays, never a shell
 * string. Lookups go through bootstrap's runner (output captured, the error line kept
 * for the message); the commands that change the stack are written out as a shell would
 * need them (for --dry-run and the log) and run with the terminal's output, while the
 * signals that would end this process are held (holdSignals), so that the stack file is
 * still restored.
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
  /** The same, its output also kept (its last 64 KiB, standard output and error interleaved). */
  runKept(args: readonly string[]): Promise<{ status: number; output: string }>;
}

/** Runs a command's `main(argv, env, io)` on this process's arguments and streams. */
export function runMain(
  main: (argv: readonly string[], env: NodeJS.ProcessEnv, io: Io) => Promise<number>,
): void {
  const io: Io = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    childOutput: "inherit",
  };
  void main(process.argv.slice(2), process.env, io).then((status) => {
    process.exitCode = status;
  });
}

/** A word as a shell needs it written: as it is when plainly safe, else single-quoted. */
export const shellWord = (w: string) =>
  /^[A-Za-z0-9_./:@=+-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`;

export const commandLine = (args: readonly string[]) =>
  ["pulumi", ...args].map(shellWord).join(" ");

/** What a command is called: its words before the first option ("pulumi config set"). */
export const commandName = (args: readonly string[]) =>
  commandLine(
    args.slice(
      0,
      args.findIndex((w) => w.startsWith("-")),
    ),
  );

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Holds off the signals that would end this process until `release()`: the commands
 * that change the stack get the terminal's Ctrl-C themselves, and this process must
 * live on to restore the stack file. `received()` names the first one held.
 */
export function holdSignals(): { received(): string | undefined; release(): void } {
  let first: string | undefined;
  const note = (s: string) => (first ??= s);
  for (const s of SIGNALS) process.on(s, note);
  return {
    received: () => first,
    release: () => SIGNALS.forEach((s) => process.off(s, note)),
  };
}

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
      start(args, io.childOutput === "inherit" ? "inherit" : "pipe").then((r) => r.status),
    runKept: (args) => start(args, "pipe"),
  };

  /** Spawns pulumi; with "pipe", what it prints goes on to io (or this process's streams). */
  function start(args: readonly string[], stdio: "inherit" | "pipe") {
    return new Promise<{ status: number; output: string }>((done, fail) => {
      let output = "";
      const child = spawn("pulumi", args, {
        cwd,
        env,
        stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
      });
      const forward = (to: (text: string) => void) => (d: Buffer) => {
        const text = d.toString();
        output = (output + text).slice(-65536);
        to(text);
      };
      const inherit = io.childOutput === "inherit";
      child.stdout?.on("data", forward(inherit ? (t) => process.stdout.write(t) : io.out));
      child.stderr?.on("data", forward(inherit ? (t) => process.stderr.write(t) : io.err));
      child.on("error", (err) => fail(new Failure(`cannot run pulumi (${err.message})`)));
      child.on("close", (status) => done({ status: status ?? 1, output }));
    });
  }
}
