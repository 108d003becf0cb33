/**
 * What bootstrap leaves to the user, in order, each with the command that does it: the
 * secrets of each GitHub environment the workflows run in (src/config/ci-environments.ts:
 * a stack's state credentials and passphrase only in the environments of that stack; none
 * at the repository level) that it was not given, the admin token of the settings job (the
 * settings stack manages environments and branch protection, never the token it runs
 * with), the repository's variables, committing the stack files and CODEOWNERS, and
 * switching deploys on. Every `gh secret set` names the environment and the repository and
 * takes the value on standard input (gh asks for it, hidden).
 */
import { ADMIN_TOKEN_SECRET, CI_ENVIRONMENTS } from "../../src/config/ci-environments";
import type { StateBackend } from "./backend";
import { GATED_ENVIRONMENTS } from "../../src/names";
import { SETTINGS_STACK, STACKS } from "./environments";
import type { Layout } from "./layout";

/** Every environment holds the state credentials of its own stack (the settings job's: github's). */
const STATE_ENVIRONMENTS = Object.keys(CI_ENVIRONMENTS);

/** Which stack's value each environment takes: "dev-preview and dev: dev's; …". */
const WHOSE = [...new Set(Object.values(CI_ENVIRONMENTS).map((e) => e.stack))]
  .map(
    (stack) =>
      `${Object.keys(CI_ENVIRONMENTS)
        .filter((e) => CI_ENVIRONMENTS[e]!.stack === stack)
        .join(" and ")}: ${stack}'s`,
  )
  .join("; ");

/** `gh secret set NAME --env E` for each environment (the value on standard input). */
function perEnvironment(name: string, environments: readonly string[], repo: string): string {
  return environments.map((e) => `gh secret set ${name} --env ${e}${repo}`).join("; ");
}

export interface ManualInput {
  readonly backend: StateBackend;
  readonly org: string;
  readonly secretsProvider: string;
  readonly layout: Layout;
  /** "owner/name", when GitHub settings are managed. */
  readonly repository?: string;
  /** Whether this run applied the GitHub settings. */
  readonly githubApplied: boolean;
  /** `gh secret set --env` lines of the environment secrets this run does not set. */
  readonly environmentSecrets?: readonly string[];
  /** CODEOWNERS lines to add to a CODEOWNERS of the user's own (`at`), if there is one. */
  readonly codeOwnersToAdd?: { readonly at: string; readonly lines: readonly string[] };
  /** The repository's top folder, if in a git checkout. */
  readonly top?: string;
  /** The stack files (and workflow copies) this run wrote or would write, relative to `top`. */
  readonly changedFiles: readonly string[];
  /** The stacks that share a passphrase with another (each should have its own). */
  readonly sharedPassphrase?: readonly string[];
  /** The bootstrap command line as given, to run again. */
  readonly rerun: string;
}

