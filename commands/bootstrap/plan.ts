/**
 * The bootstrap plan: from what is there (the observed stacks, stack files, secrets,
 * plugins and workflows) and what was asked for, the list of actions that makes the
 * three stacks ready for the workflows. Pure: what `--dry-run` prints is exactly what a
 * run would do, and a second run after a successful one plans nothing.
 */
import type { Action, ConfigValue } from "./actions";
import {
  type StateBackend,
  fileBackendFolder,
  promotionSourceName,
  qualifiedStackName,
} from "./backend";
import { BRANCH_PROTECTION_STACK, GATED, STACKS, type StackName } from "./environments";
import type { Contexts } from "./layout";
import { type SecretInput, type SecretNeed, secretNeeds } from "./secrets";
import { encryptionState, plainValue, type StackFile } from "./stack-file";
import { needsCopy, type WorkflowCopy } from "./workflow-copy";

/** The GitHub side bootstrap manages through each stack's `travel:github`. */
export interface GitHubSettings {
  /** "owner/name" of the repository the workflows run in. */
  readonly repository: string;
  /** Required reviewers of the gated environments (staging, prod). */
  readonly reviewers: { readonly users: readonly string[]; readonly teams: readonly string[] };
}

export interface ObservedStack {
  readonly file: StackFile;
  /** Whether the backend has the stack. */
  readonly exists: boolean;
  /** Its decrypted secrets by config path (empty when it does not exist). */
  readonly secrets: Readonly<Record<string, string>>;
}

export interface Observed {
  readonly stacks: Readonly<Record<StackName, ObservedStack>>;
  /** Whether a file:// backend's folder exists (undefined for other backends). */
  readonly stateFolderExists?: boolean;
  /** Installed resource plugins, "name@version". */
  readonly plugins: readonly string[];
  /** Workflow files to install at the repository's root, and what is at each destination. */
  readonly workflows: readonly WorkflowCopy[];
}

export interface PlanInput {
  readonly project: string;
  readonly backend: StateBackend;
  readonly org: string;
  readonly secretsProvider: string;
  /** Build contexts to set on the stacks that build; undefined keeps theirs. */
  readonly contexts?: Contexts;
  /** undefined: GitHub is left alone (--no-github). */
  readonly github?: GitHubSettings;
  /** Whether a token that may administer the repository is at hand. */
  readonly githubToken: boolean;
  /** The GitHub provider plugin the program's @pulumi/github needs. */
  readonly githubPlugin: { readonly name: string; readonly version: string };
  readonly observed: Observed;
  /** The secrets given in the environment, by `<stack>:<path>`. */
  readonly given: ReadonlyMap<string, SecretInput>;
}

export interface Plan {
  readonly actions: readonly Action[];
  /** Secrets that must be asked for on the terminal (none given, none stored). */
  readonly prompts: readonly SecretNeed[];
}

/** The key of a secret in {@link PlanInput.given}. */
export const secretKey = (stack: string, path: string) => `${stack}:${path}`;

/** The URN glob that selects a stack's GitHub resources (and only them). */
export function githubTarget(project: string, stack: string): string {
  return `urn:pulumi:${stack}::${project}::travel:github:**`;
}

type Desired = readonly [path: string, value: ConfigValue | readonly string[]];

/** What of the run {@link desiredConfig} depends on. */
export type DesiredInput = Pick<PlanInput, "org" | "project" | "contexts" | "github">;

