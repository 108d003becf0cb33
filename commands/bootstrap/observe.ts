/**
 * What is there before bootstrap plans: which stacks the backend has, their stack files,
 * their decrypted secrets (kept in memory, only to compare with what was given), the
 * settings stack, the installed plugins, CODEOWNERS and the workflows at the repository's
 * root. Read-only.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type CodeOwners, observeCodeOwners } from "./codeowners";
import { SETTINGS_STACK, STACKS, type StackName } from "./environments";
import type { Observed, ObservedStack } from "./plan";
import { errorLine, type PulumiCli, runOk } from "./pulumi-cli";
import { readStackFile } from "./stack-file";
import { copyState, type WorkflowCopy } from "./workflow-copy";

interface ConfigEntry {
  value?: string;
  objectValue?: unknown;
  secret?: boolean;
}

/** Dotted paths to the string leaves of a value. */
function leaves(value: unknown, path: string, out: Record<string, string>) {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, `${path}.${k}`, out);
  } else if (typeof value === "string") out[path] = value;
}

/** The secrets of a stack in plaintext, by config path (the project's keys only). */
export function readSecrets(cli: PulumiCli, project: string, ref: string): Record<string, string> {
  const r = cli.run(["config", "--json", "--show-secrets", "--stack", ref]);
  if (r.status !== 0) {
    throw new Error(
      `cannot read the secrets of ${ref} (${errorLine(r)}): is PULUMI_CONFIG_PASSPHRASE the ` +
        `passphrase the stack was created with, or are these the backend's credentials?`,
    );
  }
  const entries = JSON.parse(r.stdout) as Record<string, ConfigEntry>;
  const out: Record<string, string> = {};
  for (const [key, e] of Object.entries(entries)) {
    if (!e.secret || !key.startsWith(`${project}:`)) continue;
    const name = key.slice(project.length + 1);
    leaves(e.objectValue ?? e.value, name, out);
  }
  return out;
}

/** The fully qualified names of the project's stacks on the backend. */
export function existingStacks(cli: PulumiCli, org: string | undefined): Set<string> {
  const args = ["stack", "ls", "--json", "--fully-qualify-stack-names"];
  const r = runOk(cli, org ? [...args, "--organization", org] : args, "cannot list the stacks");
  return new Set((JSON.parse(r.stdout) as { name: string }[]).map((s) => s.name));
}

/** Installed resource plugins as "name@version" (versions without a leading v). */
export function installedPlugins(cli: PulumiCli): string[] {
  const r = runOk(cli, ["plugin", "ls", "--json"], "cannot list the plugins");
  const list = (JSON.parse(r.stdout) ?? []) as { name: string; kind: string; version: string }[];
  return list
    .filter((p) => p.kind === "resource")
    .map((p) => `${p.name}@${p.version.replace(/^v/, "")}`);
}

/** The git checkout's top folder of `dir`, if it is in one. */
export function gitTopLevel(dir: string): string | undefined {
  const r = spawnSync("git", ["-C", dir, "rev-parse", "--show-toplevel"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * With this program in a folder of the app's repository, the workflows it carries must
 * also be at the repository's root, where GitHub reads them. Only the workflows: the
 * setup action they share (.github/actions/setup) needs no copy, since they use it as
 * ./deploy/.github/actions/setup, the program's own checkout in either layout. Each
 * destination is compared with the copy bootstrap would write there (workflow-copy.ts).
 */
export function workflowCopies(projectDir: string, top: string | undefined): WorkflowCopy[] {
  const from = join(projectDir, ".github", "workflows");
  if (top === undefined || resolve(top) === resolve(projectDir) || !existsSync(from)) return [];
  if (resolve(dirname(projectDir)) !== resolve(top)) return [];
  return readdirSync(from)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const source = join(basename(projectDir), ".github", "workflows", f);
      const to = join(".github", "workflows", f);
      const current = existsSync(join(top, to)) ? readFileSync(join(top, to), "utf8") : undefined;
      const state = copyState(current, readFileSync(join(from, f), "utf8"), source);
      return { from: source, to, state };
    });
}

export interface ObserveInput {
  readonly cli: PulumiCli;
  readonly project: string;
  readonly refs: Readonly<Record<StackName, string>>;
  /** The settings stack's fully qualified name. */
  readonly settingsRef: string;
  /** The code owners bootstrap writes into CODEOWNERS (when it manages GitHub). */
  readonly codeOwners?: readonly string[];
  /** The Pulumi Cloud organization to list (undefined on a self-managed backend). */
  readonly cloudOrg?: string;
  /** The folder of a file:// backend, if that is the backend. */
  readonly stateFolder?: string;
}

/** Observes the backend, the stack files and the repository. */
export function observe(input: ObserveInput): Observed {
  const { cli, project } = input;
  const folderMissing = input.stateFolder !== undefined && !existsSync(input.stateFolder);
  const present = folderMissing ? new Set<string>() : existingStacks(cli, input.cloudOrg);
  const stacks = {} as Record<StackName, ObservedStack>;
  for (const stack of STACKS) {
    const ref = input.refs[stack];
    const exists = present.has(ref);
    stacks[stack] = {
      file: readStackFile(cli.cwd, project, stack),
      exists,
      secrets: exists ? readSecrets(cli, project, ref) : {},
    };
  }
  const top = gitTopLevel(cli.cwd);
  const codeowners: CodeOwners | undefined =
    top !== undefined && input.codeOwners !== undefined
      ? observeCodeOwners(top, cli.cwd, input.codeOwners)
      : undefined;
  return {
    stacks,
    // It holds no secret: nothing to decrypt.
    settings: {
      file: readStackFile(cli.cwd, project, SETTINGS_STACK),
      exists: present.has(input.settingsRef),
      secrets: {},
    },
    ...(codeowners ? { codeowners } : {}),
    ...(input.stateFolder !== undefined ? { stateFolderExists: !folderMissing } : {}),
    plugins: installedPlugins(cli),
    workflows: workflowCopies(cli.cwd, top),
  };
}
