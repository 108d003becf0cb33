/**
 * What the workflow tests run jobs in: the checkout a job starts from (the program in
 * deploy/, the app beside it in either layout, as git commits), the tool pins the jobs
 * install, and stub commands (pulumi, curl, npm) steered by STUB_* variables and logging
 * their calls. No tests of its own.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { after } from "node:test";
import { pinOf } from "../../../toolchain/build";
import { assetName } from "../../../toolchain/plugins";
import { expand } from "../../../toolchain/tools";

export const ROOT = join(__dirname, "..", "..", "..");

const pin = (tool: string) => pinOf(expand([tool])[0]!).replace(/^v/, "");
/** The versions the jobs install: the toolchain table's pins, and package.json's @pulumi/github. */
export const PINS = {
  pulumi: pin("pulumi"),
  kubernetes: pin("pulumi-resource-kubernetes"),
  docker_build: pin("pulumi-resource-docker-build"),
  github: (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    }
  ).dependencies["@pulumi/github"]!,
};
/**
 * The plugin archives the jobs install (toolchain/plugins.ts), as files: one small archive
 * per pinned plugin and a checksums file recording their SHA-256.
 */
const PLUGIN_MIRROR = (() => {
  const dir = mkdtempSync(join(tmpdir(), "workflow-plugins-"));
  const assets: Record<string, { sha256: string; source: string }> = {};
  for (const [plugin, version] of [
    ["kubernetes", PINS.kubernetes],
    ["docker-build", PINS.docker_build],
    ["github", PINS.github],
  ] as const) {
    const asset = assetName(plugin, version, "linux-amd64");
    const data = Buffer.from(`archive of ${asset}`);
    writeFileSync(join(dir, asset), data);
    assets[asset] = { sha256: createHash("sha256").update(data).digest("hex"), source: "test" };
  }
  const checksums = join(dir, "plugin-checksums.json");
  writeFileSync(checksums, JSON.stringify({ url: "", checksumsUrl: "", assets }));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { url: `${pathToFileURL(dir).href}/{asset}`, checksums };
})();
/**
 * What the pulumi stub reports, so that the toolchain step finds every pin installed, and
 * where the plugin step downloads the archives from (PLUGIN_MIRROR).
 */
export const STUB_PINS = {
  STUB_PULUMI_VERSION: PINS.pulumi,
  STUB_KUBERNETES: PINS.kubernetes,
  STUB_DOCKER_BUILD: PINS.docker_build,
  TRAVEL_PLUGIN_URL: PLUGIN_MIRROR.url,
  TRAVEL_PLUGIN_CHECKSUMS: PLUGIN_MIRROR.checksums,
};
/** Only the stubs, node, and the system's tools: no toolchain cache on PATH. */
export const SYSTEM_PATH = `${dirname(process.execPath)}:/usr/bin:/bin`;

export interface Workspace {
  /** $GITHUB_WORKSPACE. */
  readonly ws: string;
  /** The program's folder (deploy/). */
  readonly deploy: string;
  /** Folder for stub commands (first on PATH). */
  readonly bin: string;
  /** Each stub appends "name args…" here. */
  readonly log: string;
}

const git = (dir: string, ...args: string[]) => {
  const r = spawnSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

/** A git checkout with one commit of `files`. */
export function commitFiles(dir: string, files: Record<string, string>): string {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "init");
  return git(dir, "rev-parse", "HEAD");
}

/** The program's own files a checkout of it needs (the code is linked in). */
export const PROGRAM_FILES = [
  "Pulumi.yaml",
  "Pulumi.dev.yaml",
  "Pulumi.staging.yaml",
  "Pulumi.prod.yaml",
  "package.json",
];

const APP = { "agent/Dockerfile": "FROM scratch\n", "ui/Dockerfile": "FROM scratch\n" };

/**
 * The checkout a job starts from, in `root`: the program in deploy/ (its stack files,
 * package.json and links to this checkout's code and node_modules), with the app beside
 * it (in-app: one repository) or as its own checkout in coagents-travel/ (separate).
 */
