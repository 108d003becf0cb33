/**
 * The git SHA an image is tagged with: the HEAD of the build context's checkout (the
 * app's own repository, wherever it is), or CI's commit variable when the context is not
 * a checkout. When both exist and disagree, nothing is built: a CI variable naming
 * another repository's commit must not label this image. A context with
 * uncommitted changes is refused unless explicitly allowed, in which case
 * the tag says so (`<sha>-dirty-<hash of the changes>`).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { FORMAT } from "../names";

/** Environment variables through which CI systems name the commit being built. */
export const CI_SHA_VARIABLES = ["TRAVEL_SOURCE_SHA", "GITHUB_SHA", "CI_COMMIT_SHA"] as const;

export type GitRunner = (args: string[], cwd: string) => string;

const runGit: GitRunner = (args, cwd) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

export interface SourceRevisionOptions {
  readonly allowDirty: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly git?: GitRunner;
}

export function sourceRevision(context: string, opts: SourceRevisionOptions): string {
  const env = opts.env ?? process.env;
  const git = opts.git ?? runGit;
  let ci: { name: string; value: string } | undefined;
  for (const name of CI_SHA_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (!FORMAT.gitSha.test(value)) {
      throw new Error(`${name}="${value}" is not a full 40-character lowercase git SHA`);
    }
    ci = { name, value };
    break;
  }
  let head: string;
  try {
    head = git(["rev-parse", "HEAD"], context);
  } catch (err) {
    // Not a git checkout: only CI can say which commit this is.
    if (ci) return ci.value;
    throw new Error(
      `cannot tag the image built from "${context}": it is not inside a git checkout with a ` +
        `commit, and none of ${CI_SHA_VARIABLES.join(", ")} is set (${firstLine(err)})`,
    );
  }
  if (ci && ci.value !== head) {
    throw new Error(
      `${ci.name}=${ci.value} names another commit than the build context's checkout ` +
        `("${context}" is at ${head}): refusing to label its image with a commit it was not ` +
        `built from; check out ${ci.value} there, or unset ${ci.name}`,
    );
  }
  const changes = git(["status", "--porcelain", "--untracked-files=normal", "--", "."], context);
  if (changes === "") return head;
  if (!opts.allowDirty) {
    throw new Error(
      `the build context "${context}" has uncommitted changes at ${head}; commit them, ` +
        `or set images.allowDirty to true to tag the image "${head}-dirty-<hash>"`,
    );
  }
  const diff = git(["diff", "HEAD", "--", "."], context);
  const hash = createHash("sha256").update(changes).update(diff).digest("hex").slice(0, 12);
  return `${head}-dirty-${hash}`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] ?? text;
}
