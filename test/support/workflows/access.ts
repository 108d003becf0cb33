/**
 * Who can read which secret, under GitHub's rules, for every job of every workflow and
 * every trigger: repository secrets reach every job of a same-repository run and no job
 * of a fork's pull request (nor Dependabot's, which gets Dependabot secrets only);
 * environment secrets reach only a job that names the environment and whose ref passes
 * the environment's deployment branch policy (a pull_request run's ref is its merge ref,
 * refs/pull/N/merge, which no branch name matches), after its reviewers approved when it
 * has any. The environments and their policies are src/config/ci-environments.ts.
 */
import type { CiEnvironment } from "../../../src/config/ci-environments";
import type { Job, Workflow } from "./types";

export interface Trigger {
  readonly name: string;
  /** The workflow event. */
  readonly event: "pull_request" | "push" | "workflow_dispatch";
  /** GITHUB_REF of the run. */
  readonly ref: string;
  /** Whether the run gets the repository's Actions secrets at all. */
  readonly secrets: boolean;
}

export const TRIGGERS: readonly Trigger[] = [
  {
    name: "pull request (same repository)",
    event: "pull_request",
    ref: "refs/pull/7/merge",
    secrets: true,
  },
  {
    name: "pull request from a fork",
    event: "pull_request",
    ref: "refs/pull/8/merge",
    secrets: false,
  },
  {
    name: "Dependabot pull request",
    event: "pull_request",
    ref: "refs/pull/9/merge",
    secrets: false,
  },
  { name: "push to main", event: "push", ref: "refs/heads/main", secrets: true },
  { name: "push to another branch", event: "push", ref: "refs/heads/feature", secrets: true },
  {
    name: "workflow_dispatch on main",
    event: "workflow_dispatch",
    ref: "refs/heads/main",
    secrets: true,
  },
  {
    name: "workflow_dispatch on another branch",
    event: "workflow_dispatch",
    ref: "refs/heads/feature",
    secrets: true,
  },
];

/** One secret a job can read: whose it is, and whether a reviewer must approve first. */
export interface Readable {
  readonly environment: string;
  /** The stack whose state or secrets it opens (from its environment). */
  readonly stack: string;
  readonly secret: string;
  readonly afterApproval: boolean;
}

export interface JobAccess {
  /** "<file>#<job>" (with the environment when a job may name several). */
  readonly job: string;
  readonly trigger: string;
  /** The environment the job names, if any. */
  readonly environment?: string;
  readonly readable: readonly Readable[];
}

export interface Model {
  readonly environments: Readonly<Record<string, CiEnvironment>>;
  readonly repositorySecrets: readonly string[];
}

/** Whether the workflow runs on the trigger (its branch filters; paths are ignored: any file may change). */
export function runsOn(wf: Workflow, t: Trigger): boolean {
  const on = wf.on[t.event] as { branches?: string[] } | null | undefined;
  if (on === undefined) return false;
  if (t.event === "pull_request" || on === null || on.branches === undefined) return true;
  return on.branches.some((b) => t.ref === `refs/heads/${b}`);
}

/** GitHub's branch name patterns: `*` matches within a path segment, `**` across them. */
function matches(pattern: string, branch: string): boolean {
  const re = pattern
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  return new RegExp(`^${re}$`).test(branch);
}

/** Whether a run on `ref` passes the environment's deployment branch policy. */
export function passesPolicy(env: CiEnvironment, ref: string): boolean {
  if (env.branches === "all") return true;
  const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
  return branch !== undefined && env.branches.some((p) => matches(p, branch));
}

/** The environments a job may name: its `environment`, with `${{ inputs.x }}` expanded to x's choices. */
export function environmentsOf(wf: Workflow, job: Job): string[] {
  const raw = typeof job.environment === "object" ? job.environment.name : job.environment;
  if (raw === undefined) return [];
  const input = /^\$\{\{\s*inputs\.(\w+)\s*\}\}$/.exec(raw)?.[1];
  if (input === undefined) return [raw];
  const dispatch = wf.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> };
  return dispatch.inputs[input]?.options ?? [];
}

/** Every `secrets.NAME` a job's definition uses; `secrets[...]` (a name computed at run time) as "[dynamic]". */
export function secretsUsed(job: Job): string[] {
  const text = JSON.stringify(job);
  const names = [...text.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  if (/\bsecrets\s*\[/.test(text)) names.push("[dynamic]");
  return [...new Set(names)].sort();
}

/** What a job that names `environment` (or none) can read in a run of `trigger`. */
export function readableBy(model: Model, environment: string | undefined, t: Trigger): Readable[] {
  if (!t.secrets) return [];
  const repo = model.repositorySecrets.map((secret) => ({
    environment: "(repository)",
    stack: "*",
    secret,
    afterApproval: false,
  }));
  if (environment === undefined) return repo;
  const env = model.environments[environment];
  if (env === undefined || !passesPolicy(env, t.ref)) return repo;
  return repo.concat(
    env.secrets.map((secret) => ({
      environment,
      stack: env.stack,
      secret,
      afterApproval: env.reviewers,
    })),
  );
}

/** Every job of every workflow, for every trigger it runs on. */
export function accessOf(model: Model, workflows: Record<string, Workflow>): JobAccess[] {
  const out: JobAccess[] = [];
  for (const [file, wf] of Object.entries(workflows)) {
    for (const t of TRIGGERS.filter((x) => runsOn(wf, x))) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const envs = environmentsOf(wf, job);
        for (const environment of envs.length === 0 ? [undefined] : envs) {
          out.push({
            job: envs.length > 1 ? `${file}#${id} (${environment})` : `${file}#${id}`,
            trigger: t.name,
            ...(environment === undefined ? {} : { environment }),
            readable: readableBy(model, environment, t),
          });
        }
      }
    }
  }
  return out;
}

/**
 * The problems of the workflows against the model, one line each: a secret a job uses
 * that its environment does not hold (a repository secret, or none), the admin token
 * outside the `github` environment, and anything a pull request or dev can read of
 * another stack or the admin token.
 */
export function accessProblems(
  model: Model,
  workflows: Record<string, Workflow>,
  adminToken: string,
): string[] {
  const problems: string[] = [];
  for (const [file, wf] of Object.entries(workflows)) {
    for (const [id, job] of Object.entries(wf.jobs)) {
      const envs = environmentsOf(wf, job);
      for (const secret of secretsUsed(job)) {
        const holders = envs.filter((e) => model.environments[e]?.secrets.includes(secret));
        if (envs.length === 0 || holders.length !== envs.length) {
          problems.push(
            `${file}#${id} uses secrets.${secret}: not a secret of its environment ` +
              `(${envs.length === 0 ? "none" : envs.join(", ")}): a repository secret reaches every job`,
          );
        }
        if (secret === adminToken && envs.some((e) => e !== "github")) {
          problems.push(`${file}#${id} uses secrets.${adminToken} outside the environment github`);
        }
      }
    }
  }
  for (const a of accessOf(model, workflows)) {
    const trigger = TRIGGERS.find((t) => t.name === a.trigger)!;
    const scope =
      trigger.event === "pull_request"
        ? "a pull request"
        : model.environments[a.environment ?? ""]?.stack === "dev"
          ? "a dev job"
          : undefined;
    if (scope === undefined) continue;
    for (const r of a.readable.filter((x) => x.stack !== "dev" || x.secret === adminToken)) {
      problems.push(
        `${a.job} (${a.trigger}): ${scope} can read ${r.secret} of ${r.environment}` +
          (r.afterApproval ? " (after approval)" : ""),
      );
    }
  }
  return problems;
}
