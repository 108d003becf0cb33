/**
 * The kubeconfig bootstrap sets as each environment's KUBECONFIG secret (the file given
 * for it), checked before anything changes with the program's own rule
 * (src/config/kubeconfig.ts): one the deploy and rollback jobs cannot use as it is, such
 * as one that logs in through `aws eks get-token`, stops the run with the plugin's name
 * and the remedy, instead of a deploy job failing at its first kubectl. The settings
 * stack's `travel:github.environments.<env>.kubeconfigPlugin` accepts an exec plugin.
 */
import { acceptPluginKey, kubeconfigRunnerProblem } from "../../src/config/kubeconfig";
import { STACKS, type StackName } from "./environments";
import { type Observed, secretKey } from "./plan";
import { KUBECONFIG_SECRET, type SecretInput, type SecretNeed, secretNeeds } from "./secrets";
import { plainValue, type StackFile } from "./stack-file";

type Env = Readonly<Record<string, string | undefined>>;

/** The exec plugin the settings stack's file accepts for `stack`'s kubeconfig, if any. */
export function acceptedPlugin(settings: StackFile, stack: StackName): string | undefined {
  const v = plainValue(settings, acceptPluginKey(stack));
  return typeof v === "string" ? v : undefined;
}

/** What is wrong with `value` as the kubeconfig of `need`'s stack (for an answer at its prompt). */
export function kubeconfigAnswerProblem(
  observed: Observed,
  need: SecretNeed,
  value: string,
): string | undefined {
  if (need.into !== "environment" || need.path !== KUBECONFIG_SECRET) return undefined;
  return kubeconfigRunnerProblem(
    value,
    need.stack,
    acceptedPlugin(observed.settings.file, need.stack),
  );
}

export interface KubeconfigCheckInput {
  readonly project: string;
  readonly observed: Observed;
  /** The secrets given in the environment, by `<stack>:<path>`. */
  readonly given: ReadonlyMap<string, SecretInput>;
  /** The environment they were given in (for the file a variable names). */
  readonly env: Env;
  /** Whether bootstrap manages GitHub (the only use of the kubeconfigs). */
  readonly github: boolean;
}

/** One line per environment whose given kubeconfig the jobs could not use: `<VARIABLE> = "<file>": expected …`. */
export function kubeconfigProblems(input: KubeconfigCheckInput): string[] {
  if (!input.github) return [];
  return STACKS.flatMap((stack) => {
    const { file } = input.observed.stacks[stack];
    const need = secretNeeds(stack, file, true).find((n) => n.path === KUBECONFIG_SECRET)!;
    const given = input.given.get(secretKey(stack, need.path));
    if (given === undefined) return [];
    const problem = kubeconfigAnswerProblem(input.observed, need, given.value);
    if (problem === undefined) return [];
    const variable = need.env.find((v) => (input.env[v] ?? "") !== "")!;
    return [`${variable} = "${input.env[variable]}": expected ${problem}`];
  });
}
