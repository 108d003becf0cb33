/**
 * The only module that reads Pulumi configuration. It collects every key under
 * the project's namespace, validates them all with the zod schema and returns a
 * typed StackConfig, or throws one error listing every problem (key, value,
 * expectation) before any resource is registered. Secret values never appear
 * in a message and leave this module wrapped as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
  HIDDEN,
  ParsedStackConfig,
  SECRET_KEYS,
  STRING_KEYS,
  stackConfigSchema,
} from "./config-schema";

export type StackConfig = Omit<ParsedStackConfig, "registryToken" | "appSecrets" | "kubeconfig"> & {
  /** The stack's name, used as the environment label. */
  readonly environment: string;
  /** The config namespace (the project name), for messages. */
  readonly configNamespace: string;
  readonly registryToken: pulumi.Output<string>;
  readonly appSecrets: pulumi.Output<Record<string, string>>;
  /** Kubeconfig for the environment's GitHub secret (only with `github`). */
  readonly kubeconfig?: pulumi.Output<string>;
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

/** Reads, validates and types the current stack's configuration. */
export function loadConfig(): StackConfig {
  const config = new pulumi.Config();
  const ns = config.name;
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const prefix = `${ns}:`;
  for (const fullKey of Object.keys(pulumi.runtime.allConfig()).sort()) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = config.get(key) ?? "";
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
  const raw = decodeEngineConfig(values);
  return parseStackConfig(raw, { namespace: ns, environment: pulumi.getStack() }, problems);
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
 * for tests; `loadConfig` is the entry point for programs.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  ctx: { namespace: string; environment: string },
  earlierProblems: string[] = [],
): StackConfig {
  // Pulumi.yaml declares "" as the default of optional keys: not set, the schema's default applies.
  const set = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ""));
  const result = stackConfigSchema.safeParse(set, { reportInput: true });
  const problems = [
    ...new Set([
      ...earlierProblems,
      ...(result.success
        ? []
        : result.error.issues.flatMap((i) => describeIssue(i, ctx.namespace))),
    ]),
  ];
  if (!result.success || problems.length > 0) {
    throw new ConfigError(problems);
  }
  const { registryToken, appSecrets, kubeconfig, ...plain } = result.data;
  return {
    ...plain,
    environment: ctx.environment,
    configNamespace: ctx.namespace,
    registryToken: pulumi.secret(registryToken),
    appSecrets: pulumi.secret(appSecrets),
    appSecretKeys: Object.keys(appSecrets).sort(),
    kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig),
  };
}

function describeIssue(issue: z.core.$ZodIssue, ns: string): string[] {
  const path = issue.path.map(String);
  const key = `${ns}:${formatPath(path)}`;
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(path).join(", ");
    const parent = path.length ? `${key}.` : `${ns}:`;
    return issue.keys.map((k) => `${parent}${k} is not a known key: expected one of ${known}`);
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0]?.message ?? "a valid key";
    return [`${key} is not a valid name: expected ${inner}`];
  }
  const expected =
    issue.code === "invalid_type" && issue.message.startsWith("Invalid input")
      ? issue.expected === "object"
        ? "an object"
        : issue.expected
      : issue.message;
  // A union's discriminator issue carries the whole object: show the discriminator's value.
  const input =
    issue.code === "invalid_union" && isRecord(issue.input)
      ? issue.input[path[path.length - 1] ?? ""]
      : issue.input;
  if (input === undefined) {
    return [`${key} is missing: expected ${expected}`];
  }
  const secret = (SECRET_KEYS as readonly string[]).includes(path[0] ?? "");
  const shown = secret ? "[secret]" : input === HIDDEN ? "[not shown]" : show(input);
  return [`${key} = ${shown}: expected ${expected}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function formatPath(path: string[]): string {
  return path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i ? "." : ""}${p}`)).join("");
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The keys the schema accepts at an object path, for "unknown key" messages. */
function knownKeysAt(path: string[]): string[] {
  let schema: z.core.$ZodType = stackConfigSchema;
  for (const p of path) {
    schema = unwrap(schema);
    const shape = (schema as unknown as { shape?: Record<string, z.core.$ZodType> }).shape;
    const options = (schema as unknown as { options?: z.core.$ZodType[] }).options;
    const next =
      shape?.[p] ??
      options
        ?.map((o) => unwrap(o) as unknown as { shape: Record<string, z.core.$ZodType> })
        .find((o) => p in o.shape)?.shape[p];
    if (!next) return [];
    schema = next;
  }
  const unwrapped = unwrap(schema) as unknown as {
    shape?: Record<string, unknown>;
    options?: { shape: Record<string, unknown> }[];
  };
  const keys = unwrapped.shape
    ? Object.keys(unwrapped.shape)
    : (unwrapped.options ?? []).flatMap((o) => Object.keys(o.shape));
  return [...new Set(keys)];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema as unknown as {
    _zod: { def: { innerType?: z.core.$ZodType; in?: z.core.$ZodType; type: string } };
  };
  for (;;) {
    const def = s._zod.def;
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!inner) return s as unknown as z.core.$ZodType;
    s = inner as unknown as typeof s;
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
