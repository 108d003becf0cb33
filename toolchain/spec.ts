/**
 * The shape of one row of the toolchain table (tools.ts): where a tool's pin comes from,
 * what to build, how a result is checked and when an installed copy is good enough.
 */
import type { VersionSource } from "./gomod";

/** How to ask a binary its version: the command (with `{bin}` for its path) and a pattern. */
export interface Probe {
  /** argv; "{bin}" is replaced by the binary's path. */
  readonly argv: readonly string[];
  /** The first capture group is the version (a leading "v" is added when missing). */
  readonly pattern: RegExp;
}

/**
 * When an installed copy may be used instead of building:
 * - `exact`: it reports the pinned version;
 * - `atLeast`: it reports the pin or newer (the Pulumi CLI);
 * - `minorSkew`: same major, minor within one of the pin (kubectl's skew policy).
 */
export type Accept = "exact" | "atLeast" | "minorSkew";

export type InstalledRule =
  /** Look the binaries up on PATH and ask the first one its version (its probe). */
  | { readonly kind: "path"; readonly accept: Accept }
  /** A Pulumi plugin as `pulumi plugin ls --json` reports it (exact version). */
  | { readonly kind: "plugin"; readonly pluginKind: "resource"; readonly plugin: string };

export interface Binary {
  /** File name in the tool's bin directory (or in `folder`). */
  readonly name: string;
  /**
   * The folder of the tool's destination it is built into, when not `bin`: a binary kept
   * off PATH for another binary of the tool to run (the v3.68 language host).
   */
  readonly folder?: string;
  /** The Go package that is its main. */
  readonly pkg: string;
  /** Wrapper module folder under toolchain/, when it is not the tool's own. */
  readonly dir?: string;
  /** Its own pin, when it differs from the tool's (the language host). */
  readonly version?: VersionSource;
  /** What the built binary must report (none: existing is enough). */
  readonly probe?: Probe;
}

/** Where and how a build runs, as a hook prepares it. */
export interface BuildDir {
  /** Directory `go build` runs in. */
  readonly cwd: string;
  /** Extra environment for the go command. */
  readonly env?: Readonly<Record<string, string>>;
  /** Package paths to build instead of the binaries' own (e.g. "."). */
  readonly pkgs?: readonly string[];
}

export interface HookContext {
  /** The tool's wrapper module folder. */
  readonly moduleDir: string;
  /** A scratch directory of this build, removed afterwards. */
  readonly scratch: string;
  readonly version: string;
  /** Runs a command, its output to the build log; throws naming it on failure. */
  readonly run: (
    argv: readonly string[],
    opts?: { cwd?: string; env?: Record<string, string> },
  ) => string;
}

export interface Tool {
  /** Cache folder prefix: <cache>/<name>-<version>. */
  readonly name: string;
  /** What it is for, in the selection line. */
  readonly purpose: string;
  /** Its wrapper module folder under toolchain/. */
  readonly dir: string;
  readonly version: VersionSource;
  /** What to build (empty for a files-only tool). */
  readonly binaries: readonly Binary[];
  /** `-X` flags that stamp the version, given the version of the binary being built. */
  readonly ldflags?: (version: string) => readonly string[];
  readonly tags?: readonly string[];
  /** When an installed copy is used; absent means always from the pinned module. */
  readonly installed?: InstalledRule;
  /** Code generation or a module proxy detour before `go build`. */
  readonly prepare?: (ctx: HookContext) => BuildDir;
  /** A files-only tool: copy `from` (a folder of the module) into <dest>/<to>. */
  readonly files?: { readonly module: string; readonly from: string; readonly to: string };
}
