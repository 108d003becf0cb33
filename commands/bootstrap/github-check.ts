/**
 * The `travel:github` each stack will hold once bootstrap has set its part (repository,
 * reviewers, approval gate, branch protection), checked with the program's own schema
 * before anything changes. A value the program refuses, such as a deployment branch
 * written as a ref (GitHub would take it and match no branch), stops the run at once,
 * in the program's words and with every other problem, instead of failing its last
 * step once the stacks exist.
 */
import { basename } from "node:path";
import { githubConfigSchema } from "../../src/config/github-schema";
import { describeZodIssue } from "../../src/config/messages";
import { STACKS, type StackName } from "./environments";
import { desiredConfig, type DesiredInput } from "./plan";
import { plainValue, type StackFile } from "./stack-file";

type Plain = Record<string, unknown>;

/** Sets a dotted path in a plain object, copying the objects on the way (not the file's). */
function setPath(root: Plain, path: string, value: unknown): void {
  const parts = path.split(".");
  let at = root;
  for (const p of parts.slice(0, -1)) {
    const next = at[p];
    const copy: Plain = next !== null && typeof next === "object" ? { ...(next as Plain) } : {};
    at[p] = copy;
    at = copy;
  }
  at[parts.at(-1)!] = value;
}

/** The `github` a stack will hold after bootstrap: its file's, with bootstrap's values set. */
export function githubAfterBootstrap(
  stack: StackName,
  file: StackFile,
  input: DesiredInput,
): Plain {
  const current = plainValue(file, "github");
  const github: Plain = { ...(current !== null && typeof current === "object" ? current : {}) };
  for (const [path, value] of desiredConfig(stack, file, input)) {
    if (path.startsWith("github.")) setPath(github, path.slice("github.".length), value);
  }
  return github;
}

/**
 * One line per problem of the stacks' `github` after bootstrap, each naming its stack
 * file: `<file>: <project>:github.<key> = <value>: expected <what>`.
 */
export function githubSettingsProblems(
  files: Readonly<Record<StackName, StackFile>>,
  input: DesiredInput,
): string[] {
  if (input.github === undefined) return [];
  return STACKS.flatMap((stack) => {
    const github = githubAfterBootstrap(stack, files[stack], input);
    const result = githubConfigSchema.safeParse(github, { reportInput: true });
    if (result.success) return [];
    return result.error.issues
      .flatMap((i) =>
        describeZodIssue({ ...i, path: ["github", ...i.path] }, input.project, { github }),
      )
      .map((line) => `${basename(files[stack].path)}: ${line}`);
  });
}
