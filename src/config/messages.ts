/**
 * One line per config problem, in the project's words: the full key, the value
 * (`[secret]` for secrets, `[not shown]` where it could be a pasted secret) and what
 * was expected. Validator jargon ("expected record", "Invalid input") never shows.
 */
import type { z } from "zod";
import { HIDDEN } from "./fields";
import type { Issue } from "./rules";
import { SECRET_KEYS, stackConfigSchema } from "./schema";

/** zod's type names, in the words of the messages. */
const TYPE_WORDS: Record<string, string> = {
  object: "an object",
  record: "an object",
  map: "an object",
  array: "a list",
  tuple: "a list",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (/^\d+$/.test(String(p)) ? `[${p}]` : `${i ? "." : ""}${p}`)).join("");
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** "<key> = <value>: expected <what>", or "<key> is missing: expected <what>". */
function line(
  ns: string,
  path: readonly (string | number)[],
  expected: string,
  input: unknown,
): string {
  const key = `${ns}:${formatPath(path)}`;
  if (input === undefined) return `${key} is missing: expected ${expected}`;
  const secret = (SECRET_KEYS as readonly string[]).includes(String(path[0] ?? ""));
  const shown = secret ? "[secret]" : input === HIDDEN ? "[not shown]" : show(input);
  return `${key} = ${shown}: expected ${expected}`;
}

export function describeRuleIssue(issue: Issue, ns: string): string {
  return line(ns, issue.path, issue.message, issue.input);
}

/**
 * The lines of one schema issue; `raw` is the input, for the keys of a chosen mode, and
 * `root` the schema the issue's path starts from (the app stack's unless given).
 */
export function describeZodIssue(
  issue: z.core.$ZodIssue,
  ns: string,
  raw: unknown,
  root: z.core.$ZodType = stackConfigSchema,
): string[] {
  const path = issue.path.map(String);
  const key = `${ns}:${formatPath(path)}`;
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(root, path, raw).join(", ");
    const parent = path.length ? `${key}.` : `${ns}:`;
    return issue.keys.map((k) => `${parent}${k} is not a known key: expected one of ${known}`);
  }
  if (issue.code === "invalid_key") {
    return [`${key} is not a valid name: expected ${issue.issues[0]?.message ?? "a valid key"}`];
  }
  const jargon = /^Invalid (input|option)/.test(issue.message);
  const expected = !jargon
    ? issue.message
    : issue.code === "invalid_type"
      ? (TYPE_WORDS[issue.expected] ?? "a valid value")
      : "a valid value";
  // A union's discriminator issue carries the whole object: show the discriminator's value.
  const input =
    issue.code === "invalid_union" && isRecord(issue.input)
      ? issue.input[path.at(-1) ?? ""]
      : issue.input;
  return [line(ns, path, expected, input)];
}

type Shaped = {
  shape?: Record<string, z.core.$ZodType>;
  options?: z.core.$ZodType[];
  /** A record's values (every key of a record has the same schema). */
  valueType?: z.core.$ZodType;
};

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema as unknown as {
    _zod: {
      def: {
        innerType?: z.core.$ZodType;
        in?: z.core.$ZodType;
        out?: z.core.$ZodType;
        type: string;
      };
    };
  };
  for (;;) {
    const def = s._zod.def;
    const inner =
      def.innerType ?? (def.type === "pipe" ? (isShaped(def.in) ? def.in : def.out) : undefined);
    if (!inner) return s as unknown as z.core.$ZodType;
    s = inner as unknown as typeof s;
  }
}

const isShaped = (s: z.core.$ZodType | undefined) =>
  s !== undefined &&
  ((s as unknown as Shaped).shape !== undefined ||
    (s as unknown as Shaped).options !== undefined ||
    (s as unknown as { _zod: { def: { innerType?: unknown } } })._zod.def.innerType !== undefined);

/** For a union of modes, the option `value`'s discriminator chooses (all of them if none). */
function optionsFor(u: Shaped, value: unknown): Shaped[] {
  const all = (u.options ?? []).map((o) => unwrap(o) as unknown as Shaped);
  const mode = isRecord(value) ? value.mode : undefined;
  const chosen = all.filter((o) => {
    const lit = (o.shape?.mode as unknown as { _zod?: { def?: { values?: unknown[] } } })?._zod?.def
      ?.values;
    return lit?.includes(mode);
  });
  return chosen.length ? chosen : all;
}

/** The keys the schema accepts at an object path, for "unknown key" messages. */
function knownKeysAt(root: z.core.$ZodType, path: string[], raw: unknown): string[] {
  let schema = unwrap(root) as unknown as Shaped;
  let value = raw;
  for (const p of path) {
    const next: z.core.$ZodType | undefined =
      schema.valueType ??
      schema.shape?.[p] ??
      (schema.options
        ? optionsFor(schema, value).find((o) => o.shape && p in o.shape)?.shape?.[p]
        : undefined);
    if (!next) return [];
    schema = unwrap(next) as unknown as Shaped;
    value = isRecord(value) ? value[p] : undefined;
  }
  const keys = schema.shape
    ? Object.keys(schema.shape)
    : optionsFor(schema, value).flatMap((o) => Object.keys(o.shape ?? {}));
  return [...new Set(keys)];
}
