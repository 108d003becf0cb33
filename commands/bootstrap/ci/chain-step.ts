/**
 * The pull request's "Promotion chain" step of staging and prod: what can be shown of a
 * gated stack without its secrets. The job holds dev's credentials only (the environment
 * dev-preview), so it follows the stack files' plain `images.fromStack` links down to the
 * stack that builds, checks that every link promotes (a gated stack never builds), and
 * reads the verified release of the one stack it may read: the release the merge's
 * promotions start from. The stack's own plan runs on main before its approval.
 */
import { splitStackName } from "../backend";
import { errorLine, type PulumiCli } from "../pulumi-cli";
import { plainValue, readStackFile } from "../stack-file";
import type { Step } from "./annotate";
import { NOTHING_VERIFIED } from "./promotion-step";

export interface ChainStepInput {
  readonly cli: PulumiCli;
  readonly project: string;
  /** The stack the pull request shows (staging or prod). */
  readonly target: string;
  /** The stack whose credentials the job holds (STACK: dev). */
  readonly held: string;
  /** Its fully qualified name (TRAVEL_STACK of the stack step). */
  readonly heldQualified: string;
  readonly step: Step;
}

/** The stacks from `target` down to the one it finally promotes from, each with its mode. */
function chainOf(input: ChainStepInput): { stack: string; mode: unknown }[] {
  const links: { stack: string; mode: unknown }[] = [];
  let stack = input.target;
  while (!links.some((l) => l.stack === stack)) {
    const file = readStackFile(input.cli.cwd, input.project, stack);
    const mode = plainValue(file, "images.mode");
    links.push({ stack, mode });
    const from = plainValue(file, "images.fromStack");
    if (mode !== "promote" || typeof from !== "string") break;
    stack = splitStackName(from).stack;
  }
  return links;
}

/** Runs the step; returns its exit code. */
export function chainStep(input: ChainStepInput): number {
  const { step, target, held } = input;
  const chain = chainOf(input);
  if (chain[0]!.mode === "build") {
    step.error(
      `Pulumi.${target}.yaml: images.mode = "build": expected promote or pinned (${target} must promote, never build)`,
    );
    return 1;
  }
  const head = chain[chain.length - 1]!;
  const path = chain.map((l) => l.stack).join(" ← ");
  const lines = [
    `### ${target}: the promotion this pull request leads to`,
    "",
    `A pull request reads no secret and no state of ${target}: its plan runs on main, in the ` +
      `environment ${target}-plan, before the approval of its deploy.`,
    "",
    `- chain: ${path}${head.mode === "build" ? ` (${head.stack} builds)` : ""}`,
  ];
  if (chain[0]!.mode === "pinned") {
    lines.push(`- ${target} is pinned (images.mode pinned): it promotes nothing until unpinned`);
  } else if (head.stack !== held) {
    lines.push(`- ${head.stack} is not readable here (this job holds ${held}'s credentials only)`);
  } else {
    const r = input.cli.run(["stack", "output", "--json", "--stack", input.heldQualified]);
    const outputs =
      r.status === 0
        ? (JSON.parse(r.stdout) as { verifiedImages?: { backend?: { gitSha?: string } } })
        : undefined;
    if (r.status !== 0 && !/no stack named/i.test(r.stderr)) {
      step.error(`cannot read the outputs of ${input.heldQualified}: ${errorLine(r)}`);
      return 1;
    }
    const sha = outputs?.verifiedImages?.backend?.gitSha;
    lines.push(
      sha === undefined
        ? `- ${held}: ${NOTHING_VERIFIED} (no completed deploy); the merge's deploy of ${held} makes the first release`
        : `- ${held} verified ${sha}; the merge's deploy of ${held} builds this pull request's commit, and ` +
            `${target} promotes it once each stack before it has verified it`,
    );
  }
  const md = `${lines.join("\n")}\n`;
  step.info(md);
  step.summary(md);
  step.writeTemp("preview.md", md);
  return 0;
}
