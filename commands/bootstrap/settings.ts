/**
 * The settings of one bootstrap run, resolved from the options, the environment and the
 * checkout: the project, the backend and its secrets provider, the organization and the
 * stacks' names, the layout and its build contexts, and the GitHub repository and
 * reviewers. Every problem is reported at once, before anything is read from the backend
 * (the template's placeholder passphrase and GitHub settings the program would refuse
 * among them).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parse } from "yaml";
import { placeholderPassphraseProblem, PASSPHRASE_VAR } from "../../src/config/passphrase";
import { MAX_REVIEWERS } from "../../src/config/github-schema";
import { GATED_ENVIRONMENTS } from "../../src/names";
import {
  type StateBackend,
  backendFrom,
  needsPassphrase,
  organizationFor,
  qualifiedStackName,
  secretsProviderFor,
} from "./backend";
import { SETTINGS_STACK, STACKS, type StackName } from "./environments";
import {
  CONTEXTS,
  type Contexts,
  contextProblems,
  detectLayout,
  type Layout,
  PROGRAM_FOLDER,
} from "./layout";
import type { Options } from "./options";
import type { GitHubSettings } from "./plan";
import { errorLine, type PulumiCli } from "./pulumi-cli";
import { githubSettingsProblems } from "./github-check";
import { plainValue, readStackFile } from "./stack-file";

type Env = Readonly<Record<string, string | undefined>>;

export interface Settings {
  readonly projectDir: string;
  readonly project: string;
  readonly backend: StateBackend;
  readonly secretsProvider: string;
  readonly org: string;
  readonly refs: Readonly<Record<StackName, string>>;
  readonly layout: Layout;
  /** Contexts to set on dev; undefined keeps the ones it has (they exist). */
  readonly contexts?: Contexts;
  readonly github?: GitHubSettings;
}

