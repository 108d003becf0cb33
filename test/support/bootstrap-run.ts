/**
 * `npm run bootstrap` as a user runs it, for the tests of what it refuses before it
 * changes anything: an app repository (git, no commit needed) with this program's
 * project, stack files and workflows in deploy/ beside agent/ and ui/, a file:// backend
 * that does not exist yet, and stub tools on PATH that log every call: `pulumi` answers
 * only the read-only `plugin ls` (any other call fails, and shows in the log); `gh`
 * prints STUB_GH_RESPONSE, or fails as when logged out. No tests of its own.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { ROOT, STACKS } from "./bootstrap";

const PULUMI_STUB = `#!/usr/bin/env bash
printf 'pulumi %s\\n' "$*" >>"$STUB_LOG"
case " $* " in
  " --non-interactive plugin ls --json ") echo '[]' ;;
  *) echo "stub pulumi: unexpected arguments: $*" >&2; exit 99 ;;
esac
`;

const GH_STUB = `#!/usr/bin/env bash
printf 'gh %s\\n' "$*" >>"$STUB_LOG"
[[ -n "\${STUB_GH_RESPONSE:-}" ]] || { echo "stub gh: not logged in" >&2; exit 4; }
printf '%s\\n' "$STUB_GH_RESPONSE"
`;

/** A throwaway app repository; `run` runs bootstrap in it and says what it left. */
export function bootstrapWorkspace() {
  const root = mkdtempSync(join(tmpdir(), "bootstrap-run-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const app = join(root, "app");
  const deploy = join(app, "deploy");
  const bin = join(root, "bin");
  const state = join(root, "state");
  const log = join(root, "calls.log");
  mkdirSync(deploy, { recursive: true });
  mkdirSync(bin);
  for (const f of ["Pulumi.yaml", ...STACKS.map((s) => `Pulumi.${s}.yaml`)]) {
    cpSync(join(ROOT, f), join(deploy, f));
  }
  cpSync(join(ROOT, ".github", "workflows"), join(deploy, ".github", "workflows"), {
    recursive: true,
  });
  for (const w of ["agent", "ui"]) {
    mkdirSync(join(app, w));
    writeFileSync(join(app, w, "Dockerfile"), "FROM scratch\n");
  }
  spawnSync("git", ["-C", app, "init", "-q"]);
  for (const [tool, stub] of [
    ["pulumi", PULUMI_STUB],
    ["gh", GH_STUB],
  ]) {
    writeFileSync(join(bin, tool!), stub!);
    chmodSync(join(bin, tool!), 0o755);
  }

  return {
    app,
    deploy,
    bin,
    /** Runs git in the app repository. */
    git: (...args: string[]) => spawnSync("git", ["-C", app, ...args], { encoding: "utf8" }),
    /** Whether the app repository has `path`. */
    appHas: (path: string) => existsSync(join(app, path)),
    /** Whether the file:// backend's folder exists (bootstrap's first change creates it). */
    stateExists: () => existsSync(state),
    /** The stub tools' calls, one line each. */
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []),
    /** Runs `npm run bootstrap -- --project deploy --backend file://state <args>`. */
    run(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
      return spawnSync(
        process.execPath,
        [
          "--require",
          "tsx/cjs",
          join(ROOT, "commands", "bootstrap", "main.ts"),
          ...["--project", deploy, "--backend", `file://${state}`, ...args],
        ],
        {
          cwd: ROOT,
          encoding: "utf8",
          input: "",
          env: {
            PATH: `${bin}:${process.env.PATH ?? ""}`,
            HOME: join(root, "home"),
            STUB_LOG: log,
            PULUMI_CONFIG_PASSPHRASE: "a passphrase of the tests",
            ...env,
          },
        },
      );
    },
  };
}
