/**
 * Whether the workflow copies bootstrap writes can be pushed. GitHub refuses a push that
 * adds or changes a file in .github/workflows/ when the OAuth or classic token it comes
 * with lacks the `workflow` scope, and `gh auth login` does not ask for that scope. So
 * when bootstrap will write copies and git pushes to github.com over HTTPS with gh as its
 * credential helper (what `gh auth login` sets up), bootstrap asks gh for its token's
 * scopes (`gh api -i user`, the X-OAuth-Scopes header) and refuses up front when they
 * lack `workflow`. It says nothing when it cannot know: git over SSH, another credential
 * helper, gh missing or logged out, or a token that shows no scopes (fine-grained tokens
 * and GitHub App tokens carry permissions instead).
 */
import { spawnSync } from "node:child_process";
import type { CliResult } from "./pulumi-cli";

/** Runs a tool that only reads (git, gh); status 127 when it cannot be run. */
export type ToolRun = (program: "git" | "gh", args: readonly string[]) => CliResult;

/** The real tools, with `env` (gh never prompts, never checks for updates). */
export function toolRun(env: NodeJS.ProcessEnv): ToolRun {
  const childEnv = { ...env, GH_PROMPT_DISABLED: "1", GH_NO_UPDATE_NOTIFIER: "1", NO_COLOR: "1" };
  return (program, args) => {
    const r = spawnSync(program, args, {
      env: childEnv,
      encoding: "utf8",
      input: "",
      timeout: 30_000,
    });
    if (r.error) return { status: 127, stdout: "", stderr: r.error.message };
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

/** The scopes in the head of `gh api -i` output; undefined when it has no X-OAuth-Scopes. */
export function oauthScopes(response: string): string[] | undefined {
  for (const line of response.split(/\r?\n/)) {
    if (line.trim() === "") return undefined; // the head ends: the header is absent
    const m = /^x-oauth-scopes:(.*)$/i.exec(line);
    if (m) {
      return m[1]!
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    }
  }
  return undefined;
}

const GITHUB_HTTPS = /^https:\/\/(?:[^@/]*@)?github\.com(?::443)?\//i;
const PASSWORD = /^https:\/\/[^@/]*:[^@/]*@/;
const GH_HELPER = /\bgh(?:\.exe)?["']?\s+auth\s+git-credential\b/;

/** The variable gh takes its github.com token from (GH_TOKEN first), if one is set. */
export function tokenVariable(env: Readonly<Record<string, string | undefined>>) {
  return (["GH_TOKEN", "GITHUB_TOKEN"] as const).find((v) => (env[v] ?? "") !== "");
}

export interface PushAuth {
  /** The push URL, without any user or password. */
  readonly url: string;
  /** The token's scopes (some). */
  readonly scopes: readonly string[];
  /** The variable gh's token comes from; undefined: gh's own login. */
  readonly variable?: "GH_TOKEN" | "GITHUB_TOKEN";
}

/** The line refusing `auth` for pushing `files`, or undefined when it has `workflow`. */
export function workflowScopeProblem(auth: PushAuth, files: readonly string[]): string | undefined {
  if (auth.scopes.includes("workflow")) return undefined;
  const token = auth.variable
    ? `$${auth.variable}, the token gh hands git for github.com,`
    : "gh's login for github.com";
  const remedy = auth.variable
    ? `add the workflow scope to the token in ${auth.variable} (https://github.com/settings/tokens), ` +
      `or unset ${auth.variable} (bootstrap asks for the token it needs) and give gh's own login ` +
      `the scope (gh auth refresh -h github.com -s workflow), then run bootstrap again`
    : "run gh auth refresh -h github.com -s workflow, then bootstrap again";
  return (
    `${token} has the scopes ${auth.scopes.join(", ")} and not workflow: git pushes to ` +
    `${auth.url} with it (gh is git's credential helper), and GitHub refuses a push that adds ` +
    `or changes ${files.join(", ")} without that scope; ${remedy}`
  );
}

/**
 * What git would push the copies with, when that is gh's token and its scopes show:
 * undefined otherwise (see the module's comment).
 */
export function pushAuth(
  top: string,
  run: ToolRun,
  env: Readonly<Record<string, string | undefined>>,
): PushAuth | undefined {
  const remote = run("git", ["-C", top, "remote", "get-url", "--push", "origin"]);
  const url = remote.stdout.trim();
  // A password in the URL is what git sends: no credential helper is asked.
  if (remote.status !== 0 || !GITHUB_HTTPS.test(url) || PASSWORD.test(url)) return undefined;
  const helper = run("git", ["-C", top, "config", "--get-urlmatch", "credential.helper", url]);
  if (helper.status !== 0 || !GH_HELPER.test(helper.stdout)) return undefined;
  const user = run("gh", ["api", "--hostname", "github.com", "-i", "user"]);
  const scopes = user.status === 0 ? oauthScopes(user.stdout) : undefined;
  if (scopes === undefined || scopes.length === 0) return undefined;
  const variable = tokenVariable(env);
  return {
    url: url.replace(/^https:\/\/[^@/]*@/i, "https://"),
    scopes,
    ...(variable ? { variable } : {}),
  };
}

/** The problem with pushing the workflow copies `files` from `top`, if any. */
export function workflowPushProblem(
  top: string | undefined,
  files: readonly string[],
  run: ToolRun,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (top === undefined || files.length === 0) return undefined;
  const auth = pushAuth(top, run, env);
  return auth === undefined ? undefined : workflowScopeProblem(auth, files);
}
