/**
 * The committed stack files (Pulumi.<stack>.yaml), read as the engine would,
 * and composed under the mocks with what the engine would supply: the source
 * SHA for build mode and the outputs of the stacks that promote mode references.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { decodeEngineConfig } from "../../src/config/load";
import { compose, Composed } from "./compose";
import { BACKEND_REF, FRONTEND_REF, SHA_A } from "./fixtures";
import { stackReferenceOutputs } from "./mocks";
import { FAKE_NOW } from "./image-lookup";

const ROOT = join(__dirname, "..", "..");

/** The committed stack files: the three environments and the local stack. */
export const STACKS = ["dev", "staging", "prod", "local"] as const;
export type StackName = (typeof STACKS)[number];

/** Config keys every stack must set as secrets. */
export const SECRET_PATHS = [
  "appSecrets.GOOGLE_MAPS_API_KEY",
  "appSecrets.OPENAI_API_KEY",
  "registryToken",
];

type Raw = Record<string, unknown>;

/**
 * The secrets a stack file leaves to whoever runs it: the local stack's registry tokens
 * are the local environment's own, set into a copy of its file by tools/local-stack.sh.
 */
export const SUPPLIED_AT_RUN: Readonly<Partial<Record<StackName, readonly string[]>>> = {
  local: ["registryToken", "registryPullToken"],
};

/**
 * What a stack's deploy job has in its environment for the program: dev's push token is the
 * job's own GITHUB_TOKEN (its `registry.pushTokenEnv`), never a value in its stack file.
 */
export const JOB_ENV: Readonly<Record<string, string>> = {
  GITHUB_TOKEN: "placeholder:env.GITHUB_TOKEN",
};

/** Pulumi.yaml: the project name and its config declarations. */
export const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as {
  name: string;
  config: Record<string, { type?: string; default?: unknown; secret?: boolean }>;
};

export interface LoadedStack {
  /** Config values without the project prefix, project defaults applied. */
  raw: Raw;
  /** Paths of the values stored encrypted (each replaced by `placeholder:<path>` in `raw`). */
  encrypted: string[];
  /** Every plaintext string value of the file. */
  plaintext: string[];
}

/**
 * Reads Pulumi.<stack>.yaml as the engine would (project defaults applied),
 * replacing each encrypted value with a placeholder naming its path (and so each secret
 * supplied at run time, SUPPLIED_AT_RUN).
 */
export function loadStack(stack: string): LoadedStack {
  const file = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const encrypted: string[] = [];
  const plaintext: string[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      if (Object.keys(obj).length === 1 && typeof obj.secure === "string") {
        encrypted.push(path);
        return `placeholder:${path}`;
      }
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    if (typeof value === "string") plaintext.push(value);
    return value;
  };
  // The engine hands every value to the program as a string (objects as JSON).
  const asEngineValue = (value: unknown) =>
    value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
  const values: Record<string, string> = {};
  for (const [name, decl] of Object.entries(project.config)) {
    if (decl.default !== undefined) values[name] = asEngineValue(decl.default);
  }
  for (const [key, value] of Object.entries(file.config)) {
    const name = key.slice(`${project.name}:`.length);
    values[name] = asEngineValue(walk(value, name));
  }
  for (const name of SUPPLIED_AT_RUN[stack as StackName] ?? []) {
    // Pulumi.yaml declares "" as its default.
    if (!values[name]) values[name] = `placeholder:${name}`;
  }
  return { raw: decodeEngineConfig(values), encrypted, plaintext };
}

/**
 * `raw` with a placeholder for each secret the file does not hold yet, for
 * tests about what a stack composes rather than how its secrets are stored.
 */
export function withSecretPlaceholders(raw: Raw): Raw {
  const appSecrets = { ...((raw.appSecrets ?? {}) as Record<string, unknown>) };
  for (const path of SECRET_PATHS.filter((p) => p.startsWith("appSecrets."))) {
    const key = path.slice("appSecrets.".length);
    appSecrets[key] = appSecrets[key] ?? `placeholder:${path}`;
  }
  return { ...raw, registryToken: raw.registryToken ?? "placeholder:registryToken", appSecrets };
}

// Promote mode reads the images of the stack before it; both promote the same build.
const IMAGES = {
  backend: { ref: BACKEND_REF, gitSha: SHA_A },
  frontend: { ref: FRONTEND_REF, gitSha: SHA_A },
};
// Verified a day before the fake lookup's clock: longer ago than any committed soak.
const PROMOTED = {
  images: IMAGES,
  verifiedImages: {
    ...IMAGES,
    verifiedAt: new Date(FAKE_NOW.getTime() - 86_400_000).toISOString(),
  },
};
stackReferenceOutputs["organization/travel/dev"] = PROMOTED;
stackReferenceOutputs["organization/travel/staging"] = PROMOTED;

/**
 * Composes a committed stack (or `raw`, a variant of it) under the mocks, with
 * every build context a clean checkout at SHA_A (test/support/lookup.ts).
 */
export async function composeStackFile(
  stack: string,
  raw = loadStack(stack).raw,
): Promise<Composed> {
  return compose(raw, stack, JOB_ENV);
}
