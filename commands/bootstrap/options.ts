/**
 * The command line of `npm run bootstrap -- …`. Every problem is reported at once, one
 * line each, naming the option, the value and what was expected.
 */
import { reviewerLogin, reviewerTeam } from "../../src/config/github-schema";
import { FORMAT } from "../../src/names";
import { LAYOUTS, type Layout } from "./layout";

export interface Options {
  readonly projectDir?: string;
  readonly backend?: string;
  readonly org?: string;
  readonly secretsProvider?: string;
  readonly layout?: Layout;
  readonly github?: string;
  readonly noGithub: boolean;
  readonly reviewers: readonly string[];
  readonly reviewerTeams: readonly string[];
  readonly dryRun: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bootstrap -- [options]

Creates the dev, staging and prod stacks on your backend and stores their secrets
encrypted; creates the settings stack github (travel:github: the repository, required
reviewers of staging, prod and github), writes .github/CODEOWNERS, applies the
settings (environments, branch protection) and sets the environments' secrets it is
given; then lists what is left by hand. Safe to run again: it changes only what
differs.

  --dry-run                 print the plan, change nothing
  --backend URL|cloud       state backend (default: $PULUMI_BACKEND_URL, else Pulumi
                            Cloud when $PULUMI_ACCESS_TOKEN is set): file://DIR,
                            s3://BUCKET, azblob://CONTAINER, gs://BUCKET, cloud
  --org NAME                Pulumi Cloud organization (default: $PULUMI_ORG, else the
                            CLI's default organization)
  --secrets-provider P      default: passphrase (self-managed), default (Pulumi Cloud);
                            or awskms://…, azurekeyvault://…, gcpkms://…, hashivault://…
  --layout in-app|separate  where the app's source is (default: detected): in-app =
                            this program is deploy/ beside agent/ and ui/; separate =
                            the app's repository is checked out as ../coagents-travel
  --github OWNER/NAME       the repository the workflows run in (default: origin)
  --reviewers LOGIN,…       required reviewers of staging, prod and github, and the
                            code owners (users)
  --reviewer-teams SLUG,…   the same (teams of the repository's organization)
  --no-github               leave GitHub alone (bootstrap lists what to set by hand)
  --project DIR             the program's folder (default: this checkout)

Secrets come from the environment, else a hidden prompt on a terminal:
  PULUMI_CONFIG_PASSPHRASE_DEV, PULUMI_CONFIG_PASSPHRASE_STAGING, PULUMI_CONFIG_PASSPHRASE_PROD,
  PULUMI_CONFIG_PASSPHRASE_GITHUB (the settings stack, with GitHub)
                            each stack's own passphrase (passphrase provider)
  PULUMI_CONFIG_PASSPHRASE  the passphrase of a stack without its own (one for all: bootstrap warns)
  REGISTRY_PUSH_TOKEN       registryToken of a stack that builds without registry.pushTokenEnv
  REGISTRY_PULL_TOKEN       registryPullToken of every stack (and, with GitHub and a
                            token, its environment's REGISTRY_TOKEN)
  OPENAI_API_KEY, GOOGLE_MAPS_API_KEY   appSecrets of every stack
  KUBECONFIG_DEV, KUBECONFIG_STAGING, KUBECONFIG_PROD   kubeconfig FILES, each its
                            environment's KUBECONFIG secret (with GitHub and a token)
  GITHUB_TOKEN              a token that may administer the repository (with GitHub)
A variable suffixed with a stack's name (OPENAI_API_KEY_PROD) wins for that stack.

npm run bootstrap -- deployer --help: the jobs' cluster identity (a cluster admin's step).`;

const VALUE_OPTIONS = {
  "--project": "projectDir",
  "--backend": "backend",
  "--org": "org",
  "--secrets-provider": "secretsProvider",
  "--layout": "layout",
  "--github": "github",
  "--reviewers": "reviewers",
  "--reviewer-teams": "reviewerTeams",
} as const;

const list = (v: string) =>
  v
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

/** Parses the arguments after `--`; throws one line per problem. */
export function parseOptions(argv: readonly string[]): Options {
  const problems: string[] = [];
  const values: Partial<Record<(typeof VALUE_OPTIONS)[keyof typeof VALUE_OPTIONS], string>> = {};
  const flags = { dryRun: false, noGithub: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    if (name === "--dry-run") flags.dryRun = true;
    else if (name === "--no-github") flags.noGithub = true;
    else if (name === "--help" || name === "-h") flags.help = true;
    else if (name! in VALUE_OPTIONS) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") problems.push(`${name}: expected a value`);
      else values[VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS]] = value;
    } else
      problems.push(
        `${arg}: expected one of --dry-run, --no-github, --help, ${Object.keys(VALUE_OPTIONS).join(", ")}`,
      );
  }
  const layout = values.layout;
  if (layout !== undefined && !(LAYOUTS as readonly string[]).includes(layout)) {
    problems.push(`--layout = "${layout}": expected ${LAYOUTS.join(" or ")}`);
  }
  if (values.github !== undefined && !FORMAT.githubRepository.test(values.github)) {
    problems.push(`--github = "${values.github}": expected a GitHub repository OWNER/NAME`);
  }
  for (const [option, name, schema] of [
    ["--reviewers", "reviewers", reviewerLogin],
    ["--reviewer-teams", "reviewerTeams", reviewerTeam],
  ] as const) {
    for (const v of list(values[name] ?? "")) {
      const r = schema.safeParse(v);
      if (!r.success) problems.push(`${option} = "${v}": expected ${r.error.issues[0]!.message}`);
    }
  }
  if (flags.noGithub && (values.github ?? values.reviewers ?? values.reviewerTeams) !== undefined) {
    problems.push(`--no-github: expected no --github, --reviewers or --reviewer-teams with it`);
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return {
    ...flags,
    ...(values.projectDir !== undefined ? { projectDir: values.projectDir } : {}),
    ...(values.backend !== undefined ? { backend: values.backend } : {}),
    ...(values.org !== undefined ? { org: values.org } : {}),
    ...(values.secretsProvider !== undefined ? { secretsProvider: values.secretsProvider } : {}),
    ...(layout !== undefined ? { layout: layout as Layout } : {}),
    ...(values.github !== undefined ? { github: values.github } : {}),
    reviewers: list(values.reviewers ?? ""),
    reviewerTeams: list(values.reviewerTeams ?? ""),
  };
}
