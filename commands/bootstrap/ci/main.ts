/**
 * The workflows' steps that share bootstrap's rules (layouts, backends, stack names):
 *
 *   node --import tsx commands/bootstrap/ci/main.ts layout            check the app source, tag by the app's commit
 *   node --import tsx commands/bootstrap/ci/main.ts stack [--create]  select (or create) $STACK on the backend
 *   node --import tsx commands/bootstrap/ci/main.ts promotion         skip a preview with nothing verified to promote
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
import { layoutStep } from "./layout-step";
import { promotionStep } from "./promotion-step";
import { stackStep } from "./stack-step";

function main(argv: string[]): number {
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
    default:
      process.stderr.write("usage: ci/main.ts layout | stack [--create] | promotion\n");
      return 2;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stdout.write(`::error::${(err as Error).message.replace(/\n/g, "%0A")}\n`);
  process.exitCode = 1;
}
