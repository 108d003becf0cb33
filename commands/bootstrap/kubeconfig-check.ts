/**
 * The kubeconfig each stack will hold once bootstrap is done (the file given for it,
 * else the one the stack stores), checked before anything changes with the program's
 * own rule (src/config/kubeconfig.ts): one the deploy and rollback jobs cannot use as it
 * is, such as one that logs in through `aws eks get-token`, stops the run with the
 * plugin's name and the remedy, instead of a deploy job failing at its first kubectl.
 * The stack file's `travel:github.environment.kubeconfigPlugin` accepts an exec plugin.
 */
import { basename } from "node:path";
import { ACCEPT_PLUGIN_KEY, kubeconfigRunnerProblem } from "../../src/config/kubeconfig";
import { STACKS } from "./environments";
import { type Observed, secretKey } from "./plan";
import { type SecretInput, type SecretNeed, secretNeeds } from "./secrets";
import { plainValue, type StackFile } from "./stack-file";

type Env = Readonly<Record<string, string | undefined>>;

/** The exec plugin the stack file accepts for its kubeconfig, if any. */
export function acceptedPlugin(file: StackFile): string | undefined {
  const v = plainValue(file, ACCEPT_PLUGIN_KEY);
  return typeof v === "string" ? v : undefined;
}

/** What is wrong with `value` as the kubeconfig of `need`'s stack (for an answer at its prompt). */
export function kubeconfigAnswerProblem(
  observed: Observed,
  need: SecretNeed,
  value: string,
): string | undefined {
  if (need.path !== "kubeconfig") return undefined;
  return kubeconfigRunnerProblem(value, acceptedPlugin(observed.stacks[need.stack].file));
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

/**
 * One line per stack whose kubeconfig the jobs could not use: `<VARIABLE> = "<file>":
 * expected …` for a file given, `<stack file>: <project>:kubeconfig = [secret]: expected …`
 * for the one the stack stores.
 */
export function kubeconfigProblems(input: KubeconfigCheckInput): string[] {
  if (!input.github) return [];
  return STACKS.flatMap((stack) => {
    const { file, secrets } = input.observed.stacks[stack];
    const need = secretNeeds(stack, file, true).find((n) => n.path === "kubeconfig")!;
    const given = input.given.get(secretKey(stack, need.path));
    const value = given?.value ?? secrets[need.path];
    if (value === undefined) return [];
    const problem = kubeconfigRunnerProblem(value, acceptedPlugin(file));
    if (problem === undefined) return [];
    if (given === undefined) {
      return [
        `${basename(file.path)}: ${input.project}:kubeconfig = [secret]: expected ${problem}`,
      ];
    }
    const variable = need.env.find((v) => (input.env[v] ?? "") !== "")!;
    return [`${variable} = "${input.env[variable]}": expected ${problem}`];
  });
}