/** The steps left by hand, numbered in the order to do them. */
export function manualSteps(m: ManualInput): string[] {
  const steps: string[] = [];
  const repo = m.repository ? ` --repo ${m.repository}` : "";
  if (m.backend.kind === "cloud") {
    steps.push(
      `Environment secret PULUMI_ACCESS_TOKEN: in each environment a Pulumi Cloud token of ${m.org} ` +
        `that may use only that environment's stack (a team token per stack; ${WHOSE}): ` +
        perEnvironment("PULUMI_ACCESS_TOKEN", STATE_ENVIRONMENTS, repo),
    );
    steps.push(
      `Repository variable PULUMI_ORG, so the workflows find the stacks in ${m.org}: gh variable set PULUMI_ORG --body ${m.org}${repo}`,
    );
  } else {
    if (m.backend.scheme === "file") {
      steps.push(
        `${m.backend.url} is on this machine only: the workflows need the same state, so use an ` +
          `s3://, azblob:// or gs:// backend (or Pulumi Cloud) for CI and run bootstrap with it`,
      );
    } else {
      steps.push(
        `Repository variable PULUMI_BACKEND_URL: gh variable set PULUMI_BACKEND_URL --body '${m.backend.url}'${repo}`,
      );
      steps.push(
        m.backend.scheme === "s3"
          ? `The bucket's credentials, one IAM identity per stack that may write only its stack's keys ` +
              `(${WHOSE}; docs/delivery.md#secrets-per-environment): ` +
              perEnvironment("AWS_ACCESS_KEY_ID", STATE_ENVIRONMENTS, repo) +
              "; " +
              perEnvironment("AWS_SECRET_ACCESS_KEY", STATE_ENVIRONMENTS, repo) +
              `; gh variable set AWS_REGION --body <region>${repo}`
          : `Credentials for ${m.backend.scheme}:// in the jobs' env of the three workflows (docs/delivery.md#state-backend-and-secrets)`,
      );
    }
  }
  if (m.secretsProvider === "passphrase" && (m.sharedPassphrase ?? []).length > 0) {
    steps.push(
      `The stacks ${m.sharedPassphrase!.join(", ")} share one passphrase: whoever holds one holds the ` +
        `others'. Give each its own: PULUMI_CONFIG_PASSPHRASE_DEV, _STAGING, _PROD before bootstrap ` +
        `creates the stacks (docs/delivery.md#secrets-per-environment)`,
    );
  }
  if (m.secretsProvider === "passphrase") {
    steps.push(
      `Environment secret PULUMI_CONFIG_PASSPHRASE: in each environment the passphrase of its ` +
        `stack (${WHOSE}): ` +
        perEnvironment("PULUMI_CONFIG_PASSPHRASE", STATE_ENVIRONMENTS, repo),
    );
  }
  if (m.layout === "separate") {
    steps.push(
      `Repository variable APP_REPOSITORY (the app's owner/name; APP_REF optional; for a private one the ` +
        `environment secret APP_REPOSITORY_TOKEN of dev and dev-preview): gh variable set APP_REPOSITORY --body OWNER/NAME${repo}`,
    );
  }
  if (m.repository) {
    if (!m.githubApplied) {
      steps.push(
        `Apply the GitHub settings (the ${SETTINGS_STACK} stack: environments ${[...STACKS, SETTINGS_STACK].join(", ")}, ` +
          `reviewers of ${GATED_ENVIRONMENTS.join(", ")}, branch protection), then the environments' secrets: ` +
          `GITHUB_TOKEN=<a token that may administer ${m.repository}> ${m.rerun}`,
      );
    }
    if ((m.environmentSecrets ?? []).length > 0) {
      steps.push(
        `The environments' secrets bootstrap was not given (each value on standard input): ` +
          m.environmentSecrets!.join("; "),
      );
    }
    steps.push(
      `Environment secret ${ADMIN_TOKEN_SECRET} of the ${SETTINGS_STACK} environment alone (with required reviewers; ` +
        `the settings job applies the settings with it; no deploy, preview or rollback gets it): ` +
        `gh secret set ${ADMIN_TOKEN_SECRET} --env ${SETTINGS_STACK}${repo}`,
    );
    if (m.codeOwnersToAdd) {
      steps.push(
        `Add to ${m.codeOwnersToAdd.at} (yours, so bootstrap left it): ` +
          m.codeOwnersToAdd.lines.join("; "),
      );
    }
  } else {
    steps.push(
      `GitHub settings by hand (Settings → Environments): ${Object.keys(CI_ENVIRONMENTS).join(", ")} ` +
        `as docs/delivery.md#secrets-per-environment lists them, required reviewers on ` +
        `${GATED_ENVIRONMENTS.join(", ")} (their jobs refuse to run without them), no self-review, no admin bypass; ` +
        `the secrets KUBECONFIG and REGISTRY_TOKEN of each deploy environment; ` +
        `branch protection of main requiring the pull-request checks and a code owner's review, admins included`,
    );
  }
  if (m.changedFiles.length > 0) {
    const git = `git${m.top ? ` -C ${m.top}` : ""}`;
    steps.push(
      m.githubApplied
        ? // The branch is protected now: the change arrives through a reviewed pull request.
          `Commit what bootstrap wrote (secrets only encrypted) and open a pull request (main is ` +
            `protected now): ${git} switch -c bootstrap && ${git} add ${m.changedFiles.join(" ")} && ` +
            `${git} commit -m "Bootstrap the stacks" && ${git} push -u origin bootstrap && ` +
            `gh pr create --fill${repo}`
        : `Commit and push what bootstrap wrote (secrets only encrypted): ` +
            `${git} add ${m.changedFiles.join(" ")} && ${git} commit -m "Bootstrap the stacks" && ${git} push`,
    );
  }
  const previews = STATE_ENVIRONMENTS.filter((e) => !(STACKS as readonly string[]).includes(e));
  steps.push(
    `Optional: the deployer's kubeconfig of each stack for dev's pull-request previews and the plans (a read-only one cannot preview; docs/delivery.md#the-deployer): ` +
      previews
        .map((e) => `gh secret set KUBECONFIG --env ${e}${repo} < ${e}.kubeconfig`)
        .join("; "),
  );
  steps.push(
    `Open a pull request: every preview must pass (staging and prod report "nothing verified to promote yet" until dev has deployed)`,
  );
  steps.push(`Switch deploys on, then merge: gh variable set DEPLOY_ENABLED --body true${repo}`);
  return steps.map((s, i) => `${i + 1}. ${s}`);
}
