/**
 * The secrets each stack needs, read from the program's own schema (which workloads
 * reference which app secrets, whether the stack builds, whether its registry is
 * public), and where bootstrap takes each value from: an environment variable, per
 * stack first (`OPENAI_API_KEY_PROD`), then shared (`OPENAI_API_KEY`); a kubeconfig from
 * the file an environment variable names; otherwise a hidden prompt on a terminal.
 * Most go into the stack's config; the secrets of the stack's GitHub environment (its
 * kubeconfig, the rollback's registry token) go to GitHub alone, only when given. Values
 * are only ever held in memory and handed to `pulumi config set --secret` or
 * `gh secret set --env` on their standard input.
 */
import { readFileSync } from "node:fs";
import { backendSchema, frontendSchema, imagesSchema } from "../../src/config/schema";
import type { StackName } from "./environments";
import type { StackFile } from "./stack-file";

export interface SecretNeed {
  readonly stack: StackName;
  /**
   * "config": the stack's config, at `path` (`--secret --path`); "environment": the
   * secret `path` of the stack's GitHub environment (never in a stack's config).
   */
  readonly into: "config" | "environment";
  /** The config path, or the environment secret's name. */
  readonly path: string;
  /** Environment variables tried in order. */
  readonly env: readonly string[];
  /** "file": the variable names a file whose content is the value. */
  readonly kind: "value" | "file";
  /** What it is, for prompts and messages. */
  readonly what: string;
}

/** A secret value and where it came from (never the value in messages). */
export interface SecretInput {
  readonly value: string;
  /** e.g. "$OPENAI_API_KEY", "the file $KUBECONFIG_PROD names", "the terminal". */
  readonly from: string;
}

const upper = (stack: string) => stack.toUpperCase().replace(/[^A-Z0-9]/g, "_");
const perStack = (name: string, stack: string) => [`${name}_${upper(stack)}`, name];

/** The names of the app secrets the stack's workloads reference, and any it already lists. */
function appSecretKeys(file: StackFile): string[] {
  const keys = new Set<string>();
  for (const [key, schema] of [
    ["backend", backendSchema],
    ["frontend", frontendSchema],
  ] as const) {
    const parsed = schema.safeParse(file.config[key] ?? {});
    if (parsed.success) for (const k of parsed.data.secretEnv) keys.add(k);
  }
  const listed = file.config.appSecrets;
  if (listed !== null && typeof listed === "object") {
    for (const k of Object.keys(listed)) keys.add(k);
  }
  return [...keys].sort();
}

/**
 * The secrets of the stack's GitHub environment that bootstrap sets when given (with
 * GitHub managed): the jobs' kubeconfig, and the read-only registry token the rollback
 * reads the registry with (none for a public registry).
 */
export const KUBECONFIG_SECRET = "KUBECONFIG";
export const REGISTRY_TOKEN_SECRET = "REGISTRY_TOKEN";

/** Every secret `stack` needs, in a stable order. */
export function secretNeeds(stack: StackName, file: StackFile, github: boolean): SecretNeed[] {
  const needs: SecretNeed[] = [];
  const images = imagesSchema.safeParse(file.config.images);
  const registry = file.config.registry as { public?: unknown; pushTokenEnv?: unknown } | undefined;
  // With registry.pushTokenEnv the push token comes from the job's environment (GITHUB_TOKEN).
  if (images.success && images.data.mode === "build" && registry?.pushTokenEnv === undefined) {
    needs.push({
      into: "config",
      stack,
      path: "registryToken",
      env: perStack("REGISTRY_PUSH_TOKEN", stack),
      kind: "value",
      what: "the registry push token (GHCR: write:packages)",
    });
  }
  if (registry?.public !== true) {
    needs.push({
      into: "config",
      stack,
      path: "registryPullToken",
      env: perStack("REGISTRY_PULL_TOKEN", stack),
      kind: "value",
      what: "the read-only registry pull token (GHCR: read:packages)",
    });
  }
  for (const key of appSecretKeys(file)) {
    needs.push({
      into: "config",
      stack,
      path: `appSecrets.${key}`,
      env: perStack(key, stack),
      kind: "value",
      what: `the app secret ${key}`,
    });
  }
  if (github) {
    needs.push({
      into: "environment",
      stack,
      path: KUBECONFIG_SECRET,
      env: [`KUBECONFIG_${upper(stack)}`],
      kind: "file",
      what: `the kubeconfig of the ${stack} deploy jobs (the ${stack} environment's ${KUBECONFIG_SECRET})`,
    });
    if (registry?.public !== true) {
      needs.push({
        into: "environment",
        stack,
        path: REGISTRY_TOKEN_SECRET,
        env: perStack("REGISTRY_PULL_TOKEN", stack),
        kind: "value",
        what: `the read-only registry token of the ${stack} rollback (the ${stack} environment's ${REGISTRY_TOKEN_SECRET})`,
      });
    }
  }
  return needs;
}

/**
 * The value of `need` from the environment, if set there. A "file" need reads the
 * file; a missing or empty file is an error naming the variable and the path.
 */
export function secretFromEnv(
  need: SecretNeed,
  env: Readonly<Record<string, string | undefined>>,
  read: (path: string) => string = (p) => readFileSync(p, "utf8"),
): SecretInput | undefined {
  for (const name of need.env) {
    const v = env[name];
    if (v === undefined || v === "") continue;
    if (need.kind === "value") return { value: v, from: `$${name}` };
    let content: string;
    try {
      content = read(v);
    } catch (err) {
      throw new Error(`${name} = "${v}": expected a readable file (${(err as Error).message})`);
    }
    if (content.trim() === "") throw new Error(`${name} = "${v}": expected a non-empty kubeconfig`);
    return { value: content, from: `the file $${name} names` };
  }
  return undefined;
}
