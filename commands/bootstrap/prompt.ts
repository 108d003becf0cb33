/**
 * Hidden input on a terminal: the typed characters are never echoed (nothing but the
 * prompt is written, to stderr), and nothing is stored but the returned string.
 */
import { createInterface } from "node:readline";

/** Whether prompts can be shown: both stdin and stderr are terminals. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Reads one line from the terminal without echoing it. Ctrl-C aborts (exit 130). */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(`${question} `);
  return new Promise((resolve) => {
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          done();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          done();
          process.exit(130);
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** Reads one visible line from the terminal (for a file path, never a secret). */
export function promptLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) =>
    rl.question(`${question} `, (answer) => {
      rl.close();
      resolve(answer.trim());
    }),
  );
}

/** Asks twice until both answers agree and are not empty (for a new passphrase). */
export async function promptNew(question: string): Promise<string> {
  for (;;) {
    const first = await promptHidden(question);
    if (first === "") {
      process.stderr.write("  (empty: try again)\n");
      continue;
    }
    if ((await promptHidden("  again:")) === first) return first;
    process.stderr.write("  (they differ: try again)\n");
  }
}