/** The repository of a git remote URL on github.com, if it is one. */
export function githubRepositoryOf(remote: string): string | undefined {
  const m = /github\.com[:/]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(remote.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function originRepository(dir: string): string | undefined {
  const r = spawnSync("git", ["-C", dir, "remote", "get-url", "origin"], { encoding: "utf8" });
  return r.status === 0 ? githubRepositoryOf(r.stdout) : undefined;
}

/** The layout and the contexts to set, or the problems with the app's source. */
function layoutOf(projectDir: string, project: string, option: Layout | undefined) {
  const dev = readStackFile(projectDir, project, "dev");
  if (plainValue(dev, "images.mode") !== "build") {
    return {
      layout: option ?? detectLayout(projectDir) ?? "in-app",
      contexts: undefined,
      problems: [],
    };
  }
  const current = {
    backend: String(plainValue(dev, "images.backend.context") ?? ""),
    frontend: String(plainValue(dev, "images.frontend.context") ?? ""),
  };
  const named = (Object.keys(CONTEXTS) as Layout[]).find(
    (l) => CONTEXTS[l].backend === current.backend && CONTEXTS[l].frontend === current.frontend,
  );
  const currentOk = contextProblems(projectDir, current).length === 0;
  const layout =
    option ?? (currentOk ? named : undefined) ?? detectLayout(projectDir) ?? named ?? "in-app";
  const contexts = option !== undefined || !currentOk ? CONTEXTS[layout] : current;
  const problems = contextProblems(projectDir, contexts);
  if (layout === "in-app" && basename(projectDir) !== PROGRAM_FOLDER && problems.length === 0) {
    problems.push(
      `project folder = "${basename(projectDir)}": expected "${PROGRAM_FOLDER}" in the in-app layout ` +
        `(the workflows run the program from ${PROGRAM_FOLDER}/ of the repository): rename it`,
    );
  }
  const same = contexts.backend === current.backend && contexts.frontend === current.frontend;
  return { layout, contexts: same ? undefined : contexts, problems };
}

/** Resolves the run's settings; throws one line per problem. */
export function resolveSettings(
  opts: Options,
  env: Env,
  defaultProjectDir: string,
  cliFor: (backend: StateBackend) => PulumiCli,
): Settings {
  const problems: string[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
  const projectDir = resolve(opts.projectDir ?? defaultProjectDir);
  const project = attempt(() => {
    const p = parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: unknown };
    if (typeof p?.name !== "string")
      throw new Error(`${projectDir}/Pulumi.yaml: expected a project name`);
    return p.name;
  });
  const backend = attempt(() => {
    const b = backendFrom(opts.backend, env);
    if (!b) {
      throw new Error(
        "backend: expected --backend (file://DIR, s3://BUCKET, azblob://…, gs://…, or cloud), " +
          "PULUMI_BACKEND_URL, or PULUMI_ACCESS_TOKEN for Pulumi Cloud",
      );
    }
    return b;
  });
  const secretsProvider =
    backend && attempt(() => secretsProviderFor(backend, opts.secretsProvider));
  if (secretsProvider !== undefined && needsPassphrase(secretsProvider)) {
    // Bootstrap hands the CLI this variable (or the passphrase asked for), never the file.
    const placeholder = placeholderPassphraseProblem(STACKS, {
      [PASSPHRASE_VAR]: env[PASSPHRASE_VAR],
    });
    if (placeholder !== undefined) problems.push(placeholder);
  }
  let org: string | undefined;
  if (backend) {
    let name = opts.org ?? (env.PULUMI_ORG === "" ? undefined : env.PULUMI_ORG);
    if (name === undefined && backend.kind === "cloud") {
      const r = cliFor(backend).run(["org", "get-default"]);
      if (r.status === 0 && r.stdout.trim() !== "") name = r.stdout.trim();
      else
        problems.push(
          `org: expected --org or PULUMI_ORG (pulumi org get-default: ${errorLine(r)})`,
        );
    }
    if (name !== undefined || backend.kind === "self-managed")
      org = attempt(() => organizationFor(backend, name));
  }
  const layout = project !== undefined ? layoutOf(projectDir, project, opts.layout) : undefined;
  problems.push(...(layout?.problems ?? []));
  let github: GitHubSettings | undefined;
  // The settings file is checked with the reviewers given; without valid ones, that says all.
  let reviewersOk = false;
  if (!opts.noGithub) {
    const repository = opts.github ?? originRepository(projectDir);
    const reviewers = { users: opts.reviewers, teams: opts.reviewerTeams };
    const count = reviewers.users.length + reviewers.teams.length;
    if (repository === undefined) {
      problems.push(
        "--github: expected OWNER/NAME (no github.com remote named origin to take it from)",
      );
    }
    reviewersOk = count > 0 && count <= MAX_REVIEWERS;
    if (!reviewersOk) {
      problems.push(
        `--reviewers/--reviewer-teams: expected 1 to ${MAX_REVIEWERS} required reviewers of ` +
          `${GATED_ENVIRONMENTS.join(", ")} (or --no-github and set them by hand): GitHub creates a ` +
          `missing environment without any`,
      );
    }
    if (repository !== undefined) github = { repository, reviewers };
  }
  if (github !== undefined && reviewersOk && project !== undefined && org !== undefined) {
    problems.push(
      ...githubSettingsProblems(readStackFile(projectDir, project, SETTINGS_STACK), {
        org,
        project,
        github,
        contexts: layout?.contexts,
      }),
    );
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  const refs = Object.fromEntries(STACKS.map((s) => [s, qualifiedStackName(org!, project!, s)]));
  return {
    projectDir,
    project: project!,
    backend: backend!,
    secretsProvider: secretsProvider!,
    org: org!,
    refs: refs as Record<StackName, string>,
    layout: layout!.layout,
    ...(layout!.contexts ? { contexts: layout!.contexts } : {}),
    ...(github ? { github } : {}),
  };
}
