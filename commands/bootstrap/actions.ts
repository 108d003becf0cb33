/**
 * The steps a bootstrap plan is made of, and how each is shown: one line in words and,
 * for the ones the Pulumi CLI performs, the exact command (secret values never: a
 * secret is piped in from the variable, file or prompt named in its line).
 */
import type { BootstrapStack, StackName } from "./environments";
import type { SecretNeed } from "./secrets";

export type ConfigValue = string | boolean;

export type Action =
  | { readonly kind: "create-folder"; readonly path: string; readonly why: string }
  | { readonly kind: "install-plugin"; readonly name: string; readonly version: string }
  | {
      readonly kind: "reset-stack-file";
      readonly stack: BootstrapStack;
      readonly file: string;
      readonly held: readonly string[];
    }
  | {
      readonly kind: "init-stack";
      readonly stack: BootstrapStack;
      readonly ref: string;
      readonly secretsProvider: string;
    }
  | {
      readonly kind: "set-config";
      readonly stack: BootstrapStack;
      readonly ref: string;
      readonly path: string;
      readonly value: ConfigValue;
      readonly was: unknown;
    }
  | {
      readonly kind: "remove-config";
      readonly stack: BootstrapStack;
      readonly ref: string;
      readonly path: string;
      /** "retired": a key the program refuses on an app stack now (travel:github, kubeconfig). */
      readonly why?: "retired";
    }
  | {
      readonly kind: "set-secret";
      readonly stack: StackName;
      readonly ref: string;
      readonly need: SecretNeed;
      /** Where the value comes from: "$NAME", "the file $NAME names" or "the terminal". */
      readonly from: string;
      readonly reason: "missing" | "changed";
    }
  | {
      readonly kind: "apply-github";
      readonly stack: BootstrapStack;
      readonly ref: string;
    }
  | {
      readonly kind: "set-environment-secret";
      readonly stack: StackName;
      /** "owner/name". */
      readonly repository: string;
      readonly need: SecretNeed;
      /** Where the value comes from: "$NAME" or "the file $NAME names". */
      readonly from: string;
    }
  | {
      readonly kind: "write-codeowners";
      /** Relative to the repository's top folder. */
      readonly to: string;
      readonly text: string;
    }
  | {
      readonly kind: "copy-workflow";
      readonly from: string;
      readonly to: string;
      /** Whether it replaces an earlier copy of bootstrap's. */
      readonly replace: boolean;
    };

/** The gh arguments of an environment secret's update (its value goes on standard input). */
export function ghSecretArgs(a: Extract<Action, { kind: "set-environment-secret" }>): string[] {
  return ["secret", "set", a.need.path, "--env", a.stack, "--repo", a.repository];
}

/** The Pulumi CLI arguments of an action the CLI performs (undefined for the others). */
export function cliArgs(a: Action): string[] | undefined {
  switch (a.kind) {
    case "install-plugin":
      return ["plugin", "install", "resource", a.name, a.version];
    case "init-stack":
      return ["stack", "init", a.ref, "--secrets-provider", a.secretsProvider, "--no-select"];
    case "set-config":
      return ["config", "set", "--path", a.path, String(a.value), "--stack", a.ref];
    case "remove-config":
      return ["config", "rm", "--path", a.path, "--stack", a.ref];
    case "set-secret":
      return ["config", "set", "--secret", "--raw", "--path", a.need.path, "--stack", a.ref];
    default:
      return undefined;
  }
}

const show = (v: unknown) => (v === undefined ? "not set" : JSON.stringify(v));

/** One line: what the action does and why. */
export function describeAction(a: Action): string {
  const cli = cliArgs(a);
  const cmd = cli ? `: pulumi ${cli.join(" ")}` : "";
  switch (a.kind) {
    case "create-folder":
      return `create the folder ${a.path} (${a.why})`;
    case "install-plugin":
      return `install the ${a.name} ${a.version} plugin (the GitHub settings need it)${cmd}`;
    case "reset-stack-file":
      return (
        `${a.stack}: remove ${a.held.join(", ")} from ${a.file}: made with another secrets ` +
        `provider (the template's placeholders, or another backend's), they cannot be decrypted by the new stack; ` +
        `every secret is set again below`
      );
    case "init-stack":
      return `${a.stack}: create the stack ${a.ref} with the ${a.secretsProvider} secrets provider${cmd}`;
    case "set-config":
      return `${a.stack}: set ${a.path} to ${show(a.value)} (was ${show(a.was)})${cmd}`;
    case "remove-config":
      return a.why === "retired"
        ? `${a.stack}: remove ${a.path} (an app stack holds no GitHub settings or kubeconfig now: the settings stack and the environment's secrets do)${cmd}`
        : `${a.stack}: remove ${a.path} (to set it again)${cmd}`;
    case "set-secret":
      return (
        `${a.stack}: set the secret ${a.need.path} (${a.reason === "missing" ? "not set" : "differs"}) ` +
        `from ${a.from}${cmd}`
      );
    case "apply-github":
      return (
        `${a.stack}: apply the GitHub settings (branch protection, environments and their ` +
        `reviewers): pulumi up --stack ${a.ref} (with GITHUB_TOKEN)`
      );
    case "set-environment-secret":
      return (
        `${a.stack}: set the environment secret ${a.need.path} from ${a.from} (the value on ` +
        `gh's standard input): gh ${ghSecretArgs(a).join(" ")}`
      );
    case "write-codeowners":
      return `write ${a.to} (code owners of the policy pack, the stack files and .github/)`;
    case "copy-workflow":
      return (
        `${a.replace ? "replace bootstrap's earlier copy of" : "copy"} ${a.from} ${a.replace ? "at" : "to"} ${a.to} ` +
        `(GitHub runs workflows from the repository's root only)`
      );
  }
}
