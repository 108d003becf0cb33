/**
 * composeGitHub under the mocks (test/unit/github/): the type tokens it registers, the
 * invokes it makes, and a composition of the settings stack.
 */
import * as pulumi from "@pulumi/pulumi";
import { resetRecorded, settle, valueOf } from "./mocks";
import { composeGitHub, type GitHubConfig, type GitHubOutputs } from "../../src/github";
import { SETTINGS_STACK } from "../../src/names";

/** The type tokens composeGitHub registers and invokes. */
export const PROVIDER = "pulumi:providers:github";
export const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
export const POLICY =
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
export const SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
export const PROTECTION = "github:index/branchProtection:BranchProtection";
export const GITHUB_ENV = "travel:github:Environment";
export const BRANCH_PROTECTION = "travel:github:BranchProtection";
export const GET_USER = "github:index/getUser:getUser";
export const GET_TEAM = "github:index/getTeam:getTeam";

export const USER_IDS: Record<string, number> = { alice: 1001, bob: 1002 };
export const TEAM_IDS: Record<string, number> = { platform: 2001 };

/**
 * The project's mocks answer an invoke with its own inputs; GitHub's user and
 * team lookups must return numeric IDs, so those two invokes are answered here
 * (recording them) and everything else still goes to the project's mocks.
 */
interface MockMonitor {
  mocks: pulumi.runtime.Mocks;
  getRegisteredResources(): Map<string, { urn: string; state: unknown }>;
}
const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
const projectMocks = monitor.mocks;
/** Every invoke since the last composeWith. */
export const invokes: { token: string; inputs: Record<string, unknown>; provider: string }[] = [];
monitor.mocks = {
  newResource: (args) => projectMocks.newResource(args),
  call(args) {
    invokes.push({ token: args.token, inputs: args.inputs, provider: args.provider ?? "" });
    if (args.token === GET_USER) {
      const id = USER_IDS[String(args.inputs.username)];
      return { ...args.inputs, id: String(id ?? "") };
    }
    if (args.token === GET_TEAM) {
      const id = TEAM_IDS[String(args.inputs.slug)];
      return { ...args.inputs, id: String(id ?? "") };
    }
    return projectMocks.call(args);
  },
};

/** What the mock monitor registered: every resource, components included, with its state. */
export function registeredResources(): { urn: string; state: unknown }[] {
  return [...monitor.getRegisteredResources().values()];
}

/**
 * Composes the settings stack's GitHub settings after clearing what earlier compositions
 * recorded; resolves once registrations settle.
 */
export async function composeWith(github: GitHubConfig): Promise<GitHubOutputs> {
  resetRecorded();
  invokes.length = 0;
  const out = composeGitHub({ environment: SETTINGS_STACK, github });
  await valueOf(out.environments);
  await settle();
  return out;
}
