/**
 * Secrets only by reference: no secret-looking keys in ConfigMaps and no plain
 * `value` for secret-looking environment variables.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeObject, K8sObject, kindOf, podObjectOf } from "./k8s";

/** Name segments that mark a value as a secret. */
const SECRET_WORDS = ["KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIALS"];

/**
 * Whether a key or variable name looks like it holds a secret: one of its
 * segments (split on non-alphanumerics and camelCase humps) is KEY, APIKEY,
 * TOKEN, SECRET, PASSWORD, PASSWD or CREDENTIALS, case-insensitively. So
 * `OPENAI_API_KEY`, `apiKey`, `db.password` match; `KEYCLOAK_URL`, `MONKEY` do not.
 */
export function looksSecret(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/[^A-Za-z0-9]+/)
    .some((segment) => SECRET_WORDS.includes(segment.toUpperCase()));
}

export const noSecretsInConfigMaps: ResourceValidationPolicy = {
  name: "no-secrets-in-configmaps",
  description: "ConfigMaps hold no secret-looking keys (*KEY*, *TOKEN*, *SECRET*, *PASSWORD*).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (kindOf(args.type) !== "ConfigMap") return;
    const props = args.props as K8sObject;
    const keys = [...Object.keys(props.data ?? {}), ...Object.keys(props.binaryData ?? {})];
    for (const key of keys.filter(looksSecret)) {
      reportViolation(
        `${describeObject(args.type, args.name, props)}: key "${key}" looks like a secret. Fix: move it ` +
          `to a Secret (travel:appSecrets, set with --secret) and read it with secretKeyRef.`,
      );
    }
  },
};

export const noPlainSecretEnv: ResourceValidationPolicy = {
  name: "no-plain-secret-env",
  description:
    "Environment variables whose names look secret come from secretKeyRef, never a plain value.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowNames: {
        type: "array",
        items: { type: "string" },
        description: "Secret-looking names that are not secrets (e.g. a public browser key).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const allowed = args.getConfig<{ allowNames?: string[] }>().allowNames ?? [];
    for (const { container, where } of podObjectOf(args)?.containers() ?? []) {
      for (const env of container.env ?? []) {
        const name = env.name ?? "";
        if (
          env.value === undefined ||
          env.value === null ||
          !looksSecret(name) ||
          allowed.includes(name)
        )
          continue;
        reportViolation(
          `${where}: env "${name}" has a plain value. Fix: put the value in ` +
            `travel:appSecrets (--secret) and list "${name}" in travel:<workload>.secretEnv so it ` +
            `is read with valueFrom.secretKeyRef.`,
        );
      }
    }
  },
};
