/**
 * A stack's settings file, Pulumi.<stack>.yaml, as text: its config (plain values and
 * where the encrypted ones are), and the secrets provider state it carries
 * (`encryptionsalt` for a passphrase, `secretsprovider`/`encryptedkey` for a KMS).
 * Values encrypted under another provider than the stack's cannot be decrypted: a new
 * stack's file is reset before `pulumi stack init`, keeping comments and plain values.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, parse, parseDocument, type YAMLMap } from "yaml";
import { isSecure, securePaths } from "../../src/config/secure-paths";

/** The top-level keys in which Pulumi keeps a stack's secrets provider state. */
export const ENCRYPTION_KEYS = ["encryptionsalt", "secretsprovider", "encryptedkey"] as const;

export interface StackFile {
  readonly path: string;
  readonly exists: boolean;
  readonly text: string;
  /** The project's config, keys without the `<project>:` prefix; secrets as `{secure}`. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly encryptionsalt?: string;
  readonly secretsprovider?: string;
  readonly encryptedkey?: string;
  /** Dotted paths of the encrypted values, sorted (the project's keys without their prefix). */
  readonly securePaths: readonly string[];
}

/** Parses the text of a stack file. */
export function parseStackFile(path: string, text: string, project: string): StackFile {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const raw = (doc.config ?? {}) as Record<string, unknown>;
  const prefix = `${project}:`;
  const config = Object.fromEntries(
    Object.entries(raw)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
  // Every namespace's secrets are under the stack's one provider; the project's keys without
  // their prefix.
  const secure = securePaths(raw).map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : p));
  const str = (k: string) => (typeof doc[k] === "string" ? (doc[k] as string) : undefined);
  return {
    path,
    exists: true,
    text,
    config,
    ...(str("encryptionsalt") ? { encryptionsalt: str("encryptionsalt") } : {}),
    ...(str("secretsprovider") ? { secretsprovider: str("secretsprovider") } : {}),
    ...(str("encryptedkey") ? { encryptedkey: str("encryptedkey") } : {}),
    securePaths: secure,
  };
}

/** Reads `<projectDir>/Pulumi.<stack>.yaml` (an empty file state when there is none). */
export function readStackFile(projectDir: string, project: string, stack: string): StackFile {
  const path = join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(path)) return { path, exists: false, text: "", config: {}, securePaths: [] };
  return parseStackFile(path, readFileSync(path, "utf8"), project);
}

/** What of a secrets provider's state the file carries, in words (empty: nothing). */
export function encryptionState(file: StackFile): string[] {
  const held: string[] = ENCRYPTION_KEYS.filter((k) => file[k] !== undefined);
  const n = file.securePaths.length;
  if (n > 0)
    held.push(`${n} encrypted value${n === 1 ? "" : "s"} (${file.securePaths.join(", ")})`);
  return held;
}

/**
 * The file's text without any secrets provider state: the encryption keys and every
 * encrypted value, of any namespace, go (a map left empty by that goes too); comments
 * and plain values stay.
 */
export function stripEncryption(text: string): string {
  const doc = parseDocument(text);
  for (const k of ENCRYPTION_KEYS) doc.delete(k);
  const onlySecure = (m: YAMLMap) =>
    m.items.length === 1 && isScalar(m.items[0]!.key) && m.items[0]!.key.value === "secure";
  /** Removes encrypted values below `map`; true when it removed something. */
  const prune = (map: YAMLMap): boolean => {
    let removed = false;
    for (const pair of [...map.items]) {
      const value = pair.value;
      if (!isMap(value)) continue;
      if (onlySecure(value)) {
        map.delete(pair.key);
        removed = true;
      } else if (prune(value)) {
        removed = true;
        if (value.items.length === 0) map.delete(pair.key);
      }
    }
    return removed;
  };
  const config = doc.get("config");
  if (isMap(config)) prune(config);
  return doc.toString();
}

/** A plain config value by dotted path (undefined when absent or encrypted). */
export function plainValue(file: StackFile, path: string): unknown {
  let v: unknown = file.config;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return isSecure(v) ? undefined : v;
}
