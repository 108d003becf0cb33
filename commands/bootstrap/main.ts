/**
 * `npm run bootstrap -- [options]`: from a fork to a working pipeline. Resolves the
 * settings, observes the backend, plans, prints the plan, and (unless --dry-run) asks
 * for what is missing and carries the plan out; then lists what is left by hand.
 * Exit 0 when done (or planned), 1 on a failure, 2 on a usage error.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { placeholderPassphraseProblem, PASSPHRASE_VAR } from "../../src/config/passphrase";
import { type Action, describeAction } from "./actions";
import {
  fileBackendFolder,
  needsPassphrase,
  qualifiedStackName,
  type StateBackend,
} from "./backend";
import { foreignCodeOwners, ownerHandles } from "./codeowners";
import { SETTINGS_STACK, STACKS } from "./environments";
import { ghWithToken } from "./github-apply";
import { execute } from "./execute";
import { deployerMain } from "./deployer/main";
import { askFor, givenSecrets, missingLines, secretValueFrom } from "./inputs";
import { kubeconfigAnswerProblem } from "./kubeconfig-check";
import { isDirectory } from "./layout";
import { manualSteps } from "./manual";
import { existingStacks, gitTopLevel, observe } from "./observe";
import { parseOptions, USAGE } from "./options";
import {
  passphraseEnv,
  perStackCli,
  sharedPassphrases,
  stackOfArgs,
  stackPassphrases,
  stackPassphraseVar,
} from "./passphrases";
import { plan, secretKey } from "./plan";
import { canPrompt, promptHidden, promptNew } from "./prompt";
import { preflightProblems } from "./preflight";
import { pulumiCli } from "./pulumi-cli";
import { secretNeeds } from "./secrets";
import { resolveSettings } from "./settings";
import { toolRun } from "./workflow-scope";

const ROOT = join(__dirname, "..", "..");
const out = (line = "") => process.stdout.write(`${line}\n`);

function cliEnv(backend: StateBackend, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PULUMI_BACKEND_URL: backend.url, ...extra };
}

/** The files an action writes, relative to the repository's top folder (or the project). */
function filesOf(a: Action, projectDir: string, top: string | undefined): string[] {
  if (a.kind === "copy-workflow" || a.kind === "write-codeowners") return [a.to];
  if (
    a.kind === "create-folder" ||
    a.kind === "install-plugin" ||
    a.kind === "apply-github" ||
    a.kind === "set-environment-secret"
  ) {
    return [];
  }
  return [relative(top ?? projectDir, join(projectDir, `Pulumi.${a.stack}.yaml`))];
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "deployer") return deployerMain(argv.slice(1), ROOT, out);
  let opts;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    out(USAGE);
    return 0;
  }
  const settings = resolveSettings(opts, process.env, ROOT, (b) => pulumiCli(ROOT, cliEnv(b)));
  const { backend, projectDir, project, refs } = settings;
  const settingsRef = qualifiedStackName(settings.org, project, SETTINGS_STACK);
  const stateFolder = fileBackendFolder(backend);
  const probe = pulumiCli(projectDir, cliEnv(backend));
  const present =
    stateFolder !== undefined && !isDirectory(stateFolder)
      ? new Set<string>()
      : existingStacks(probe, backend.kind === "cloud" ? settings.org : undefined);

  // Each stack's own passphrase (PULUMI_CONFIG_PASSPHRASE_<STACK>), else the shared one: the
  // app stacks', and the settings stack's when bootstrap manages GitHub.
  const PASSPHRASE_STACKS = settings.github ? [...STACKS, SETTINGS_STACK] : [...STACKS];
  let passphrases = stackPassphrases(
    PASSPHRASE_STACKS,
    process.env,
    process.env.PULUMI_CONFIG_PASSPHRASE,
  );
  const passphraseProvider = needsPassphrase(settings.secretsProvider);
  if (passphraseProvider && PASSPHRASE_STACKS.some((s) => (passphrases[s] ?? "") === "")) {
    if (!canPrompt())
      throw new Error(
        "PULUMI_CONFIG_PASSPHRASE: expected the stacks' passphrases (PULUMI_CONFIG_PASSPHRASE_DEV, _STAGING, _PROD, _GITHUB with GitHub, or one for all; set them, or run on a terminal)",
      );
    const creating =
      STACKS.some((s) => !present.has(refs[s])) ||
      (settings.github !== undefined && !present.has(settingsRef));
    const asked =
      creating && !opts.dryRun
        ? await promptNew("PULUMI_CONFIG_PASSPHRASE (new stacks are encrypted with it; hidden):")
        : await promptHidden("PULUMI_CONFIG_PASSPHRASE (hidden):");
    const placeholder = placeholderPassphraseProblem(STACKS, { [PASSPHRASE_VAR]: asked });
    if (placeholder !== undefined) throw new Error(placeholder);
    passphrases = stackPassphrases(PASSPHRASE_STACKS, process.env, asked);
  }
  for (const s of PASSPHRASE_STACKS) {
    const own = process.env[stackPassphraseVar(s)];
    const problem =
      own === undefined ? undefined : placeholderPassphraseProblem([s], { [PASSPHRASE_VAR]: own });
    if (problem !== undefined) throw new Error(`${stackPassphraseVar(s)}: ${problem}`);
  }
  if (!passphraseProvider) passphrases = {};
  const cli = perStackCli(projectDir, cliEnv(backend), passphrases);
  const observed = observe({
    cli,
    project,
    refs,
    settingsRef,
    ...(settings.github
      ? { codeOwners: ownerHandles(settings.github.repository, settings.github.reviewers) }
      : {}),
    ...(backend.kind === "cloud" ? { cloudOrg: settings.org } : {}),
    ...(stateFolder !== undefined ? { stateFolder } : {}),
  });
  const top = gitTopLevel(projectDir);
  const needs = STACKS.flatMap((s) =>
    secretNeeds(s, observed.stacks[s].file, settings.github !== undefined),
  );
  // What would go wrong after the first change, refused before it, every problem at once.
  const problems: string[] = [];
  let given: ReturnType<typeof givenSecrets> = new Map();
  try {
    given = givenSecrets(needs, process.env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  problems.push(
    ...preflightProblems({
      project,
      observed,
      given,
      github: settings.github !== undefined,
      ...(top !== undefined ? { top } : {}),
      run: toolRun(process.env),
      env: process.env,
    }),
  );
  if (problems.length > 0) throw new Error(problems.join("\n"));

  let githubToken = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN ?? "";
  if (settings.github && githubToken === "" && !opts.dryRun && canPrompt()) {
    githubToken = await promptHidden(
      `GITHUB_TOKEN — a token that may administer ${settings.github.repository} (empty: apply the GitHub settings later; hidden):`,
    );
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const { actions, prompts } = plan({
    ...settings,
    githubToken: githubToken !== "",
    githubPlugin: { name: "github", version: pkg.dependencies["@pulumi/github"]! },
    observed,
    given,
  });

  out(
    `State backend ${backend.url} (${backend.kind}), secrets provider ${settings.secretsProvider}, layout ${settings.layout}`,
  );
  out(
    `Stacks: ${STACKS.map((s) => refs[s]).join(", ")}${settings.github ? `, ${settingsRef} (GitHub settings)` : ""}`,
  );
  out(
    actions.length === 0
      ? "Nothing to do: the stacks are as planned."
      : `Plan${opts.dryRun ? " (dry run: nothing is changed)" : ""}:`,
  );
  actions.forEach((a, i) => out(`  ${i + 1}. ${describeAction(a)}`));
  if (opts.dryRun && prompts.length > 0) {
    out("Asked for on the terminal (or set in the environment):");
    for (const line of missingLines(prompts)) out(`  ${line}`);
  }

  if (!opts.dryRun && actions.length > 0) {
    const answers = await askFor(prompts, (need, value) =>
      kubeconfigAnswerProblem(observed, need, value),
    );
    out();
    await execute(actions, {
      cli,
      project,
      ...(top !== undefined ? { top } : {}),
      secretValue: secretValueFrom(given, answers),
      githubEnv: (ref) => ({
        PULUMI_BACKEND_URL: backend.url,
        ...passphraseEnv(passphrases, stackOfArgs(["--stack", ref])),
        ...(process.env.PULUMI_ACCESS_TOKEN
          ? { PULUMI_ACCESS_TOKEN: process.env.PULUMI_ACCESS_TOKEN }
          : {}),
        GITHUB_TOKEN: githubToken,
      }),
      gh: ghWithToken(process.env, githubToken),
      log: out,
    });
  }
  const changedFiles = [...new Set(actions.flatMap((a) => filesOf(a, projectDir, top)))];
  const sent = new Set(
    actions.flatMap((a) =>
      a.kind === "set-environment-secret" && !opts.dryRun ? [secretKey(a.stack, a.need.path)] : [],
    ),
  );
  const environmentSecrets = needs
    .filter((n) => n.into === "environment" && !sent.has(secretKey(n.stack, n.path)))
    .map(
      (n) =>
        `gh secret set ${n.path} --env ${n.stack} --repo ${settings.github!.repository}` +
        (n.kind === "file" ? ` < ${n.stack}.kubeconfig` : ""),
    );
  const codeowners = observed.codeowners;
  out();
  out("Left by hand:");
  const steps = manualSteps({
    backend,
    org: settings.org,
    secretsProvider: settings.secretsProvider,
    layout: settings.layout,
    ...(settings.github ? { repository: settings.github.repository } : {}),
    githubApplied: actions.some((a) => a.kind === "apply-github") && !opts.dryRun,
    environmentSecrets,
    ...(codeowners && foreignCodeOwners(codeowners)
      ? {
          codeOwnersToAdd: {
            at: codeowners.current!.at,
            lines: codeowners.want.split("\n").filter((l) => l !== "" && !l.startsWith("#")),
          },
        }
      : {}),
    ...(top !== undefined ? { top } : {}),
    changedFiles,
    sharedPassphrase: sharedPassphrases(passphrases),
    rerun: `npm run bootstrap -- ${argv.filter((a) => a !== "--dry-run").join(" ")}`.trim(),
  });
  for (const line of steps) out(`  ${line}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bootstrap: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
