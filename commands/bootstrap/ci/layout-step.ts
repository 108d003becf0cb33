/**
 * The workflows' "Check the app source" step: before Pulumi runs, a stack
 * that builds must find its build contexts (with what to do when they are missing), and
 * its images must be tagged with the app's commit. In the in-app layout that is the
 * checkout's own commit (GITHUB_SHA); with a separate app repository it is the app
 * checkout's HEAD, handed to the program as TRAVEL_SOURCE_SHA.
 */
import { WORKLOADS } from "../../../src/names";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { contextProblems } from "../layout";
import { plainValue, readStackFile } from "../stack-file";
import type { Step } from "./annotate";

type Git = (args: string[], cwd: string) => string | undefined;

const runGit: Git = (args, cwd) => {
  const r = spawnSync("git", ["-C", cwd, ...args], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

export interface LayoutStepInput {
  readonly projectDir: string;
  readonly project: string;
  readonly stack: string;
  readonly step: Step;
  readonly git?: Git;
}

/** Runs the step; returns its exit code. */
export function layoutStep(input: LayoutStepInput): number {
  const { projectDir, step } = input;
  const git = input.git ?? runGit;
  const file = readStackFile(projectDir, input.project, input.stack);
  const mode = plainValue(file, "images.mode");
  if (mode !== "build") {
    step.info(
      `${input.stack} builds nothing (images.mode = ${JSON.stringify(mode)}): no app source needed`,
    );
    return 0;
  }
  const get = (p: string) => plainValue(file, p) as string | undefined;
  const contexts = {
    backend: get("images.backend.context") ?? "",
    frontend: get("images.frontend.context") ?? "",
  };
  const problems = contextProblems(projectDir, {
    ...contexts,
    ...(get("images.backend.dockerfile")
      ? { backendDockerfile: get("images.backend.dockerfile") }
      : {}),
    ...(get("images.frontend.dockerfile")
      ? { frontendDockerfile: get("images.frontend.dockerfile") }
      : {}),
  });
  for (const p of problems) step.error(`Pulumi.${input.stack}.yaml: ${p}`);
  if (problems.length > 0) return 1;

  const own = git(["rev-parse", "--show-toplevel"], projectDir);
  const sources = WORKLOADS.map((w) => {
    const dir = resolve(projectDir, contexts[w]);
    return {
      w,
      dir,
      top: git(["rev-parse", "--show-toplevel"], dir),
      head: git(["rev-parse", "HEAD"], dir),
    };
  });
  const outside = sources.filter((s) => s.top === undefined || s.head === undefined);
  for (const s of outside) {
    step.error(
      `images.${s.w}.context = "${contexts[s.w]}" is not in a git checkout with a commit: ` +
        `its image could not be tagged with the app's commit`,
    );
  }
  if (outside.length > 0) return 1;
  if (sources.every((s) => s.top === own)) {
    step.info(
      `The app's source is in this checkout: images are tagged with its commit (GITHUB_SHA)`,
    );
    return 0;
  }
  const heads = [...new Set(sources.map((s) => s.head))];
  if (heads.length > 1) {
    step.error(
      `images.backend.context and images.frontend.context are in checkouts at different commits ` +
        `(${heads.join(", ")}): both must come from the app's one repository`,
    );
    return 1;
  }
  step.setEnv("TRAVEL_SOURCE_SHA", heads[0]!);
  step.info(
    `The app's source is a separate checkout (${sources[0]!.top}): images are tagged with its commit ${heads[0]}`,
  );
  return 0;
}
