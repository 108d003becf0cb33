/**
 * What a recorded preview event stream may keep: the engine's events minus its debug
 * chatter, with this machine's folders replaced by placeholders, and never a secret.
 */

/** A folder of the recording machine and the placeholder that replaces it. */
export type PathPlaceholder = readonly [path: string, placeholder: string];

/** Absolute paths of the kinds a recording machine has (temp, home, work folders). */
export const MACHINE_PATH =
  /(?:^|[^\w.<>-])(\/(?:tmp|root|home|work|var\/folders|Users)\/[^\s"\\]*)/;

/**
 * Normalises a newline-delimited engine event stream: drops `debug` diagnostics (they
 * log the host's paths and module versions), replaces each given folder (longest first)
 * by its placeholder, and returns one event per line. Throws naming the line when a line
 * is not JSON, and naming the leak (never the value) when a secret or a machine path is
 * left.
 */
export function normaliseEvents(
  text: string,
  opts: { paths: readonly PathPlaceholder[]; secrets: readonly string[] },
): string {
  const paths = [...opts.paths].sort((a, b) => b[0].length - a[0].length);
  const out: string[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let event: { diagnosticEvent?: { severity?: string } };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      throw new Error(`event stream line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
    if (event.diagnosticEvent?.severity === "debug") continue;
    let kept = line;
    for (const [path, placeholder] of paths) kept = kept.split(path).join(placeholder);
    out.push(kept);
  }
  const result = out.length > 0 ? `${out.join("\n")}\n` : "";
  assertClean(result, opts.secrets);
  return result;
}

/** Throws when `text` holds one of `secrets` (by index, not value) or a machine path. */
export function assertClean(text: string, secrets: readonly string[]): void {
  secrets.forEach((secret, i) => {
    if (secret !== "" && text.includes(secret)) {
      throw new Error(`recorded events hold secret #${i + 1} of the recording (value not shown)`);
    }
  });
  const path = MACHINE_PATH.exec(text)?.[1];
  if (path !== undefined) {
    throw new Error(`recorded events hold a path of this machine: ${path} (add a placeholder)`);
  }
}
