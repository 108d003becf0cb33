/** GitHub settings shared by their tests: the settings stack's config, gated as bootstrap sets it. */
import {
  githubConfigSchema,
  type GitHubConfig,
  type GitHubConfigInput,
} from "../../src/config/github-schema";

/** `input` as the schema parses it, defaults filled. */
export function githubConfig(input: GitHubConfigInput): GitHubConfig {
  return githubConfigSchema.parse(input);
}

/** The gated environments' reviewers: two users and a team on prod, one user elsewhere. */
export const SETTINGS: GitHubConfigInput = {
  repository: "acme/travel-deploy",
  environments: {
    staging: { reviewers: { users: ["alice"] } },
    prod: { reviewers: { users: ["alice", "bob"], teams: ["platform"] } },
    github: { reviewers: { users: ["bob"] } },
  },
};
