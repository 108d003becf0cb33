/**
 * The GitHub environments the workflows run in, as data: which branches may use each
 * (its deployment branch policy), whether a reviewer must approve a job that names it,
 * which stack's state and secrets it holds, and the names of its secrets. Nothing is a
 * repository secret: every secret a job reads is a secret of the environment it names.
 * docs/delivery.md ("Secrets per environment") lists this table, and
 * test/unit/workflows/access.test.ts checks the workflows against it under GitHub's rules.
 */

/** The secrets that open a stack's state and config: whichever of them the backend needs. */
export const STATE_SECRETS = [
  "PULUMI_CONFIG_PASSPHRASE",
  "PULUMI_ACCESS_TOKEN",
  "PULUMI_BACKEND_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
] as const;

/** The admin token of the repository's settings (the `github` stack only). */
export const ADMIN_TOKEN_SECRET = "GH_ADMIN_TOKEN";

export interface CiEnvironment {
  /** Branch names that may use the environment, or "all" (no deployment branch policy). */
  readonly branches: readonly string[] | "all";
  /** Whether required reviewers gate every job that names it. */
  readonly reviewers: boolean;
  /** The stack whose state and config its secrets open. */
  readonly stack: string;
  /** Its environment secrets, by name. */
  readonly secrets: readonly string[];
  /** What runs in it. */
  readonly purpose: string;
}

const CLUSTER = ["KUBECONFIG", "REGISTRY_TOKEN"] as const;

/** Every environment the workflows name, by name. */
export const CI_ENVIRONMENTS: Readonly<Record<string, CiEnvironment>> = {
  "dev-preview": {
    branches: "all",
    reviewers: false,
    stack: "dev",
    secrets: [...STATE_SECRETS, "KUBECONFIG", "APP_REPOSITORY_TOKEN"],
    purpose:
      "pull-request previews: dev's preview, and the promotion staging and prod would follow",
  },
  dev: {
    branches: ["main"],
    reviewers: false,
    stack: "dev",
    secrets: [...STATE_SECRETS, ...CLUSTER, "APP_REPOSITORY_TOKEN"],
    purpose: "deploy dev (every merge), roll dev back",
  },
  "staging-plan": {
    branches: ["main"],
    reviewers: false,
    stack: "staging",
    secrets: [...STATE_SECRETS, "KUBECONFIG"],
    purpose: "plan staging on main, before its approval",
  },
  staging: {
    branches: ["main"],
    reviewers: true,
    stack: "staging",
    secrets: [...STATE_SECRETS, ...CLUSTER],
    purpose: "deploy staging, roll staging back (approved)",
  },
  "prod-plan": {
    branches: ["main"],
    reviewers: false,
    stack: "prod",
    secrets: [...STATE_SECRETS, "KUBECONFIG"],
    purpose: "plan prod on main, before its approval",
  },
  prod: {
    branches: ["main"],
    reviewers: true,
    stack: "prod",
    secrets: [...STATE_SECRETS, ...CLUSTER],
    purpose: "deploy prod, roll prod back (approved)",
  },
  github: {
    branches: ["main"],
    reviewers: true,
    stack: "github",
    secrets: [...STATE_SECRETS, ADMIN_TOKEN_SECRET],
    purpose: "apply the repository's settings (pulumi up --stack github, approved)",
  },
};

/** Repository-level secrets the workflows read: none (the access test holds them to it). */
export const REPOSITORY_SECRETS: readonly string[] = [];

/** The environment of a stack's plan on main (no reviewer; restricted to main). */
export const planEnvironment = (stack: string): string => `${stack}-plan`;
