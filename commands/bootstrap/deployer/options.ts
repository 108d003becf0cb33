/**
 * The command line of `npm run bootstrap -- deployer …` and the target it resolves to:
 * every problem at once, one line each, naming the option, the value and what was
 * expected.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { label } from "../../../src/config/fields";
import { stackConfigSchema } from "../../../src/config/schema";
import { APP, type MeshMode } from "../../../src/names";
import { DEPLOYER, type DeployerTarget } from "./rbac";

export const DEPLOYER_USAGE = `usage: npm run bootstrap -- deployer --stack NAME [options]

The deploy jobs' cluster identity for one stack, made once by someone who administers
the cluster, with their own kubeconfig: the app's namespace, a ServiceAccount
${DEPLOYER} with a Role and RoleBinding in it, and the right to read that namespace.
Without --apply it prints the manifests (YAML) and changes nothing. Set the stack's
travel:createNamespace to false to deploy with it (docs/delivery.md#the-deployer).

  --stack NAME          the stack (the namespace's instance label; Pulumi.NAME.yaml, when
                        there, gives travel:namespace and travel:meshMode)
  --namespace NAME      the app's namespace (default: the stack file's, else the default)
  --project DIR         the program's folder (default: this checkout)
  --apply               apply the manifests (kubectl apply --server-side)
  --kubeconfig FILE     with --apply: write a kubeconfig that logs in as ${DEPLOYER}
                        with a ServiceAccount token (file mode 600)
  --token-duration D    the token's lifetime, e.g. 720h (default 8760h; the API server
                        may cap it: make a new one before it ends)`;

export interface DeployerOptions {
  readonly target: DeployerTarget;
  readonly apply: boolean;
  readonly kubeconfigOut?: string;
  readonly tokenDuration: string;
  readonly help: boolean;
}

const VALUES = ["--stack", "--namespace", "--project", "--kubeconfig", "--token-duration"];
const FLAGS = ["--apply", "--help"];
const DURATION = /^[1-9][0-9]*(h|m|s)$/;
export const DEFAULT_TOKEN_DURATION = "8760h";

/** travel:namespace and travel:meshMode of the stack file, when it exists. */
function stackFileKeys(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  return { namespace: config[`${APP}:namespace`], meshMode: config[`${APP}:meshMode`] };
}

/** Parses the arguments after `deployer`; throws one line per problem. */
export function parseDeployerOptions(argv: readonly string[], root: string): DeployerOptions {
  const problems: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    if (FLAGS.includes(name!) || name === "-h") flags.add(name === "-h" ? "--help" : name!);
    else if (VALUES.includes(name!)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") problems.push(`${name}: expected a value`);
      else values.set(name!, value);
    } else problems.push(`${arg}: expected one of ${[...FLAGS, ...VALUES].join(", ")}`);
  }
  const help = flags.has("--help");
  const stack = values.get("--stack");
  if (stack === undefined && !help) problems.push("--stack: expected the stack, e.g. prod");
  if (stack !== undefined && !label.safeParse(stack).success) {
    problems.push(`--stack = "${stack}": expected a stack name that is an RFC 1123 label`);
  }
  const fromFile =
    stack === undefined
      ? {}
      : stackFileKeys(join(values.get("--project") ?? root, `Pulumi.${stack}.yaml`));
  const namespace = stackConfigSchema.shape.namespace.safeParse(
    values.get("--namespace") ?? fromFile.namespace,
  );
  if (!namespace.success) {
    problems.push(
      `--namespace = "${values.get("--namespace") ?? String(fromFile.namespace)}": expected ${namespace.error.issues[0]!.message}`,
    );
  }
  const meshMode = stackConfigSchema.shape.meshMode.safeParse(fromFile.meshMode);
  if (!meshMode.success) {
    problems.push(
      `travel:meshMode = "${String(fromFile.meshMode)}" (Pulumi.${stack}.yaml): expected ${meshMode.error.issues[0]!.message}`,
    );
  }
  const duration = values.get("--token-duration") ?? DEFAULT_TOKEN_DURATION;
  if (!DURATION.test(duration)) {
    problems.push(
      `--token-duration = "${duration}": expected a whole number of h, m or s, e.g. 720h`,
    );
  }
  const kubeconfigOut = values.get("--kubeconfig");
  if (kubeconfigOut !== undefined && !flags.has("--apply")) {
    problems.push(
      "--kubeconfig: expected --apply with it (the token is made for the applied ServiceAccount)",
    );
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return {
    target: {
      namespace: namespace.data!,
      environment: stack ?? "",
      meshMode: meshMode.data as MeshMode,
    },
    apply: flags.has("--apply"),
    ...(kubeconfigOut !== undefined ? { kubeconfigOut } : {}),
    tokenDuration: duration,
    help,
  };
}
