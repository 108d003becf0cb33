/**
 * What each config key means, read from the TSDoc of the schema's properties
 * (src/config/schema.ts, src/config/workload-schema.ts, and src/config/github-schema.ts for
 * the settings stack's `github`): the one place it is written, so
 * editors show it on every component arg that carries config, and the README table and
 * Pulumi.yaml descriptions (tools/config-docs.ts) are rendered from it.
 */
import { join } from "node:path";
import * as ts from "typescript";

const CONFIG = join(__dirname, "..", "src", "config");
/** The files and input types of the app stacks' keys and of the settings stack's. */
const SCHEMAS = [
  [join(CONFIG, "schema.ts"), "StackConfigInput"],
  [join(CONFIG, "github-schema.ts"), "SettingsStackInput"],
] as const;
/** The keys whose own keys get rows of their own in README's table. */
export const OBJECT_KEYS_WITH_ROWS = [
  "gateway",
  "registry",
  "backend",
  "frontend",
  "verify",
  "network",
  "github",
] as const;

export interface KeyDescriptions {
  /** Top-level key -> its meaning. */
  readonly top: Record<string, string>;
  /** `<key>.<sub>` -> its meaning, for OBJECT_KEYS_WITH_ROWS. */
  readonly rows: Record<string, string>;
}

let cached: KeyDescriptions | undefined;

/** Where a key is written (keys of one object come from one file): the README's row order. */
const declaredAt = (s: ts.Symbol) => s.declarations?.[0]?.getStart() ?? 0;

/** Reads the TSDoc of every key the schemas take (as their input types). */
export function keyDescriptions(): KeyDescriptions {
  if (cached) return cached;
  const program = ts.createProgram(
    SCHEMAS.map(([file]) => file),
    {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const doc = (p: ts.Symbol) =>
    ts.displayPartsToString(p.getDocumentationComment(checker)).replace(/\s+/g, " ").trim();
  const top: Record<string, string> = {};
  const rows: Record<string, string> = {};
  for (const [file, name] of SCHEMAS) {
    const alias = program
      .getSourceFile(file)!
      .statements.find(
        (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name,
      );
    if (!alias) throw new Error(`${file}: no ${name} type`);
    for (const p of checker.getTypeAtLocation(alias.name).getProperties()) {
      top[p.name] = doc(p);
      if (!(OBJECT_KEYS_WITH_ROWS as readonly string[]).includes(p.name)) continue;
      const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, alias));
      for (const q of [...type.getProperties()].sort((a, b) => declaredAt(a) - declaredAt(b)))
        rows[`${p.name}.${q.name}`] = doc(q);
    }
  }
  cached = { top, rows };
  return cached;
}
