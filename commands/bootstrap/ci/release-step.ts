/**
 * The gated jobs' "Pin the release under approval" step: the release the job before
 * this one verified (RELEASE, its `verifiedImages` as JSON: each workload's digest-pinned
 * `ref` and `gitSha`) becomes the stack's `images.gitSha` and `images.refs`, so the
 * plan shows and the deploy ships that release, or the promotion gate refuses (when the
 * source has verified another since). A reviewer approves a run; this binds the run to
 * one release. A stack pinned by hand (images.mode pinned) ships its own digests.
 */
import { gitSha as gitShaField, digestRef } from "../../../src/config/fields";
import { WORKLOADS, type WorkloadName } from "../../../src/names";
import { runOk, type PulumiCli } from "../pulumi-cli";
import { plainValue, readStackFile } from "../stack-file";
import type { Step } from "./annotate";

export interface ReleaseStepInput {
  readonly cli: PulumiCli;
  readonly project: string;
  readonly stack: string;
  /** The release under approval: the `verifiedImages` output of the stack before. */
  readonly release: string | undefined;
  readonly step: Step;
}

interface Release {
  readonly gitSha: string;
  readonly refs: Record<WorkloadName, string>;
}

/** The release, or every problem with it, one line each. */
export function parseRelease(text: string | undefined): Release | string[] {
  if (text === undefined || text.trim() === "") {
    return [
      "RELEASE is empty: the job before this one passed no release (its verifiedImages " +
        "output); re-run the workflow from the start",
    ];
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [`RELEASE is not JSON: ${text.slice(0, 120)}`];
  }
  const problems: string[] = [];
  const shas = new Set<string>();
  const refs = {} as Release["refs"];
  for (const w of WORKLOADS) {
    const image = (value as Record<string, { ref?: unknown; gitSha?: unknown }> | null)?.[w];
    const ref = digestRef.safeParse(image?.ref);
    const sha = gitShaField.safeParse(image?.gitSha);
    if (!ref.success)
      problems.push(
        `RELEASE.${w}.ref = ${JSON.stringify(image?.ref)}: expected a digest-pinned image reference`,
      );
    else refs[w] = ref.data;
    if (!sha.success)
      problems.push(
        `RELEASE.${w}.gitSha = ${JSON.stringify(image?.gitSha)}: expected a full 40-character git commit SHA`,
      );
    else shas.add(sha.data);
  }
  if (shas.size > 1)
    problems.push(`RELEASE holds images of ${[...shas].join(" and ")}: expected one commit`);
  if (problems.length) return problems;
  return { gitSha: [...shas][0]!, refs };
}

/** Runs the step; returns its exit code. */
export function releaseStep(input: ReleaseStepInput): number {
  const { cli, stack, step } = input;
  const mode = plainValue(readStackFile(cli.cwd, input.project, stack), "images.mode");
  if (mode !== "promote") {
    step.info(`${stack} does not promote (images.mode = ${JSON.stringify(mode)}): nothing to pin`);
    return 0;
  }
  const release = parseRelease(input.release);
  if (Array.isArray(release)) {
    for (const p of release) step.error(`${stack}: the release under approval: ${p}`);
    return 1;
  }
  const set = (path: string, value: string) =>
    runOk(
      cli,
      ["config", "set", "--path", path, value, "--stack", stack],
      `cannot set ${path} of ${stack}`,
    );
  set("images.gitSha", release.gitSha);
  for (const w of WORKLOADS) set(`images.refs.${w}`, release.refs[w]);
  step.info(`${stack} ships ${release.gitSha} or nothing`);
  step.summary(
    [
      `### ${stack}: the release under approval`,
      "",
      `commit \`${release.gitSha}\``,
      "",
      ...WORKLOADS.map((w) => `- ${w}: \`${release.refs[w]}\``),
      "",
    ].join("\n"),
  );
  return 0;
}
