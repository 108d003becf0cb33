/**
 * Applies one stack's GitHub settings before its first deploy: an update of the same
 * stack whose program registers only what the real program registers for
 * `travel:github` (src/github through the stack's validated config, so the same
 * resources under the same URNs) and whose only target is those resources. Everything
 * else in the stack is left as it is: untargeted resources are neither updated nor
 * deleted, and the stack's outputs (the root stack is always part of an update) are
 * exported again unchanged, so `verifiedImages` survives.
 *
 * This is how staging and prod get their required reviewers before anything deploys
 * there: their full program cannot run until dev has verified images to promote.
 */
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type OutputMap } from "@pulumi/pulumi/automation";
import { loadConfig, type StackConfig } from "../../src/config/load";
import { composeGitHub } from "../../src/github";

/** The keys of `composeGitHub`'s result that src/index.ts exports as the `github` output. */
const EXPORTED_GITHUB_KEYS = ["repository", "environment", "secretNames"] as const;

/** The program of the GitHub-only update (exported for the tests, which run it under mocks). */
export function githubProgram(
  previous: OutputMap,
  load: () => StackConfig = loadConfig,
): () => Promise<Record<string, unknown>> {
  return async () => {
    const cfg = load();
    const github = composeGitHub(cfg, {
      pullToken: cfg.registryPullToken,
      appSecrets: cfg.appSecrets,
      kubeconfig: cfg.kubeconfig,
    });
    const outputs: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(previous)) {
      if (name !== "github") outputs[name] = o.secret ? pulumi.secret(o.value) : o.value;
    }
    if (github) {
      outputs.github = Object.fromEntries(EXPORTED_GITHUB_KEYS.map((k) => [k, github[k]]));
    }
    return outputs;
  };
}

export interface ApplyGitHubInput {
  readonly projectDir: string;
  readonly project: string;
  /** The stack's fully qualified name. */
  readonly ref: string;
  /** The URN glob of its GitHub resources. */
  readonly target: string;
  /** For the CLI: backend, passphrase, GITHUB_TOKEN. */
  readonly env: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

/** Previews the GitHub-only update and runs it when it would change something. */
export async function applyGitHub(input: ApplyGitHubInput): Promise<"unchanged" | "updated"> {
  const probe = await LocalWorkspace.selectStack(
    { stackName: input.ref, projectName: input.project, program: async () => ({}) },
    { workDir: input.projectDir, envVars: { ...input.env } },
  );
  const previous = await probe.outputs();
  const stack = await LocalWorkspace.selectStack(
    { stackName: input.ref, projectName: input.project, program: githubProgram(previous) },
    { workDir: input.projectDir, envVars: { ...input.env } },
  );
  const onOutput = (out: string) => {
    for (const line of out.split("\n")) if (line.trim() !== "") input.log(`    ${line}`);
  };
  const preview = await stack.preview({ target: [input.target], onOutput });
  const changes = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
  if (changes.length === 0) return "unchanged";
  await stack.up({ target: [input.target], onOutput });
  return "updated";
}