/** The plain config bootstrap sets on `stack`. */
export function desiredConfig(stack: StackName, file: StackFile, input: DesiredInput): Desired[] {
  const out: Desired[] = [];
  const mode = plainValue(file, "images.mode");
  const source = promotionSourceName(input.org, input.project, stack);
  if (source !== undefined && mode === "promote") out.push(["images.fromStack", source]);
  if (mode === "build" && input.contexts) {
    out.push(["images.backend.context", input.contexts.backend]);
    out.push(["images.frontend.context", input.contexts.frontend]);
  }
  const gh = input.github;
  if (gh) {
    out.push(["github.repository", gh.repository]);
    if (GATED.includes(stack)) {
      out.push(["github.environment.requireApproval", true]);
      out.push(["github.environment.reviewers.users", gh.reviewers.users]);
      out.push(["github.environment.reviewers.teams", gh.reviewers.teams]);
    }
    if (stack === BRANCH_PROTECTION_STACK) out.push(["github.manageBranchProtection", true]);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function configActions(stack: StackName, ref: string, file: StackFile, input: PlanInput): Action[] {
  const actions: Action[] = [];
  for (const [path, value] of desiredConfig(stack, file, input)) {
    const was = plainValue(file, path);
    if (typeof value === "string" || typeof value === "boolean") {
      if (!same(was, value)) actions.push({ kind: "set-config", stack, ref, path, value, was });
      continue;
    }
    const current = was === undefined ? [] : was;
    if (same(current, value)) continue;
    if (was !== undefined) actions.push({ kind: "remove-config", stack, ref, path });
    value.forEach((v, i) =>
      actions.push({
        kind: "set-config",
        stack,
        ref,
        path: `${path}[${i}]`,
        value: v,
        was: (was as unknown[] | undefined)?.[i],
      }),
    );
  }
  return actions;
}

function secretActions(
  stack: StackName,
  ref: string,
  observed: ObservedStack,
  fresh: boolean,
  input: PlanInput,
  prompts: SecretNeed[],
): Action[] {
  const actions: Action[] = [];
  for (const need of secretNeeds(stack, observed.file, input.github !== undefined)) {
    const stored = fresh ? undefined : observed.secrets[need.path];
    const given = input.given.get(secretKey(stack, need.path));
    if (stored !== undefined && (given === undefined || given.value === stored)) continue;
    if (given === undefined) prompts.push(need);
    actions.push({
      kind: "set-secret",
      stack,
      ref,
      need,
      from: given?.from ?? "the terminal",
      reason: stored === undefined ? "missing" : "changed",
    });
  }
  return actions;
}

/** Plans the bootstrap. */
export function plan(input: PlanInput): Plan {
  const actions: Action[] = [];
  const prompts: SecretNeed[] = [];
  const folder = fileBackendFolder(input.backend);
  if (folder !== undefined && input.observed.stateFolderExists === false) {
    actions.push({ kind: "create-folder", path: folder, why: "the file:// state backend" });
  }
  for (const stack of STACKS) {
    const observed = input.observed.stacks[stack];
    const ref = qualifiedStackName(input.org, input.project, stack);
    const fresh = !observed.exists;
    if (fresh) {
      const held = encryptionState(observed.file);
      if (held.length > 0) {
        actions.push({ kind: "reset-stack-file", stack, file: observed.file.path, held });
      }
      actions.push({ kind: "init-stack", stack, ref, secretsProvider: input.secretsProvider });
    }
    actions.push(...configActions(stack, ref, observed.file, input));
    actions.push(...secretActions(stack, ref, observed, fresh, input, prompts));
  }
  if (input.github && input.githubToken) {
    const { name, version } = input.githubPlugin;
    if (!input.observed.plugins.includes(`${name}@${version}`)) {
      actions.push({ kind: "install-plugin", name, version });
    }
    for (const stack of STACKS) {
      const ref = qualifiedStackName(input.org, input.project, stack);
      actions.push({
        kind: "apply-github",
        stack,
        ref,
        target: githubTarget(input.project, stack),
      });
    }
  }
  // A destination bootstrap did not write is never planned over (main refuses it first).
  for (const w of input.observed.workflows.filter(needsCopy)) {
    actions.push({ kind: "copy-workflow", from: w.from, to: w.to, replace: w.state === "ours" });
  }
  return { actions, prompts };
}
