/**
 * The one reader of the wrapper modules' go.mod files: the version a module is
 * required at, or a `// key: value` comment line (for pins that are not a require);
 * and, for a wrapper module that is this repository's own code, a hash of its sources.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The version of `module` in go.mod's require lines: a single-line `require m v` or a
 * line of a `require (` block. Replace and tool lines are not requirements.
 */
export function requiredVersion(gomod: string, module: string): string | undefined {
  let inRequire = false;
  for (const raw of gomod.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === "") continue;
    if (inRequire && line === ")") {
      inRequire = false;
      continue;
    }
    let words = line.split(/\s+/);
    if (words[0] === "require") {
      if (words[1] === "(") {
        inRequire = true;
        continue;
      }
      words = words.slice(1);
    } else if (!inRequire) {
      continue;
    }
    if (words[0] === module && /^v\d/.test(words[1] ?? "")) return words[1];
  }
  return undefined;
}

/** The value of a `// key: value` line, e.g. `// plugin-version: v4.25.0`. */
export function commentValue(gomod: string, key: string): string | undefined {
  for (const raw of gomod.split("\n")) {
    const m = /^\s*\/\/\s*([\w.-]+):\s*(\S+)\s*$/.exec(raw);
    if (m && m[1] === key) return m[2];
  }
  return undefined;
}

/** Where a tool's pinned version comes from. */
export type VersionSource =
  /** The version `module` is required at. */
  | { readonly module: string }
  /** A `// <comment>: vX.Y.Z` line (the module itself is pinned by pseudo-version). */
  | { readonly comment: string }
  /** The module is this repository's own code: its pin is `sourcesPin` of its folder. */
  | { readonly sources: true };

/**
 * `v0.0.0-src-<12 hex>`: a SHA-256 of a wrapper folder's go.mod, go.sum and non-test
 * `.go` files (names and contents), so that any change to them is a new pin and so a
 * rebuild.
 */
export function sourcesPin(dir: string): string {
  const files = readdirSync(dir)
    .filter(
      (f) => f === "go.mod" || f === "go.sum" || (f.endsWith(".go") && !f.endsWith("_test.go")),
    )
    .sort();
  const hash = createHash("sha256");
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(dir, f)))
      .update("\0");
  return `v0.0.0-src-${hash.digest("hex").slice(0, 12)}`;
}

/** Reads the pin `source` names from the go.mod file at `path`; throws naming both. */
export function readPin(path: string, source: VersionSource): string {
  if ("sources" in source) return sourcesPin(dirname(path));
  const text = readFileSync(path, "utf8");
  const version =
    "module" in source ? requiredVersion(text, source.module) : commentValue(text, source.comment);
  if (version === undefined || !/^v\d+\.\d+\.\d+/.test(version)) {
    const what =
      "module" in source ? `a require of ${source.module}` : `"// ${source.comment}: vX.Y.Z"`;
    throw new Error(`${path}: expected ${what} with a version, found ${version ?? "none"}`);
  }
  return version;
}
