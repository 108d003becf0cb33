/**
 * The workflows' "Select the stack" step: the stack file must fit the backend (a
 * passphrase salt needs a passphrase, and not the template's placeholder; values encrypted by
 * Pulumi Cloud's key cannot be read by a self-managed backend), the stack is selected in the organization the
 * repository variable PULUMI_ORG names (Pulumi Cloud; it becomes the CLI's default, so
 * `--stack <name>` means that organization's stack in every later step), created when
 * missing and allowed, and its secrets must decrypt. Each failure says what to do.
 */
import { placeholderPassphraseProblem } from "../../../src/config/passphrase";
import { backendFrom, qualifiedStackName, SELF_MANAGED_ORG, secretsProviderFor } from "../backend";
import { errorLine, type PulumiCli } from "../pulumi-cli";
import { readStackFile } from "../stack-file";
import type { Step } from "./annotate";

type Env = Readonly<Record<string, string | undefined>>;

export interface StackStepInput {
  readonly cli: PulumiCli;
  readonly project: string;
  readonly stack: string;
  readonly env: Env;
  /** Create the stack when the backend does not have it. */
  readonly create: boolean;
  readonly step: Step;
}

const BOOTSTRAP =
  "run npm run bootstrap against this backend and commit the stack files it writes (docs/delivery.md)";

/** Runs the step; returns its exit code. */
export function stackStep(input: StackStepInput): number {
  const { cli, stack, step, env } = input;
  const backend = backendFrom(undefined, env);
  if (!backend) {
    step.error("no backend: set PULUMI_BACKEND_URL, or PULUMI_ACCESS_TOKEN for Pulumi Cloud");
    return 1;
  }
  const file = readStackFile(cli.cwd, input.project, stack);
  const name = `Pulumi.${stack}.yaml`;
  const passphrase = (env.PULUMI_CONFIG_PASSPHRASE ?? "") !== "";
  if (file.encryptionsalt !== undefined && !passphrase) {
    step.error(
      `${name} has a passphrase encryptionsalt, but PULUMI_CONFIG_PASSPHRASE is not set` +
        (backend.kind === "cloud"
          ? `: on Pulumi Cloud ${BOOTSTRAP} (its secrets then use Pulumi Cloud's key), or set the secret PULUMI_CONFIG_PASSPHRASE`
          : `: set the secret PULUMI_CONFIG_PASSPHRASE of this job's environment (the stack's own passphrase)`),
    );
    return 1;
  }
  // A KMS secretsprovider ignores the passphrase; a salt, or none yet, means the passphrase.
  const placeholder =
    file.secretsprovider === undefined ? placeholderPassphraseProblem([stack], env) : undefined;
  if (placeholder !== undefined) {
    step.error(placeholder);
    return 1;
  }
  if (
    backend.kind === "self-managed" &&
    file.encryptionsalt === undefined &&
    file.secretsprovider === undefined &&
    file.securePaths.length > 0
  ) {
    step.error(
      `${name} holds encrypted values but neither an encryptionsalt nor a secretsprovider: they were ` +
        `encrypted by Pulumi Cloud's key, which a self-managed backend cannot use: ${BOOTSTRAP}`,
    );
    return 1;
  }
  const org = backend.kind === "cloud" ? (env.PULUMI_ORG ?? "") : SELF_MANAGED_ORG;
  if (backend.kind === "cloud" && org !== "") {
    const r = cli.run(["org", "set-default", org]);
    if (r.status !== 0) {
      step.error(`cannot use the Pulumi Cloud organization PULUMI_ORG = "${org}": ${errorLine(r)}`);
      return 1;
    }
  }
  const ref = org === "" ? stack : qualifiedStackName(org, input.project, stack);
  let how = "selected";
  const selected = cli.run(["stack", "select", ref]);
  if (selected.status !== 0) {
    const missing = /no stack named/i.test(selected.stderr);
    if (!missing || !input.create) {
      step.error(
        `cannot select the stack ${ref}: ${errorLine(selected)}` +
          (missing ? `: ${BOOTSTRAP}` : ""),
      );
      return 1;
    }
    const provider =
      file.secretsprovider ??
      (file.encryptionsalt !== undefined ? "passphrase" : secretsProviderFor(backend));
    const init = cli.run(["stack", "init", ref, "--secrets-provider", provider]);
    if (init.status !== 0) {
      const wrong = /incorrect passphrase/i.test(init.stderr);
      step.error(
        `cannot create the stack ${ref} (secrets provider ${provider}): ${errorLine(init)}` +
          (wrong
            ? `: ${name}'s encryptionsalt was made with another passphrase than PULUMI_CONFIG_PASSPHRASE (the template's placeholders?): ${BOOTSTRAP}`
            : ""),
      );
      return 1;
    }
    how = "created";
  }
  const shown = cli.run(["stack", "--show-name", "--fully-qualify-stack-names"]);
  const qualified = shown.status === 0 ? shown.stdout.trim() : ref;
  const decrypt = cli.run(["config", "--json", "--show-secrets", "--stack", ref]);
  if (decrypt.status !== 0) {
    step.error(
      `cannot decrypt the secrets of ${qualified} from ${name} (${errorLine(decrypt)}): they were not ` +
        `made with this stack's secrets provider: ${BOOTSTRAP}`,
    );
    return 1;
  }
  step.setEnv("TRAVEL_STACK", qualified);
  if (how === "created") {
    step.notice(
      `Created the stack ${qualified}: it has the config of ${name}; secrets it lacks are reported by the preview (npm run bootstrap sets them)`,
    );
  } else step.info(`Selected the stack ${qualified}`);
  return 0;
}
