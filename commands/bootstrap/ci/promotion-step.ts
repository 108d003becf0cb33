/**
 * The previews' "Promotion source" step, for a stack that promotes: its `fromStack` must
 * be a stack of this backend's organization, and until that stack has verified images
 * (its first successful deploy) there is nothing to preview: the step reports "nothing
 * verified to promote yet" in the job summary and the pull-request comment and skips
 * the preview, so the required check passes before dev has ever deployed.
 */
import { splitStackName } from "../backend";
import { errorLine, type PulumiCli } from "../pulumi-cli";
import { plainValue, readStackFile } from "../stack-file";
import type { Step } from "./annotate";

/** The words the skipped previews report (the tests and docs look for them). */
export const NOTHING_VERIFIED = "nothing verified to promote yet";

export interface PromotionStepInput {
  readonly cli: PulumiCli;
  readonly project: string;
  readonly stack: string;
  /** The stack's fully qualified name (TRAVEL_STACK of the stack step). */
  readonly qualified: string;
  readonly step: Step;
}

function skip(input: PromotionStepInput, from: string, why: string): number {
  const { step, stack } = input;
  const text =
    `${NOTHING_VERIFIED}: ${why}. The preview of ${stack} runs once ${from} has deployed ` +
    `successfully (its verifiedImages output is what ${stack} promotes).`;
  step.notice(`${stack}: ${text}`);
  step.setEnv("PREVIEW_SKIPPED", NOTHING_VERIFIED);
  const md = `### ${stack}: ${NOTHING_VERIFIED}\n\n${text}\n`;
  step.summary(md);
  step.writeTemp("preview.md", md);
  return 0;
}

/** Runs the step; returns its exit code. */
export function promotionStep(input: PromotionStepInput): number {
  const { cli, stack, step } = input;
  const file = readStackFile(cli.cwd, input.project, stack);
  const mode = plainValue(file, "images.mode");
  const from = plainValue(file, "images.fromStack");
  if (mode !== "promote" || typeof from !== "string") {
    step.info(`${stack} does not promote (images.mode = ${JSON.stringify(mode)})`);
    return 0;
  }
  const self = splitStackName(input.qualified);
  const source = splitStackName(from);
  if (source.org !== undefined && self.org !== undefined && source.org !== self.org) {
    const expected = `${self.org}/${source.project ?? input.project}/${source.stack}`;
    step.error(
      `Pulumi.${stack}.yaml: images.fromStack = "${from}": expected a stack of ${self.org}, the ` +
        `organization of ${input.qualified} ("${expected}"): npm run bootstrap sets it for the backend`,
    );
    return 1;
  }
  const r = cli.run(["stack", "output", "--json", "--stack", from]);
  if (r.status !== 0) {
    if (/no stack named/i.test(r.stderr))
      return skip(input, from, `the stack ${from} does not exist yet`);
    step.error(`cannot read the outputs of ${from}, which ${stack} promotes from: ${errorLine(r)}`);
    return 1;
  }
  const outputs = JSON.parse(r.stdout) as { verifiedImages?: { backend?: { gitSha?: string } } };
  if (outputs.verifiedImages === undefined) {
    return skip(
      input,
      from,
      `${from} has not completed a deploy (it has no verifiedImages output)`,
    );
  }
  step.info(
    `${stack} promotes ${outputs.verifiedImages.backend?.gitSha ?? "?"}, verified on ${from}`,
  );
  return 0;
}
