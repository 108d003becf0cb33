/**
 * Renders the configuration reference from the schema (defaults, required keys) and the
 * TSDoc of its keys (what each means, tools/config-descriptions.ts): README's table between its markers, and
 * Pulumi.yaml's `config` block, whose defaults are neutral ("" or {}: "not set") so the
 * schema's default is the only one.
 *
 *   node --require tsx/cjs tools/config-docs.ts          rewrite README.md and Pulumi.yaml
 *   node --require tsx/cjs tools/config-docs.ts --check  exit 1 when either is stale
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { WORKLOADS } from "../src/names";
import { parseDocument } from "yaml";
import { keyDescriptions, OBJECT_KEYS_WITH_ROWS } from "./config-descriptions";
import { SECRET_KEYS, stackConfigSchema } from "../src/config/schema";
import { settingsStackSchema } from "../src/config/github-schema";
import type { z } from "zod";

const ROOT = join(__dirname, "..");
const START = "<!-- config-table:start (tools/config-docs.ts) -->";
const END = "<!-- config-table:end -->";

const SHA = "0".repeat(40);
const REF = (w: string) => `ghcr.io/o/${w}@sha256:${"0".repeat(64)}`;
/** A valid config that sets only required keys: everything else shows its default. */
const MINIMAL: Record<string, unknown> = {
  hostnames: ["app.example.com"],
  registry: { owner: "o", username: "u" },
  registryToken: "t",
  appSecrets: { OPENAI_API_KEY: "a", GOOGLE_MAPS_API_KEY: "b" },
  images: {
    mode: "pinned",
    backend: { ref: REF("b"), gitSha: SHA },
    frontend: { ref: REF("f"), gitSha: SHA },
  },
};

/** MINIMAL with other values for the keys it must set: a default that changes with them is derived. */
const OTHER: Record<string, unknown> = {
  ...MINIMAL,
  registry: { owner: "p", username: "v" },
  registryToken: "t2",
};

/** The settings stack's minimal config, and one with other values, likewise. */
const MINIMAL_SETTINGS: Record<string, unknown> = { github: { repository: "o/r" } };
const OTHER_SETTINGS: Record<string, unknown> = { github: { repository: "p/q" } };

type Shaped = z.ZodType & { shape: Record<string, unknown> };

/** The schemas README's table renders, in its order: the app stacks', the settings stack's. */
const TABLES: readonly [Shaped, Record<string, unknown>, Record<string, unknown>][] = [
  [stackConfigSchema, MINIMAL, OTHER],
  [settingsStackSchema, MINIMAL_SETTINGS, OTHER_SETTINGS],
];

/** Every key Pulumi.yaml declares: the app stacks' and the settings stack's. */
const allKeys = () => TABLES.flatMap(([schema]) => Object.keys(schema.shape));

