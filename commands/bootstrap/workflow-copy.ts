/**
 * The copies of this program's workflows at an app repository's root, and how bootstrap
 * tells its own from a file someone else wrote. Each copy starts with one comment line
 * naming its source and the SHA-256 of the lines below it: a file with that line, whose
 * lines below still hash to it, is a copy bootstrap wrote and may replace. Any other file
 * of the same name (a workflow of the app's own, or a copy edited by hand) is never
 * overwritten: bootstrap refuses before it changes anything and says what to do.
 */
import { createHash } from "node:crypto";

/** What is at a copy's destination, compared with what bootstrap would write there. */
export type CopyState =
  /** No file: bootstrap writes its copy. */
  | "missing"
  /** Exactly what bootstrap would write: nothing to do. */
  | "same"
  /** An earlier copy of bootstrap's, unchanged since (or the source's text itself): replaced. */
  | "ours"
  /** Bootstrap's copy, changed by hand since it was written: refused. */
  | "edited"
  /** A file bootstrap did not write: refused. */
  | "foreign";

/** One workflow to install at the repository's root, paths relative to its top folder. */
export interface WorkflowCopy {
  readonly from: string;
  readonly to: string;
  readonly state: CopyState;
}

const MARKER =
  /^# Copied by npm run bootstrap from (\S+) \(sha256 ([0-9a-f]{64}) of the lines below\)/;

const sha256 = (text: string) =>
  createHash("sha256").update(text.replace(/\r\n/g, "\n")).digest("hex");

/** The text bootstrap writes at the destination: the marker line, then the source's text. */
export function copyText(source: string, from: string): string {
  return (
    `# Copied by npm run bootstrap from ${from} (sha256 ${sha256(source)} of the lines below): ` +
    `edit that file and run bootstrap again, not this copy.\n${source}`
  );
}

/** What `current` (undefined: no file) is, for the copy of `source` from `from`. */
export function copyState(current: string | undefined, source: string, from: string): CopyState {
  if (current === undefined) return "missing";
  if (current === copyText(source, from)) return "same";
  // A copy made before copies were marked is the source's text itself.
  if (current === source) return "ours";
  const newline = current.indexOf("\n");
  const marker = MARKER.exec(newline < 0 ? current : current.slice(0, newline));
  if (marker === null) return "foreign";
  return sha256(current.slice(newline + 1)) === marker[2] ? "ours" : "edited";
}

/** Whether bootstrap writes the copy (it is missing, or an earlier copy of its own). */
export const needsCopy = (c: WorkflowCopy) => c.state === "missing" || c.state === "ours";

/**
 * One line per destination bootstrap would overwrite but did not write (or that was
 * edited since), naming the file, what it is and what to do. Empty when none.
 */
export function workflowCopyProblems(copies: readonly WorkflowCopy[]): string[] {
  return copies.flatMap((c) => {
    const what = `${c.to}: expected no file or bootstrap's copy of ${c.from}, found`;
    if (c.state === "foreign") {
      return [
        `${what} a workflow bootstrap did not write (it would overwrite it): rename yours ` +
          `(for example to ${c.to.replace(/(\.ya?ml)$/, "-app$1")}), or delete it to take ` +
          `bootstrap's, and run bootstrap again`,
      ];
    }
    if (c.state === "edited") {
      return [
        `${what} that copy changed by hand since bootstrap wrote it (it would overwrite the ` +
          `change): make the change in ${c.from} and delete the copy (or rename the copy to ` +
          `keep it as a workflow of your own), and run bootstrap again`,
      ];
    }
    return [];
  });
}
