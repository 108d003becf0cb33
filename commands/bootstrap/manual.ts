/**
 * What bootstrap leaves to the user, in order, each with the command that does it:
 * the repository-level secrets and variables the workflows read, the environments' secrets
 * it was not given, the admin token of the settings job (the settings stack manages
 * environments and branch protection, never the token it runs with), committing the stack
 * files and CODEOWNERS, and switching deploys on.
 */
import type { StateBackend } from "./backend";
import { GATED_ENVIRONMENTS } from "../../src/names";
import { SETTINGS_STACK, STACKS } from "./environments";
import type { Layout } from "./layout";

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
  /** The bootstrap command line as given, to run again. */
  readonly rerun: string;
}

/** The steps left by hand, numbered in the order to do them. */
export function manualSteps(m: ManualInput): string[] {
  const steps: string[] = [];
  const repo = m.repository ? ` --repo ${m.repository}` : "";
  if (m.backend.kind === "cloud") {
    steps.push(
      `Repository secret PULUMI_ACCESS_TOKEN (a Pulumi Cloud token of ${m.org}): gh secret set PULUMI_ACCESS_TOKEN${repo}`,
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
          ? `The bucket's credentials for the jobs: gh secret set AWS_ACCESS_KEY_ID${repo}; gh secret set AWS_SECRET_ACCESS_KEY${repo}; gh variable set AWS_REGION --body <region>${repo}`
          : `Credentials for ${m.backend.scheme}:// in the jobs' env of the three workflows (docs/delivery.md#state-backend-and-secrets)`,
      );
    }
  }
  if (m.secretsProvider === "passphrase") {
    steps.push(
      `Repository secret PULUMI_CONFIG_PASSPHRASE (the passphrase given here): gh secret set PULUMI_CONFIG_PASSPHRASE${repo}`,
    );
  }
  if (m.layout === "separate") {
    steps.push(
      `Repository variable APP_REPOSITORY (the app's owner/name; APP_REF optional, APP_REPOSITORY_TOKEN for a private one): gh variable set APP_REPOSITORY --body OWNER/NAME${repo}`,
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
      `Environment secret GH_ADMIN_TOKEN of the ${SETTINGS_STACK} environment alone (its settings ` +
        `job keeps the settings; no deploy, preview or rollback gets it): ` +
        `gh secret set GH_ADMIN_TOKEN --env ${SETTINGS_STACK}${repo}`,
    );
    if (m.codeOwnersToAdd) {
      steps.push(
        `Add to ${m.codeOwnersToAdd.at} (yours, so bootstrap left it): ` +
          m.codeOwnersToAdd.lines.join("; "),
      );
    }
  } else {
    steps.push(
      `GitHub settings by hand (Settings → Environments): ${[...STACKS, SETTINGS_STACK].join(", ")}, required reviewers on ` +
        `${GATED_ENVIRONMENTS.join(", ")} (the deploy jobs refuse to run without them), no self-review, no admin bypass, ` +
        `deployments from main only; the secrets KUBECONFIG and REGISTRY_TOKEN of each deploy environment; ` +
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
  steps.push(
    `Optional: read-only kubeconfigs for the previews: ` +
      STACKS.map(
        (s) =>
          `gh secret set PREVIEW_KUBECONFIG_${s.toUpperCase()}${repo} < ${s}-readonly.kubeconfig`,
      ).join("; "),
  );
  steps.push(
    `Open a pull request: every preview must pass (staging and prod report "nothing verified to promote yet" until dev has deployed)`,
  );
  steps.push(`Switch deploys on, then merge: gh variable set DEPLOY_ENABLED --body true${repo}`);
  return steps.map((s, i) => `${i + 1}. ${s}`);
}
