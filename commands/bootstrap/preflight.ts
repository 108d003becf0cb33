/**
 * What bootstrap refuses once it has looked at the backend and the repository, before it
 * asks for the GitHub token or a secret and before it changes anything: every problem
 * that would otherwise stop it halfway (or the push or the first deploy after it), one
 * line each, all at once.
 */
import { kubeconfigProblems } from "./kubeconfig-check";
import type { Observed } from "./plan";
import type { SecretInput } from "./secrets";
import { needsCopy, workflowCopyProblems } from "./workflow-copy";
import { type ToolRun, workflowPushProblem } from "./workflow-scope";

export interface PreflightInput {
  readonly project: string;
  readonly observed: Observed;
  /** The secrets given in the environment, by `<stack>:<path>`. */
  readonly given: ReadonlyMap<string, SecretInput>;
  /** Whether bootstrap manages GitHub. */
  readonly github: boolean;
  /** The repository's top folder, if the program is in a git checkout. */
  readonly top?: string;
  /** git and gh, to read how the workflow copies would be pushed. */
  readonly run: ToolRun;
  /** The environment: the files the kubeconfig variables name, gh's token. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Every problem found before the first change, one line each (empty: go ahead). */
export function preflightProblems(input: PreflightInput): string[] {
  const copies = input.observed.workflows.filter(needsCopy).map((c) => c.to);
  const push = workflowPushProblem(input.top, copies, input.run, input.env);
  return [
    ...workflowCopyProblems(input.observed.workflows),
    ...(push ? [push] : []),
    ...kubeconfigProblems(input),
  ];
}
