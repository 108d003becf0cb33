/**
 * What bootstrap's unit tests share: the committed stack files, an app's checkout with
 * this program in deploy/, the two kinds of backend, a backend before anything was
 * created, the secrets the tests give, and the plan's input built from them. No tests of
 * its own.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { parseBackend } from "../../commands/bootstrap/backend";
import type { Observed, PlanInput } from "../../commands/bootstrap/plan";
import { secretKey } from "../../commands/bootstrap/plan";
import { secretFromEnv, secretNeeds } from "../../commands/bootstrap/secrets";
import { parseStackFile } from "../../commands/bootstrap/stack-file";

export const ROOT = join(__dirname, "..", "..");
export const STACKS = ["dev", "staging", "prod"] as const;
/** The committed text of Pulumi.<stack>.yaml. */
export const text = (stack: string) => readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
/** The committed Pulumi.<stack>.yaml, parsed. */
export const committed = (stack: string) =>
  parseStackFile(`Pulumi.${stack}.yaml`, text(stack), "travel");

/**
 * A temporary app checkout (removed after the tests) with this program's project and stack
 * files in deploy/ (the in-app layout) beside agent/ and ui/; `files` replaces stack files
 * by name. Returns deploy/.
 */
export function appCheckout(files: Readonly<Record<string, string>> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "bootstrap-app-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const deploy = join(root, "app", "deploy");
  mkdirSync(deploy, { recursive: true });
  for (const f of ["Pulumi.yaml", ...STACKS.map((s) => `Pulumi.${s}.yaml`)]) {
    if (files[f] === undefined) cpSync(join(ROOT, f), join(deploy, f));
    else writeFileSync(join(deploy, f), files[f]);
  }
  // Files the repository does not commit (the settings stack's, written by bootstrap).
  for (const [f, content] of Object.entries(files)) {
    if (!existsSync(join(deploy, f))) writeFileSync(join(deploy, f), content);
  }
  for (const w of ["agent", "ui"]) {
    mkdirSync(join(root, "app", w));
    writeFileSync(join(root, "app", w, "Dockerfile"), "FROM scratch\n");
  }
  return deploy;
}
export const FILE = parseBackend("file:///tmp/state");
export const CLOUD = parseBackend("cloud");

/** The settings stack's file before bootstrap wrote one. */
export const NO_SETTINGS_FILE = {
  path: "Pulumi.github.yaml",
  exists: false,
  text: "",
  config: {},
  securePaths: [],
} as const;

/** What a backend holds before anything was created, with the committed stack files. */
export function fresh(files = STACKS.map(committed)): Observed {
  return {
    stacks: Object.fromEntries(
      STACKS.map((s, i) => [s, { file: files[i]!, exists: false, secrets: {} }]),
    ) as unknown as Observed["stacks"],
    settings: { file: NO_SETTINGS_FILE, exists: false, secrets: {} },
    stateFolderExists: false,
    plugins: [],
    workflows: [],
  };
}
export const SECRETS = {
  REGISTRY_PUSH_TOKEN: "push-1",
  REGISTRY_PULL_TOKEN: "pull-2",
  OPENAI_API_KEY: "sk-3",
  GOOGLE_MAPS_API_KEY: "maps-4",
};
export function input(observed: Observed, over: Partial<PlanInput> = {}): PlanInput {
  const given = new Map<string, { value: string; from: string }>();
  for (const s of STACKS) {
    for (const need of secretNeeds(s, observed.stacks[s].file, over.github !== undefined)) {
      const got = secretFromEnv(need, SECRETS);
      if (got) given.set(secretKey(s, need.path), got);
    }
  }
  return {
    project: "travel",
    backend: FILE,
    org: "organization",
    secretsProvider: "passphrase",
    githubToken: false,
    githubPlugin: { name: "github", version: "6.15.0" },
    observed,
    given,
    ...over,
  };
}
