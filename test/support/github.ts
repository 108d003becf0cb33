/** GitHub settings shared by their tests: known secret values and a gated prod config. */
import {
  githubConfigSchema,
  type GitHubConfig,
  type GitHubConfigInput,
} from "../../src/config/github-schema";

/** The secret values composeGitHub is given; none may reach an output. */
export const SECRETS = {
  registryToken: "ghp_registry_token_do_not_leak",
  kubeconfig: "apiVersion: v1\nkind: Config\n# kubeconfig-do-not-leak\n",
  OPENAI_API_KEY: "sk-openai-do-not-leak",
  GOOGLE_MAPS_API_KEY: "maps-key-do-not-leak",
};
export const APP_SECRETS = {
  OPENAI_API_KEY: SECRETS.OPENAI_API_KEY,
  GOOGLE_MAPS_API_KEY: SECRETS.GOOGLE_MAPS_API_KEY,
};

/** `input` as the schema parses it, defaults filled. */
export function githubConfig(input: GitHubConfigInput): GitHubConfig {
  return githubConfigSchema.parse(input);
}

/** A gated environment: two users and a team review, and not their own deployments. */
export const PROD: GitHubConfigInput = {
  repository: "acme/travel-deploy",
  environment: {
    requireApproval: true,
    reviewers: { users: ["alice", "bob"], teams: ["platform"] },
    preventSelfReview: true,
  },
};
