/**
 * The only module that reads Pulumi configuration. It collects every key under
 * the project's namespace, validates them all with the zod schema and returns a
 * typed StackConfig, or throws one error listing every problem (key, value,
 * expectation) before any resource is registered: the template's passphrase on a
 * real stack among them (./passphrase.ts). Secret values never appear in a message
 * and leave this module wrapped as Pulumi secrets. The settings stack's config is
 * validated by ./settings.ts (loadSettingsConfig).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { kubeconfigFiles } from "./kubeconfig";
import { describeRuleIssue, describeZodIssue } from "./messages";
import { placeholderPassphraseProblem } from "./passphrase";
import { stackFileSecurePaths } from "./secure-paths";
import { crossKeyIssues, type RuleContext } from "./rules";
import { ParsedStackConfig, SECRET_KEYS, STRING_KEYS, stackConfigSchema } from "./schema";
import {
  codeOwnersProblem,
  parseSettingsConfig,
  retiredAppKeys,
  retiredKeyProblems,
  type SettingsConfig,
} from "./settings";

export type StackConfig = Omit<
  ParsedStackConfig,
  "registryToken" | "registryPullToken" | "appSecrets"
> & {
  /** The stack's name, used as the environment label. */
  readonly environment: string;
  /** The config namespace (the project name), for messages. */
  readonly configNamespace: string;
  /**
   * The push token (build mode only): `registryToken`, or the value of the environment
   * variable `registry.pushTokenEnv` names.
   */
  readonly registryToken?: pulumi.Output<string>;
  /** The config key the push token comes from, for messages. */
  readonly pushTokenKey: string;
  /** The read-only token of the pull secret (none for a public registry). */
  readonly registryPullToken?: pulumi.Output<string>;
  readonly appSecrets: pulumi.Output<Record<string, string>>;
  /** The app secret names (not their values). */
  readonly appSecretKeys: string[];
};

/** Thrown for invalid configuration; printed by Pulumi without a stack trace. */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: string[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
  }
}

/**
 * Reads, validates and types the current app stack's configuration. `env` is the
 * environment the CLI handed the program: a real stack run with the template's
 * placeholder passphrase is one of the problems.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  projectDir = process.cwd(),
): StackConfig {
  const { raw, namespace, problems } = readConfig(env, projectDir);
  return parseStackConfig(raw, { namespace, environment: pulumi.getStack(), env }, problems);
}

/** Reads and validates the settings stack's configuration (`github` alone). */
export function loadSettingsConfig(env: NodeJS.ProcessEnv = process.env): SettingsConfig {
  const { raw, namespace, problems } = readConfig(env, process.cwd());
  const settings = parseSettingsConfig(raw, { namespace, environment: pulumi.getStack() });
  const codeOwners = codeOwnersProblem(process.cwd());
  const all = [
    ...new Set([...problems, ...settings.problems, ...(codeOwners ? [codeOwners] : [])]),
  ];
  if (all.length > 0 || settings.config === undefined) throw new ConfigError(all);
  return settings.config;
}

/** Every key under the project's namespace, decoded, and the problems of how it is stored. */
function readConfig(env: NodeJS.ProcessEnv, projectDir: string) {
  const config = new pulumi.Config();
  const ns = config.name;
  const values: Record<string, string> = {};
  const passphrase = placeholderPassphraseProblem([pulumi.getStack()], env);
  const problems: string[] = passphrase === undefined ? [] : [passphrase];
  const prefix = `${ns}:`;
  let secure: string[] | undefined;
  for (const fullKey of Object.keys(pulumi.runtime.allConfig()).sort()) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = config.get(key) ?? "";
    if ((key === "backend" || key === "frontend") && isStoredAsSecret(fullKey)) {
      // The stack file says which value is the secret; the engine, only that the key holds one.
      secure ??= stackFileSecurePaths(projectDir, pulumi.getStack());
      const exact = secure.filter((p) => p.startsWith(`${fullKey}.`));
      for (const where of exact.length > 0 ? exact : [fullKey]) {
        problems.push(
          `${where} ${where === fullKey ? "holds" : "is"} a secret value (set with --secret --path): ` +
            `the workload's config, env included, lands in the Deployment in plaintext; expected ` +
            `the value in appSecrets (pulumi config set --secret --path appSecrets.NAME) and NAME ` +
            `in ${key}.secretEnv`,
        );
      }
    }
    if (
      (SECRET_KEYS as readonly string[]).includes(key) &&
      values[key] !== "" &&
      !isStoredAsSecret(fullKey)
    ) {
      problems.push(
        `${fullKey} is stored in plaintext: expected a secret (pulumi config set --secret)`,
      );
    }
  }
  return { raw: decodeEngineConfig(values), namespace: ns, problems };
}

