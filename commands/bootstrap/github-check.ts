/**
 * The `travel:github` the settings stack will hold once bootstrap has set its part
 * (repository, reviewers of the gated environments), checked with the program's own
 * rules before anything changes; and the app stacks' files, which must not keep GitHub
 * settings of their own that bootstrap would not remove (those it removes are planned).
 * A value the program refuses, such as a deployment branch written as a ref (GitHub would
 * take it and match no branch), stops the run at once, in the program's words and with
 * every other problem, instead of failing its last step once the stacks exist.
 */
import { basename } from "node:path";
import { parseSettingsConfig } from "../../src/config/settings";
import { SETTINGS_STACK } from "./environments";
import { desiredSettings, type DesiredInput } from "./plan";
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

/** The settings stack's config after bootstrap: its file's, with bootstrap's values set. */
export function settingsAfterBootstrap(
  file: StackFile,
  github: NonNullable<DesiredInput["github"]>,
): Plain {
  const config: Plain = { ...file.config };
  const current = plainValue(file, "github");
  config.github = { ...(current !== null && typeof current === "object" ? current : {}) };
  for (const [path, value] of desiredSettings(github)) setPath(config, path, value);
  return config;
}

/**
 * One line per problem of the settings stack's config after bootstrap, naming its file:
 * `<file>: <project>:github.<key> = <value>: expected <what>`.
 */
export function githubSettingsProblems(settings: StackFile, input: DesiredInput): string[] {
  if (input.github === undefined) return [];
  const { problems } = parseSettingsConfig(settingsAfterBootstrap(settings, input.github), {
    namespace: input.project,
    environment: SETTINGS_STACK,
  });
  return problems.map((line) => `${basename(settings.path)}: ${line}`);
}
