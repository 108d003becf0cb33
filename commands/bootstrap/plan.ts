/**
 * The bootstrap plan: from what is there (the observed stacks, stack files, secrets,
 * plugins, CODEOWNERS and workflows) and what was asked for, the list of actions that
 * makes the three app stacks and the settings stack ready for the workflows. Pure: what
 * `--dry-run` prints is exactly what a run would do, and a second run after a successful
 * one plans nothing (but the GitHub environment secrets given again: GitHub never shows
 * one, so a given value is always sent).
 */
import type { Action, ConfigValue } from "./actions";
import {
  type StateBackend,
  fileBackendFolder,
  promotionSourceName,
  qualifiedStackName,
} from "./backend";
import { retiredAppKeys } from "../../src/config/settings";
import { GATED_ENVIRONMENTS } from "../../src/names";
import { type CodeOwners, needsCodeOwners } from "./codeowners";
import { type BootstrapStack, SETTINGS_STACK, STACKS, type StackName } from "./environments";
import type { Contexts } from "./layout";
import { type SecretInput, type SecretNeed, secretNeeds } from "./secrets";
import { encryptionState, plainValue, type StackFile } from "./stack-file";
import { needsCopy, type WorkflowCopy } from "./workflow-copy";

/** The GitHub side bootstrap manages through the settings stack's `travel:github`. */
export interface GitHubSettings {
  /** "owner/name" of the repository the workflows run in. */
  readonly repository: string;
  /**
   * Required reviewers of the gated environments (staging, prod, github), and the code
   * owners of CODEOWNERS (users only: a team owner needs write access GitHub checks).
   */
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
  /** The settings stack (it holds no secret). */
  readonly settings: ObservedStack;
  /** CODEOWNERS at the repository's root, as it is and as bootstrap writes it. */
  readonly codeowners?: CodeOwners;
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

type Desired = readonly [path: string, value: ConfigValue | readonly string[]];

/** What of the run {@link desiredConfig} depends on. */
export type DesiredInput = Pick<PlanInput, "org" | "project" | "contexts" | "github">;

/** The plain config bootstrap sets on the settings stack: the repository, the gates' reviewers. */
export function desiredSettings(github: GitHubSettings): Desired[] {
  return [
    ["github.repository", github.repository],
    ...GATED_ENVIRONMENTS.flatMap((env): Desired[] => [
      [`github.environments.${env}.reviewers.users`, github.reviewers.users],
      [`github.environments.${env}.reviewers.teams`, github.reviewers.teams],
    ]),
  ];
}

/** The plain config bootstrap sets on the app stack `stack`. */
export function desiredConfig(stack: StackName, file: StackFile, input: DesiredInput): Desired[] {
  const out: Desired[] = [];
  const mode = plainValue(file, "images.mode");
  const source = promotionSourceName(input.org, input.project, stack);
  if (source !== undefined && mode === "promote") out.push(["images.fromStack", source]);
  if (mode === "build" && input.contexts) {
    out.push(["images.backend.context", input.contexts.backend]);
    out.push(["images.frontend.context", input.contexts.frontend]);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function configActions(
  stack: BootstrapStack,
  ref: string,
  file: StackFile,
  desired: readonly Desired[],
): Action[] {
  const actions: Action[] = [];
  for (const [path, value] of desired) {
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
    const given = input.given.get(secretKey(stack, need.path));
    if (need.into === "environment") {
      // GitHub never shows an environment secret: one given is sent, else left to the user.
      if (given !== undefined && input.github && input.githubToken) {
        actions.push({
          kind: "set-environment-secret",
          stack,
          repository: input.github.repository,
          need,
          from: given.from,
        });
      }
      continue;
    }
    const stored = fresh ? undefined : observed.secrets[need.path];
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

/** The app stack's keys that moved away (travel:github, travel:kubeconfig), to remove. */
function retiredActions(stack: StackName, ref: string, file: StackFile): Action[] {
  return Object.keys(retiredAppKeys(stack))
    .filter((key) => key in file.config)
    .map((path) => ({ kind: "remove-config", stack, ref, path, why: "retired" }) as const);
}

/** The stack's creation (its file reset first when another provider's state is in it). */
function initActions(
  stack: BootstrapStack,
  ref: string,
  observed: ObservedStack,
  input: PlanInput,
): Action[] {
  if (observed.exists) return [];
  const held = encryptionState(observed.file);
  return [
    ...(held.length > 0
      ? [{ kind: "reset-stack-file", stack, file: observed.file.path, held } as const]
      : []),
    { kind: "init-stack", stack, ref, secretsProvider: input.secretsProvider },
  ];
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
    actions.push(...initActions(stack, ref, observed, input));
    actions.push(...retiredActions(stack, ref, observed.file));
    actions.push(
      ...configActions(stack, ref, observed.file, desiredConfig(stack, observed.file, input)),
    );
    actions.push(...secretActions(stack, ref, observed, !observed.exists, input, prompts));
  }
  if (input.github) {
    const settings = input.observed.settings;
    const ref = qualifiedStackName(input.org, input.project, SETTINGS_STACK);
    actions.push(...initActions(SETTINGS_STACK, ref, settings, input));
    actions.push(
      ...configActions(SETTINGS_STACK, ref, settings.file, desiredSettings(input.github)),
    );
    const codeowners = input.observed.codeowners;
    if (codeowners && needsCodeOwners(codeowners)) {
      actions.push({ kind: "write-codeowners", to: codeowners.to, text: codeowners.want });
    }
    if (input.githubToken) {
      const { name, version } = input.githubPlugin;
      if (!input.observed.plugins.includes(`${name}@${version}`)) {
        actions.push({ kind: "install-plugin", name, version });
      }
      actions.push({ kind: "apply-github", stack: SETTINGS_STACK, ref });
    }
  }
  // An environment's secrets once the settings stack has made the environment (GitHub
  // refuses a secret of an environment that does not exist).
  const envSecrets = actions.filter((a) => a.kind === "set-environment-secret");
  const rest = actions.filter((a) => a.kind !== "set-environment-secret");
  actions.length = 0;
  actions.push(...rest, ...envSecrets);
  // A destination bootstrap did not write is never planned over (main refuses it first).
  for (const w of input.observed.workflows.filter(needsCopy)) {
    actions.push({ kind: "copy-workflow", from: w.from, to: w.to, replace: w.state === "ours" });
  }
  return { actions, prompts };
}
