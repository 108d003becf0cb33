/**
 * The command lines that docs and code write, as words, for the tests that check how
 * they pass secrets and whether they name the repository: the code of markdown (fenced
 * shell blocks and inline spans), every line of a workflow or action, and in TypeScript
 * every string (a template's `${…}` as one word) and every array of words a command is
 * built from. A command's words run from its program to the first shell operator (a
 * pipe, a redirection, `;`, `&`, `)`, a comment); `<name>` placeholders stay words.
 */
import ts from "typescript";
import { SECRET_KEYS } from "../../src/config/schema";

/** One command as written: where it is, and its words. */
export interface Command {
  /** `file:line`. */
  readonly where: string;
  readonly words: readonly string[];
}

/** The programs whose command lines are read out of text. */
const PROGRAMS = /(?<=^|[\s`'"(:;|&$])(?:pulumi|gh) /g;
/** What stands for a value a command line is built with (a template's `${…}`, a variable). */
export const EXPR = "<expr>";

/** The words of shell text up to its first operator. Quotes stay part of their word. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      word += c;
      if (c === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    const placeholder = c === "<" ? /^<[^<>\s]+>/.exec(text.slice(i))?.[0] : undefined;
    if (placeholder !== undefined) {
      word = (word ?? "") + placeholder;
      i += placeholder.length - 1;
      continue;
    }
    if ("|;&<>)".includes(c) || (c === "#" && word === undefined)) break;
    if (c === "\\" && /^\\\s*$/.test(text.slice(i))) break;
    if (c === "'" || c === '"') quote = c;
    word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Every `pulumi …` and `gh …` command in a piece of text, `line` being its first line. */
function commandsIn(text: string, file: string, line: number): Command[] {
  return text.split("\n").flatMap((l, i) =>
    [...l.matchAll(PROGRAMS)].map((m) => ({
      where: `${file}:${line + i}`,
      words: shellWords(l.slice(m.index)),
    })),
  );
}

const lineAt = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** The commands in the code of a markdown page: fenced blocks (indented too) and inline spans. */
function markdownCommands(file: string, text: string): Command[] {
  const fenced = /^[ \t]*```\w*\n([\s\S]*?)^[ \t]*```/gm;
  const blocks = [...text.matchAll(fenced)].flatMap((m) =>
    commandsIn(m[1]!, file, lineAt(text, m.index) + 1),
  );
  const prose = text.replace(fenced, (b) => b.replace(/[^\n]/g, " "));
  const spans = [...prose.matchAll(/`([^`]+)`/g)].flatMap((m) =>
    commandsIn(m[1]!.replace(/\n/g, " "), file, lineAt(prose, m.index)),
  );
  return [...blocks, ...spans];
}

/** The commands in TypeScript: its strings and templates, and its arrays of words. */
function typescriptCommands(file: string, text: string): Command[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Command[] = [];
  const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const words = (n: ts.Expression): string =>
    ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)
      ? n.text
      : ts.isTemplateExpression(n)
        ? n.head.text + n.templateSpans.map((s) => `${EXPR}${s.literal.text}`).join("")
        : EXPR;
  const visit = (n: ts.Node): void => {
    if (
      ts.isStringLiteral(n) ||
      ts.isNoSubstitutionTemplateLiteral(n) ||
      ts.isTemplateExpression(n)
    ) {
      out.push(...commandsIn(words(n), file, line(n)));
    } else if (ts.isArrayLiteralExpression(n) && n.elements.some((e) => ts.isStringLiteral(e))) {
      // An array of words (not of lines or sentences) is a command built for spawn.
      const all = n.elements.map(words);
      if (all.every((w) => !/\s/.test(w))) out.push({ where: `${file}:${line(n)}`, words: all });
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

/** The commands of a file, read by its kind (markdown, TypeScript, anything else as shell). */
export function commandsOf(file: string, text: string): Command[] {
  if (file.endsWith(".md")) return markdownCommands(file, text);
  if (file.endsWith(".ts")) return typescriptCommands(file, text);
  return commandsIn(text, file, 1);
}

/** Options of `pulumi config set` and `gh secret set` that take the next word as their value. */
const TAKES_VALUE = new Set([
  ...["-s", "--stack", "-C", "--cwd", "--config-file", "--type"],
  ...["-R", "--repo", "-e", "--env", "-o", "--org", "-v", "--visibility", "-r", "--repos"],
  ...["-a", "--app", "-f", "--env-file", "-b", "--body"],
]);

/** The words after `program sub verb` (the program may be implied, as in `cli.run([…])`). */
function argsOf(words: readonly string[], program: string, sub: string): string[] | undefined {
  const at = words.findIndex((w, i) => w === sub && words[i + 1] === "set");
  const before = words.slice(0, Math.max(at, 0));
  const ok = at >= 0 && before.every((w, i) => (i === 0 && w === program) || w.startsWith("-"));
  return ok ? words.slice(at + 2) : undefined;
}

/** The options and the positional words of a command's arguments. */
function parseArgs(args: readonly string[]): { flags: string[]; positional: string[] } {
  const flags: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") positional.push(a);
    else {
      // --name=value, or a short option with its value glued on (-bVALUE).
      const name = a.startsWith("--") ? a.split("=")[0]! : a.slice(0, 2);
      flags.push(name);
      if (name === a && TAKES_VALUE.has(a)) i++;
    }
  }
  return { flags, positional };
}

/**
 * Why a command puts a secret value on its command line, or undefined: `pulumi config set`
 * of a secret (`--secret`, or a key of the schema's secrets) with a value after the key,
 * or `gh secret set` with `--body` or a value after the name.
 */
export function secretOnCommandLine(words: readonly string[]): string | undefined {
  const config = argsOf(words, "pulumi", "config");
  if (config !== undefined) {
    const { flags, positional } = parseArgs(config);
    const parts = (positional[0] ?? "").replace(/['"]/g, "").split(/[.[:]/);
    const secret =
      flags.includes("--secret") ||
      parts.some((p) => (SECRET_KEYS as readonly string[]).includes(p));
    if (secret && positional.length > 1) return "a secret's value after its key";
  }
  const gh = argsOf(words, "gh", "secret");
  if (gh !== undefined) {
    const { flags, positional } = parseArgs(gh);
    if (flags.includes("--body") || flags.includes("-b")) return "a secret's value in --body";
    if (positional.length > 1) return "a secret's value after its name";
  }
  return undefined;
}

/**
 * Whether a `gh` command names the repository it acts on (gh otherwise guesses it from
 * the checkout, and after `gh repo fork` it guesses the upstream): `--repo`/`-R`, the
 * `OWNER/NAME` argument of a `gh repo` command, or the `repos/OWNER/NAME/…` path of a
 * `gh api` call (not gh's `{owner}/{repo}`, which is the guess again). A `gh auth`
 * command acts on no repository and needs none.
 */
export function namesRepository(words: readonly string[]): boolean {
  const args = words.slice(1);
  if (args.some((w) => /^(?:--repo(?:=\S+)?|-R\S*)$/.test(w))) return true;
  const { positional } = parseArgs(args);
  if (positional[0] === "auth") return true;
  if (positional[0] === "api") {
    return positional.slice(1).some((w) => /^\/?repos\/[^/\s{}]+\/[^/\s{}]+(?:\/|$)/.test(w));
  }
  return positional[0] === "repo" && positional.slice(2).some((w) => /^[^/\s]+\/[^/\s]+$/.test(w));
}