export function makeWorkspace(
  root: string,
  layout: "in-app" | "separate" | "program-only",
  stackFiles: Record<string, string> = {},
): Workspace & { appSha?: string } {
  const ws = join(root, "ws");
  const deploy = join(ws, "deploy");
  const bin = join(root, "bin");
  mkdirSync(deploy, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const files: Record<string, string> = {};
  for (const f of PROGRAM_FILES) {
    files[f] = stackFiles[f] ?? readFileSync(join(ROOT, f), "utf8");
  }
  for (const d of ["node_modules", ".github", "commands", "tools", "src", "toolchain", "policy"]) {
    spawnSync("ln", ["-s", join(ROOT, d), join(deploy, d)]);
  }
  let appSha: string | undefined;
  if (layout === "in-app") {
    const prefixed = Object.fromEntries(Object.entries(files).map(([f, t]) => [`deploy/${f}`, t]));
    appSha = commitFiles(ws, { ...prefixed, ...APP, ".gitignore": "node_modules\n" });
  } else {
    commitFiles(deploy, {
      ...files,
      ".gitignore": "node_modules\nscripts\nsrc\ntoolchain\npolicy\n",
    });
    if (layout === "separate") appSha = commitFiles(join(ws, "coagents-travel"), APP);
  }
  return { ws, deploy, bin, log: join(root, "stub.log"), ...(appSha ? { appSha } : {}) };
}

/** Writes a stub command into `w.bin`: it logs its arguments, then runs `body` (bash). */
export function stub(w: Workspace, name: string, body: string): void {
  const file = join(w.bin, name);
  writeFileSync(file, `#!/usr/bin/env bash\nprintf '%s\\n' "${name} $*" >>"${w.log}"\n${body}\n`);
  spawnSync("chmod", ["+x", file]);
}

/** The stub invocations so far, one "name args…" per line. */
export const calls = (w: Workspace): string[] => {
  try {
    return readFileSync(w.log, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/** The npm stub's body: `npm run` runs the script of ./package.json the way npm does. */
const NPM_STUB = `[[ "$1" == run ]] || exit 0
shift; [[ "$1" == --silent ]] && shift
name="$1"; shift; [[ "\${1-}" == -- ]] && shift
script="$(node -p 'require("./package.json").scripts?.[process.argv[1]] ?? ""' "$name")"
if [[ -z "$script" ]]; then echo "stub npm: no script $name in $PWD/package.json" >&2; exit 1; fi
PATH="$PWD/node_modules/.bin:$PATH" exec sh -c "$script \\"\\$@\\"" "$name" "$@"`;

/**
 * Stubs for what the jobs call besides their own scripts, steered by STUB_* variables:
 * - pulumi (and pulumi-language-nodejs beside it): version STUB_PULUMI_VERSION, the
 *   plugins the toolchain wants, `stack select` failing when STUB_NO_STACK is set,
 *   `stack --show-name -Q` printing STUB_QUALIFIED, `stack output` printing
 *   STUB_SOURCE_OUTPUTS (or "no stack named" when STUB_SOURCE_MISSING is set), `config
 *   --show-secrets` failing when STUB_UNDECRYPTABLE is set, `config set --path images.*`
 *   succeeding (the calls log says what was set), `preview` writing one event;
 * - curl: the GitHub API answering STUB_HTTP_CODE with STUB_ENVIRONMENT_JSON, its
 *   standard input (the headers) saved to curl-stdin;
 * - npm: `npm run [--silent] NAME [-- ARGS]` runs package.json's script NAME with ARGS
 *   (in sh, node_modules/.bin first on PATH, as npm does); anything else (npm ci) does
 *   nothing.
 */
export function standardStubs(w: Workspace): void {
  stub(
    w,
    "pulumi",
    `args=" $* "; args="\${args/ --non-interactive / }"
case "$args" in
  " version ") echo "v\${STUB_PULUMI_VERSION:-0.0.0}" ;;
  " plugin ls --json ") echo '[{"name":"kubernetes","kind":"resource","version":"'"$STUB_KUBERNETES"'"},{"name":"docker-build","kind":"resource","version":"'"$STUB_DOCKER_BUILD"'"}]' ;;
  " plugin install "*|" org set-default "*|" stack init "*) ;;
  " stack select "*) if [[ -n "$STUB_NO_STACK" ]]; then echo "error: no stack named '$3' found" >&2; exit 255; fi ;;
  " stack --show-name --fully-qualify-stack-names ") echo "$STUB_QUALIFIED" ;;
  " config --json --show-secrets "*) if [[ -n "$STUB_UNDECRYPTABLE" ]]; then echo "error: incorrect passphrase" >&2; exit 255; fi; echo '{}' ;;
  " config get --path images.mode "*) echo "$STUB_MODE" ;;
  " config set --path images."*) ;;
  " stack output --json --stack "*) if [[ -n "$STUB_SOURCE_MISSING" ]]; then echo "error: no stack named 'x' found" >&2; exit 255; fi; echo "\${STUB_SOURCE_OUTPUTS:-"{}"}" ;;
  " preview "*) echo "streaming=$PULUMI_ENABLE_STREAMING_JSON_PREVIEW" >>"${w.log}"; echo '{"sequence":0}'; exit "\${STUB_PREVIEW_STATUS:-0}" ;;
  *) echo "stub pulumi: unexpected arguments: $*" >&2; exit 99 ;;
esac`,
  );
  stub(w, "pulumi-language-nodejs", "exit 0");
  stub(w, "npm", NPM_STUB);
  stub(
    w,
    "curl",
    `out=""; url=""; prev=""
for a in "$@"; do
  if [[ "$prev" == -o || "$prev" == -*o ]]; then out="$a"; fi
  prev="$a"; url="$a"
done
case "$url" in
  https://api.github.com/*) cat >"${join(w.bin, "..", "curl-stdin")}"; printf '%s' "$STUB_ENVIRONMENT_JSON" >"$out"; printf '%s' "\${STUB_HTTP_CODE:-200}" ;;
  *) echo "stub curl: unexpected URL $url" >&2; exit 6 ;;
esac`,
  );
}

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A fresh checkout (see makeWorkspace) with the standard stubs, removed after the tests. */
export function stubbedWorkspace(
  layout: "in-app" | "separate" | "program-only" = "in-app",
  stackFiles: Record<string, string> = {},
): Workspace & { appSha?: string } {
  const root = mkdtempSync(join(tmpdir(), "workflow-job-"));
  roots.push(root);
  const w = makeWorkspace(root, layout, stackFiles);
  standardStubs(w);
  return w;
}
