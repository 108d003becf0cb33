/**
 * The state backend and what follows from it: the secrets provider a new stack is
 * created with, the organization part of stack names, and the fully qualified names
 * of the stacks and of each promotion source. Pure functions: bootstrap plans with
 * them and the workflows' stack steps check against them.
 *
 * - Self-managed backends (file://, s3://, azblob://, gs://) know a single organization,
 *   literally "organization": stacks are `organization/<project>/<stack>`, and secrets
 *   are encrypted with a passphrase (PULUMI_CONFIG_PASSPHRASE) unless a KMS is chosen.
 * - Pulumi Cloud (https://api.pulumi.com, or a self-hosted service) has real
 *   organizations: stacks are `<org>/<project>/<stack>`, and the service's own per-stack
 *   key ("default") encrypts secrets unless another provider is chosen.
 */
import { homedir } from "node:os";
import { PROMOTES_FROM, type StackName } from "./environments";

export const PULUMI_CLOUD_URL = "https://api.pulumi.com";

/** The organization name every self-managed backend uses. */
export const SELF_MANAGED_ORG = "organization";

export type StateBackend =
  | { readonly kind: "cloud"; readonly url: string }
  | {
      readonly kind: "self-managed";
      readonly url: string;
      readonly scheme: "file" | "s3" | "azblob" | "gs";
    };

const SCHEMES = ["file", "s3", "azblob", "gs"] as const;
const KMS = /^(awskms|azurekeyvault|gcpkms|hashivault):\/\/\S+$/;
const ORG = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * Parses a backend: "cloud", an https:// service URL, or a self-managed URL.
 * Throws one line naming the value and what was expected.
 */
export function parseBackend(value: string): StateBackend {
  const v = value.trim();
  if (v === "cloud" || v === "app.pulumi.com" || v === "https://app.pulumi.com") {
    return { kind: "cloud", url: PULUMI_CLOUD_URL };
  }
  if (/^https:\/\/[^\s/]+\/?$/.test(v)) return { kind: "cloud", url: v.replace(/\/$/, "") };
  const scheme = /^([a-z0-9]+):\/\/./.exec(v)?.[1];
  const known = SCHEMES.find((s) => s === scheme);
  if (known) return { kind: "self-managed", url: v, scheme: known };
  throw new Error(
    `backend = "${value}": expected "cloud" (Pulumi Cloud), an https:// Pulumi Cloud URL, ` +
      `or a self-managed URL (file://<folder>, s3://<bucket>, azblob://<container>, gs://<bucket>)`,
  );
}

/**
 * The backend from the command line, else from the environment the Pulumi CLI reads:
 * PULUMI_BACKEND_URL, else Pulumi Cloud when PULUMI_ACCESS_TOKEN is set.
 */
export function backendFrom(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): StateBackend | undefined {
  if (option !== undefined) return parseBackend(option);
  const url = env.PULUMI_BACKEND_URL;
  if (url !== undefined && url !== "") return parseBackend(url);
  if (env.PULUMI_ACCESS_TOKEN !== undefined && env.PULUMI_ACCESS_TOKEN !== "") {
    return { kind: "cloud", url: PULUMI_CLOUD_URL };
  }
  return undefined;
}

/** The secrets provider a new stack gets on `backend`, or the validated `override`. */
export function secretsProviderFor(backend: StateBackend, override?: string): string {
  if (override === undefined) return backend.kind === "cloud" ? "default" : "passphrase";
  if (override === "passphrase" || KMS.test(override)) return override;
  if (override === "default") {
    if (backend.kind === "cloud") return override;
    throw new Error(
      `secrets-provider = "default": expected passphrase or a KMS URL on a self-managed backend ` +
        `(the "default" provider is Pulumi Cloud's own key)`,
    );
  }
  throw new Error(
    `secrets-provider = "${override}": expected passphrase, default (Pulumi Cloud only) or a KMS URL ` +
      `(awskms://…, azurekeyvault://…, gcpkms://…, hashivault://…)`,
  );
}

/** Whether stacks with this secrets provider need PULUMI_CONFIG_PASSPHRASE. */
export function needsPassphrase(secretsProvider: string): boolean {
  return secretsProvider === "passphrase";
}

/** The organization of the stacks: fixed on a self-managed backend, chosen on Pulumi Cloud. */
export function organizationFor(backend: StateBackend, org: string | undefined): string {
  if (backend.kind === "self-managed") {
    if (org !== undefined && org !== SELF_MANAGED_ORG) {
      throw new Error(
        `org = "${org}": expected no org (or "${SELF_MANAGED_ORG}") on a self-managed backend, ` +
          `whose stacks are all ${SELF_MANAGED_ORG}/<project>/<stack>`,
      );
    }
    return SELF_MANAGED_ORG;
  }
  if (org === undefined || !ORG.test(org)) {
    throw new Error(
      `org = ${org === undefined ? "(not set)" : `"${org}"`}: expected the Pulumi Cloud organization ` +
        `of the stacks (--org NAME or PULUMI_ORG)`,
    );
  }
  return org;
}

/** The fully qualified name of a stack: `<org>/<project>/<stack>`. */
export function qualifiedStackName(org: string, project: string, stack: string): string {
  return `${org}/${project}/${stack}`;
}

/** The fully qualified name of the stack `stack` promotes from, if it promotes. */
export function promotionSourceName(
  org: string,
  project: string,
  stack: StackName,
): string | undefined {
  const source = PROMOTES_FROM[stack];
  return source === undefined ? undefined : qualifiedStackName(org, project, source);
}

/** A stack name split into its parts; absent parts are undefined. */
export function splitStackName(name: string): { org?: string; project?: string; stack: string } {
  const parts = name.split("/");
  if (parts.length === 3) return { org: parts[0]!, project: parts[1]!, stack: parts[2]! };
  if (parts.length === 2) return { org: parts[0]!, stack: parts[1]! };
  return { stack: name };
}

/** The local folder of a file:// backend (~ expanded), or undefined for other backends. */
export function fileBackendFolder(backend: StateBackend): string | undefined {
  if (backend.kind !== "self-managed" || backend.scheme !== "file") return undefined;
  const path = backend.url.slice("file://".length).replace(/\?.*$/, "");
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}
