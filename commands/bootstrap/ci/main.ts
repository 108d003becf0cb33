/**
 * The workflows' steps that share bootstrap's rules (layouts, backends, stack names):
 *
 *   node --require tsx/cjs commands/bootstrap/ci/main.ts layout            check the app source, tag by the app's commit
 *   node --require tsx/cjs commands/bootstrap/ci/main.ts stack [--create]  select (or create) $STACK on the backend
 *   node --require tsx/cjs commands/bootstrap/ci/main.ts promotion         skip a preview with nothing verified to promote
 *   node --require tsx/cjs commands/bootstrap/ci/main.ts chain STACK       a pull request's view of a gated stack: its promotion chain
 *   node --require tsx/cjs commands/bootstrap/ci/main.ts turn              wait while an earlier update of $STACK runs
 *   node --require tsx/cjs commands/bootstrap/ci/main.ts release           pin $STACK to the release under approval ($RELEASE)
 *
 * Run in the program's folder with the environment GitHub gives a step (STACK, the
 * backend's variables, GITHUB_ENV, GITHUB_STEP_SUMMARY, RUNNER_TEMP). Exit 0 or 1;
 * 2 for a usage error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { pulumiCli } from "../pulumi-cli";
import { stepIO } from "./annotate";
import { chainStep } from "./chain-step";
import { layoutStep } from "./layout-step";
import { promotionStep } from "./promotion-step";
import { releaseStep } from "./release-step";
import { stackStep } from "./stack-step";
import { turnStep } from "./turn-step";

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  const env = process.env;
  const step = stepIO(env);
  const cwd = process.cwd();
  const stack = env.STACK ?? "";
  if (stack === "") {
    step.error("STACK is not set: expected the stack's name in the job's env");
    return 1;
  }
  const project = (parse(readFileSync(join(cwd, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  const cli = () => pulumiCli(cwd, env);
  switch (command) {
    case "layout":
      return layoutStep({ projectDir: cwd, project, stack, step });
    case "stack":
      return stackStep({
        cli: cli(),
        project,
        stack,
        env,
        create: flags.includes("--create"),
        step,
      });
    case "promotion":
      return promotionStep({
        cli: cli(),
        project,
        stack,
        qualified: env.TRAVEL_STACK ?? stack,
        step,
      });
    case "chain":
      if (flags[0] === undefined) break;
      return chainStep({
        cli: cli(),
        project,
        target: flags[0],
        held: stack,
        heldQualified: env.TRAVEL_STACK ?? stack,
        step,
      });
    case "release":
      return releaseStep({ cli: cli(), project, stack, release: env.RELEASE, step });
    case "turn":
      return turnStep({
        stack,
        runId: Number(env.GITHUB_RUN_ID),
        get: githubGet(env),
        sleep: (s) => new Promise((done) => setTimeout(done, s * 1000)),
        step,
      });
    default:
      break;
  }
  process.stderr.write(
    "usage: ci/main.ts layout | stack [--create] | promotion | chain STACK | turn | release\n",
  );
  return 2;
}

/** GET from the repository's REST API with the job's token (GH_TOKEN), parsed JSON. */
function githubGet(env: NodeJS.ProcessEnv): (path: string) => Promise<unknown> {
  const base = `${env.GITHUB_API_URL ?? "https://api.github.com"}/repos/${env.GITHUB_REPOSITORY}`;
  return async (path) => {
    const r = await fetch(`${base}${path}`, {
      headers: {
        authorization: `Bearer ${env.GH_TOKEN ?? ""}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
      },
    });
    if (!r.ok)
      throw new Error(`GET ${base}${path} answered HTTP ${r.status}: the job needs actions: read`);
    return r.json();
  };
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stdout.write(`::error::${(err as Error).message.replace(/\n/g, "%0A")}\n`);
    process.exitCode = 1;
  },
);