/**
 * Whether the kubernetes provider has a cluster to talk to: its own `kubernetes:kubeconfig`
 * or a kubeconfig file (./kubeconfig.ts). Without one it previews writes blind but fails
 * every read.
 */
export function hasKubeconfig(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    new pulumi.Config("kubernetes").get("kubeconfig") !== undefined ||
    kubeconfigFiles(env, homedir(), existsSync).length > 0
  );
}

/**
 * Turns config values as the engine hands them to programs (every scalar a
 * string, objects and lists as JSON) into typed values, key by key.
 */
export function decodeEngineConfig(
  values: Readonly<Record<string, string>>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      (STRING_KEYS as readonly string[]).includes(key) ? value : parseJson(value),
    ]),
  );
}

/**
 * Validates raw config values (keys without the namespace prefix). Exported
 * for tests; `loadConfig` is the entry point for programs. Every problem is
 * reported: each key's own, and every rule across keys whose keys are valid. `ctx.env`
 * (none: empty) is where `registry.pushTokenEnv` is read.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  ctx: { namespace: string; environment: string } & Partial<
    Pick<RuleContext, "isDirectory" | "isFile" | "env">
  >,
  earlierProblems: string[] = [],
): StackConfig {
  // Pulumi.yaml declares "" as the default of optional keys: not set, the schema's default applies.
  const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ""));
  // Keys that moved off the app stacks get a line of their own, not "not a known key".
  const retired = retiredKeyProblems(given, ctx);
  const set = Object.fromEntries(
    Object.entries(given).filter(([k]) => !(k in retiredAppKeys(ctx.environment))),
  );
  const result = stackConfigSchema.safeParse(set, { reportInput: true });
  const shape = stackConfigSchema.shape as Record<string, z.ZodType>;
  // When some key is invalid, the others still count: parse each on its own.
  const values: Record<string, unknown> = {};
  const valid = new Set<string>();
  for (const key of Object.keys(shape)) {
    const one = result.success
      ? { success: true as const, data: (result.data as Record<string, unknown>)[key] }
      : shape[key]!.safeParse(set[key]);
    if (one.success) {
      values[key] = one.data;
      valid.add(key);
    }
  }
  const rules = crossKeyIssues(values, valid, {
    stack: ctx.environment,
    project: ctx.namespace,
    ...ctx,
  });
  const problems = [
    ...new Set([
      ...earlierProblems,
      ...retired,
      ...(result.success
        ? []
        : result.error.issues.flatMap((i) => describeZodIssue(i, ctx.namespace, set))),
      ...rules.map((i) => describeRuleIssue(i, ctx.namespace)),
    ]),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(problems);
  }
  const { registryToken, registryPullToken, appSecrets, ...plain } = result.data;
  const secret = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));
  // Only a build reads the push token; the rules made sure the variable is set then.
  const pushTokenEnv = plain.images.mode === "build" ? plain.registry.pushTokenEnv : undefined;
  return {
    ...plain,
    environment: ctx.environment,
    configNamespace: ctx.namespace,
    registryToken: secret(pushTokenEnv === undefined ? registryToken : ctx.env?.[pushTokenEnv]),
    pushTokenKey: pushTokenEnv === undefined ? "registryToken" : "registry.pushTokenEnv",
    registryPullToken: secret(registryPullToken),
    appSecrets: pulumi.secret(appSecrets),
    appSecretKeys: Object.keys(appSecrets).sort(),
  };
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Whether the engine holds this key as a secret (internal SDK API, guarded). */
function isStoredAsSecret(fullKey: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const internal = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret?: (k: string) => boolean;
  };
  return internal.isConfigSecret ? internal.isConfigSecret(fullKey) : true;
}
