/**
 * The two roles a stack can have, and what each refuses of the other's: the settings
 * stack (names.ts SETTINGS_STACK) holds `travel:github` and nothing else; every other
 * stack deploys the app and refuses `travel:github` (and the retired `travel:kubeconfig`).
 * The role is the stack's name, as the workflows select it (`pulumi up --stack github` in
 * the settings job, the only job with the admin token), so a key set on the wrong stack
 * is a config error rather than a change of what the stack does.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  githubConfigIssues,
  githubConfigSchema,
  settingsStackSchema,
  type GitHubConfig,
} from "./github-schema";
import { describeRuleIssue, describeZodIssue } from "./messages";
import { SETTINGS_STACK } from "../names";

/** The validated config of the settings stack. */
export interface SettingsConfig {
  /** The stack's name (SETTINGS_STACK). */
  readonly environment: string;
  readonly github: GitHubConfig;
}

/** Whether `stack` is the settings stack (and not an app stack). */
export const isSettingsStack = (stack: string) => stack === SETTINGS_STACK;

/** The only key of the settings stack. */
const SETTINGS_KEY = "github";

/** Whether a key holds a value: Pulumi.yaml declares "" and {} as "not set" defaults. */
const isSet = (v: unknown) =>
  v !== "" &&
  !(v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);

/**
 * App-stack keys that moved away, each with the "expected …" half of its line: the
 * GitHub settings to the settings stack, the kubeconfig to its GitHub environment's
 * secret (in the stack's config, any job that decrypts the stack could read it).
 */
export function retiredAppKeys(stack: string): Readonly<Record<string, string>> {
  return {
    github:
      `no GitHub settings on the app stack "${stack}": the settings stack "${SETTINGS_STACK}" ` +
      `(Pulumi.${SETTINGS_STACK}.yaml) manages them, in a job of its own that alone holds ` +
      `the admin token; move them there and remove them here (pulumi config rm github)`,
    kubeconfig:
      `no kubeconfig in the app stack's config (every job that decrypts the stack could ` +
      `read it): the deploy jobs read their environment's KUBECONFIG secret ` +
      `(gh secret set KUBECONFIG --env ${stack} --repo OWNER/NAME < FILE, or bootstrap); ` +
      `remove it here (pulumi config rm kubeconfig)`,
  };
}

/** One line per retired key set on an app stack (the keys without the namespace). */
export function retiredKeyProblems(
  set: Readonly<Record<string, unknown>>,
  ctx: { namespace: string; environment: string },
): string[] {
  const retired = retiredAppKeys(ctx.environment);
  return Object.keys(set)
    .filter((k) => k in retired && isSet(set[k]))
    .map((k) =>
      describeRuleIssue({ path: [k], message: retired[k]!, input: set[k] }, ctx.namespace),
    );
}

/**
 * Validates the settings stack's raw config (keys without the namespace): `github` and
 * no other key. Returns the config, or the problems (every one, one line each).
 */
export function parseSettingsConfig(
  raw: Record<string, unknown>,
  ctx: { namespace: string; environment: string },
): { config?: SettingsConfig; problems: string[] } {
  const set = Object.fromEntries(Object.entries(raw).filter(([, v]) => isSet(v)));
  const problems: string[] = [];
  for (const key of Object.keys(set)
    .filter((k) => k !== SETTINGS_KEY)
    .sort()) {
    problems.push(
      describeRuleIssue(
        {
          path: [key],
          message:
            `no app key on the settings stack "${ctx.environment}": it manages only the ` +
            `repository's GitHub settings (app keys belong in the app stacks' files)`,
          input: set[key],
        },
        ctx.namespace,
      ),
    );
  }
  const result = githubConfigSchema.safeParse(set[SETTINGS_KEY], { reportInput: true });
  if (!result.success) {
    problems.push(
      ...result.error.issues.flatMap((i) =>
        describeZodIssue(
          { ...i, path: [SETTINGS_KEY, ...i.path] },
          ctx.namespace,
          set,
          settingsStackSchema,
        ),
      ),
    );
    return { problems };
  }
  problems.push(...githubConfigIssues(result.data).map((i) => describeRuleIssue(i, ctx.namespace)));
  if (problems.length > 0) return { problems };
  return { config: { environment: ctx.environment, github: result.data }, problems };
}

/** Where GitHub reads CODEOWNERS, in the order it takes the first found. */
export const CODEOWNERS_PLACES = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/** The git checkout's top folder of `dir`, if it is in one. */
function gitTop(dir: string): string | undefined {
  const r = spawnSync("git", ["-C", dir, "rev-parse", "--show-toplevel"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The problem line when the checkout the settings stack runs from has no CODEOWNERS:
 * GitHub takes "code owners' review required" without one and requires no code owner at
 * all. Nothing outside a git checkout (no repository to speak of).
 */
export function codeOwnersProblem(
  dir: string,
  top: (dir: string) => string | undefined = gitTop,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  const root = top(dir);
  if (root === undefined || CODEOWNERS_PLACES.some((p) => exists(join(root, p)))) return undefined;
  return (
    `CODEOWNERS is missing from ${root}: expected one in ${CODEOWNERS_PLACES.join(", ")} ` +
    `naming the owners of policy/, the stack files and .github/ (npm run bootstrap writes it): ` +
    `the branch protection requires code owners' reviews, which GitHub skips without one`
  );
}
