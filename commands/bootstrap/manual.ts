/**
 * What bootstrap leaves to the user, in order, each with the command that does it:
 * the repository-level secrets and variables the workflows read (the program manages
 * environments, not the repository's own settings or the admin token it runs with),
 * committing the stack files, and switching deploys on.
 */
import type { StateBackend } from "./backend";
import { GATED, STACKS } from "./environments";
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
        `Apply the GitHub settings (environments ${STACKS.join(", ")}, reviewers of ${GATED.join(" and ")}, ` +
          `their secrets, branch protection): GITHUB_TOKEN=<a token that may administer ${m.repository}> ${m.rerun}`,
      );
    }
    steps.push(
      `Environment secret GH_ADMIN_TOKEN in each environment (deploys keep the settings; the program ` +
        `never manages the token it runs with): ` +
        STACKS.map((s) => `gh secret set GH_ADMIN_TOKEN --env ${s}${repo}`).join("; "),
    );
  } else {
    steps.push(
      `GitHub settings by hand (Settings → Environments): ${STACKS.join(", ")}, required reviewers on ` +
        `${GATED.join(" and ")} (the deploy jobs refuse to run without them), each with the secrets ` +
        `KUBECONFIG and REGISTRY_TOKEN; branch protection of main requiring the pull-request checks`,
    );
  }
  if (m.changedFiles.length > 0) {
    steps.push(
      `Commit and push what bootstrap wrote (secrets only encrypted): ` +
        `git${m.top ? ` -C ${m.top}` : ""} add ${m.changedFiles.join(" ")} && git commit -m "Bootstrap the stacks" && git push`,
    );
  }
  steps.push(
    `Optional: the deployers' kubeconfigs for the previews (a read-only one cannot preview; ` +
      `docs/delivery.md#the-deployer): ` +
      STACKS.map(
        (s) => `gh secret set PREVIEW_KUBECONFIG_${s.toUpperCase()}${repo} < ${s}-ci.kubeconfig`,
      ).join("; "),
  );
  steps.push(
    `Open a pull request: every preview must pass (staging and prod report "nothing verified to promote yet" until dev has deployed)`,
  );
  steps.push(`Switch deploys on, then merge: gh variable set DEPLOY_ENABLED --body true${repo}`);
  return steps.map((s, i) => `${i + 1}. ${s}`);
}
