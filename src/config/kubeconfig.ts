/**
 * Whether the deploy and rollback jobs can use a kubeconfig as it is. Their runners have
 * the kubeconfig file and nothing else: a user that logs in through an exec credential
 * plugin (EKS `aws eks get-token`, GKE `gke-gcloud-auth-plugin`, AKS `kubelogin`) needs
 * that program and its cloud sign-in set up in the jobs, which they do not do; the legacy
 * `auth-provider` entries other than oidc were dropped from the Kubernetes clients in
 * 1.26. Only the current context's user counts (the jobs use no other). Only names are
 * ever reported: never a token, key or the plugin's environment.
 */
import { delimiter, join } from "node:path";
import { parse } from "yaml";

/** How the current context's user logs in, when it takes more than the file. */
export interface CredentialPlugin {
  readonly context: string;
  readonly user: string;
  /** exec: a program the runner must have; auth-provider: one built into the clients. */
  readonly kind: "exec" | "auth-provider";
  /** exec: the command as written (what `kubeconfigPlugin` accepts); else the provider's name. */
  readonly name: string;
}

type Named = { name?: unknown };
const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const named = (list: unknown, name: string): Record<string, unknown> | undefined => {
  const entry = Array.isArray(list)
    ? (list as Named[]).find((e) => isRecord(e) && e.name === name)
    : undefined;
  return entry as Record<string, unknown> | undefined;
};

/** The auth provider the clients still have; the others fail on every call. */
const BUILT_IN_AUTH_PROVIDER = "oidc";

/** The credential plugin of the kubeconfig's current context's user, if it has one. */
export function credentialPlugin(kubeconfig: string): CredentialPlugin | undefined {
  let doc: unknown;
  try {
    doc = parse(kubeconfig);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || typeof doc["current-context"] !== "string") return undefined;
  const context = doc["current-context"];
  const user = named(doc.contexts, context)?.context;
  if (!isRecord(user) || typeof user.user !== "string") return undefined;
  const entry = named(doc.users, user.user)?.user;
  if (!isRecord(entry)) return undefined;
  const where = { context, user: user.user };
  const exec = entry.exec;
  // Its args and env are not read: they may hold anything (a role, a token).
  if (isRecord(exec) && typeof exec.command === "string" && exec.command !== "") {
    return { ...where, kind: "exec", name: exec.command };
  }
  const provider = entry["auth-provider"];
  if (isRecord(provider) && typeof provider.name === "string") {
    if (provider.name === BUILT_IN_AUTH_PROVIDER) return undefined;
    return { ...where, kind: "auth-provider", name: provider.name };
  }
  return undefined;
}

/**
 * The key of the settings stack's `travel:github` that accepts an exec plugin the jobs of
 * `environment` set up.
 */
export const acceptPluginKey = (environment: string) =>
  `github.environments.${environment}.kubeconfigPlugin`;

/**
 * What the jobs of `environment` would need to use `kubeconfig` (their KUBECONFIG
 * secret), as the "expected …" half of a problem line, or undefined when they can use it
 * as it is (or when `accepted` is the exec plugin's command: the user has set that plugin
 * up in the jobs).
 */
export function kubeconfigRunnerProblem(
  kubeconfig: string,
  environment: string,
  accepted?: string,
): string | undefined {
  const plugin = credentialPlugin(kubeconfig);
  if (plugin === undefined || (plugin.kind === "exec" && plugin.name === accepted)) {
    return undefined;
  }
  const who = `the current context "${plugin.context}" logs in as user "${plugin.user}" through`;
  const token =
    "use a kubeconfig with a ServiceAccount token (docs/delivery.md#a-kubeconfig-for-the-jobs)";
  if (plugin.kind === "exec") {
    return (
      `credentials the deploy and rollback jobs can use: ${who} the exec plugin ${plugin.name}, ` +
      `which those jobs neither install nor sign in for; ${token}, or set the plugin up in the ` +
      `jobs and accept it with ${acceptPluginKey(environment)}: ${plugin.name} (Pulumi.github.yaml)`
    );
  }
  return (
    `credentials the deploy and rollback jobs can use: ${who} the auth provider ${plugin.name}, ` +
    `which kubectl and the kubernetes provider no longer have (of the auth providers, only ` +
    `${BUILT_IN_AUTH_PROVIDER} is left since Kubernetes 1.26); ${token}, or the exec plugin that ` +
    `replaced it (gke-gcloud-auth-plugin for gcp, kubelogin for azure), set up in the jobs and ` +
    `accepted with ${acceptPluginKey(environment)} (Pulumi.github.yaml)`
  );
}

/**
 * The kubeconfig files the kubernetes provider and the rollout await load, those that
 * exist: KUBECONFIG's (a list), else `~/.kube/config`. None: the program has no cluster
 * to read (a preview without a kubeconfig, as the workflows run one without the secret).
 */
export function kubeconfigFiles(
  env: NodeJS.ProcessEnv,
  home: string,
  exists: (file: string) => boolean,
): string[] {
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter((f) => f !== "");
  return (listed.length > 0 ? listed : [join(home, ".kube", "config")]).filter(exists);
}
