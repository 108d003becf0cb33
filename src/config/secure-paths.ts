/**
 * Where a stack file holds encrypted values: the dotted path of each `secure:` value in
 * its config ("travel:backend.env.API_TOKEN"). The engine tells the program only that a
 * whole key is secret; the file tells which value under it, so a message can name it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** Whether a stack file value is an encrypted one (`{secure: <ciphertext>}`). */
export const isSecure = (v: unknown): v is { secure: string } =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  typeof (v as { secure?: unknown }).secure === "string";

/** The dotted path of every `secure:` value in a stack file's `config`, sorted. */
export function securePaths(config: Readonly<Record<string, unknown>>): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (isSecure(v)) found.push(path);
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  for (const [k, v] of Object.entries(config)) walk(v, k);
  return found.sort();
}

/** The secure paths of `<dir>/Pulumi.<stack>.yaml`; none when it cannot be read. */
export function stackFileSecurePaths(dir: string, stack: string): string[] {
  try {
    const doc = parse(readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8")) as {
      config?: Record<string, unknown>;
    } | null;
    return securePaths(doc?.config ?? {});
  } catch {
    return [];
  }
}