/** Key paths the schema reports missing when `raw` lacks them. */
function missing(raw: Record<string, unknown>, schema: z.ZodType = stackConfigSchema): string[] {
  const r = schema.safeParse(raw, { reportInput: true });
  return r.success
    ? []
    : r.error.issues.filter((i) => i.input === undefined).map((i) => i.path.join("."));
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(", ")}}`;
  }
  return String(v);
}

export interface Row {
  key: string;
  default: string;
  meaning: string;
}

export function rows(): Row[] {
  return TABLES.flatMap(([schema, minimal, other]) => rowsOf(schema, minimal, other));
}

function rowsOf(
  schema: Shaped,
  MINIMAL: Record<string, unknown>,
  OTHER: Record<string, unknown>,
): Row[] {
  const { top: TOP_LEVEL, rows: ROWS } = keyDescriptions();
  const resolved = schema.parse(MINIMAL) as Record<string, unknown>;
  const other = schema.parse(OTHER) as Record<string, unknown>;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const requiredTop = new Set(missing({}, schema));
  const out: Row[] = [];
  for (const key of Object.keys(schema.shape)) {
    const secret = (SECRET_KEYS as readonly string[]).includes(key) ? ", secret" : "";
    const subs = (OBJECT_KEYS_WITH_ROWS as readonly string[]).includes(key)
      ? Object.keys(ROWS).filter((r) => r.startsWith(`${key}.`))
      : [];
    if (subs.length === 0) {
      const value = resolved[key];
      const shown = requiredTop.has(key)
        ? "required"
        : value === undefined || !same(value, other[key])
          ? "none"
          : `\`${flow(value)}\``;
      out.push({
        key: key === "appSecrets" ? "`appSecrets.<NAME>`" : `\`${key}\``,
        default: `${shown}${secret}`,
        meaning: TOP_LEVEL[key]!,
      });
      continue;
    }
    const requiredSub = new Set(missing({ ...MINIMAL, [key]: {} }, schema));
    for (const path of subs) {
      const sub = path.slice(key.length + 1);
      const value = (resolved[key] as Record<string, unknown>)[sub];
      const shown = requiredSub.has(path)
        ? "required"
        : !same(value, (other[key] as Record<string, unknown>)[sub])
          ? "derived (see meaning)"
          : value === undefined
            ? "none"
            : `\`${flow(value)}\``;
      out.push({ key: `\`${path}\``, default: shown, meaning: ROWS[path]! });
    }
  }
  return out;
}

export async function readmeTable(): Promise<string> {
  const md = [
    "| key | default | meaning |",
    "| --- | --- | --- |",
    ...rows().map((r) => `| ${r.key} | ${r.default} | ${r.meaning} |`),
  ].join("\n");
  return (
    await prettier.format(md, { parser: "markdown", printWidth: 100, proseWrap: "preserve" })
  ).trim();
}

/**
 * Pulumi.yaml's config block: every key declared, no default but the schema's. Every key
 * has a neutral default ("" or {}: "not set") and none is declared secret: what the engine
 * requires of a declared key it requires of every stack, and the settings stack sets none
 * of the app's keys (a declared secret with the default "" fails every stack that does not
 * set it, Pulumi 3.259: "must be encrypted as it's secret"). The program reports a missing
 * key and a secret stored in plaintext itself, in its own words.
 */
export function pulumiConfig(): Record<string, Record<string, unknown>> {
  const required = new Set(missing({}));
  const objects = new Set(["gateway", ...WORKLOADS, "github", "verify", "network"]);
  return Object.fromEntries(
    allKeys().map((key) => {
      const decl: Record<string, unknown> = { description: keyDescriptions().top[key] };
      // "" for a required key too: the schema then says it is missing.
      decl.default = objects.has(key) && !required.has(key) ? {} : "";
      return [key, decl];
    }),
  );
}

/** The files as they should be. */
async function rendered(): Promise<Record<string, string>> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const [head, rest] = readme.split(START);
  const tail = rest?.split(END)[1];
  if (head === undefined || tail === undefined)
    throw new Error(`README.md has no ${START} ... ${END} section`);
  const doc = parseDocument(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
  doc.set("config", pulumiConfig());
  return {
    "README.md": `${head}${START}\n\n${await readmeTable()}\n\n${END}${tail}`,
    "Pulumi.yaml": await prettier.format(doc.toString({ lineWidth: 0 }), { parser: "yaml" }),
  };
}

/** The files whose configuration reference differs from the rendering. */
export async function staleConfigDocs(): Promise<string[]> {
  const want = await rendered();
  return Object.keys(want).filter((f) => readFileSync(join(ROOT, f), "utf8") !== want[f]);
}

async function main(check: boolean): Promise<number> {
  if (check) {
    const stale = await staleConfigDocs();
    if (stale.length)
      process.stderr.write(
        `stale: ${stale.join(", ")}; run node --require tsx/cjs tools/config-docs.ts\n`,
      );
    return stale.length ? 1 : 0;
  }
  for (const [f, text] of Object.entries(await rendered())) writeFileSync(join(ROOT, f), text);
  return 0;
}

if (require.main === module) {
  void main(process.argv.includes("--check")).then((code) => process.exit(code));
}
