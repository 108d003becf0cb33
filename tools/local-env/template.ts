/**
 * Config files of the environment are templates in templates/, filled one way:
 * every `{{name}}` is replaced by its value; a name without a value is an error.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const HERE = __dirname;
const TEMPLATES = join(HERE, "templates");

export function fill(
  text: string,
  values: Readonly<Record<string, string | number>>,
  what = "template",
): string {
  const missing = new Set<string>();
  const out = text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) {
      missing.add(name);
      return "";
    }
    return String(v);
  });
  if (missing.size) throw new Error(`${what}: no value for ${[...missing].join(", ")}`);
  return out;
}

/** Writes `content` unless the file already holds it; true when it changed. */
export function writeIfChanged(path: string, content: string, mode = 0o644): boolean {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path) && readFileSync(path, "utf8") === content) return false;
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return true;
}

/** Fills templates/<name> into `dest`; true when the file changed. */
export function render(
  name: string,
  dest: string,
  values: Readonly<Record<string, string | number>>,
  mode = 0o644,
): boolean {
  const text = readFileSync(join(TEMPLATES, name), "utf8");
  return writeIfChanged(dest, fill(text, values, `templates/${name}`), mode);
}

/** A file of tools/local-env (e.g. "manifests/smoke.yaml"), filled. */
export function fillFile(
  relative: string,
  values: Readonly<Record<string, string | number>>,
): string {
  return fill(readFileSync(join(HERE, relative), "utf8"), values, relative);
}
