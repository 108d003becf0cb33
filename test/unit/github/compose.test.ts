/**
 * GitHub settings as code: the `github` sub-schema and its cross-key rules, the
 * environment (reviewers, branch policy, secrets sent as secrets), branch
 * protection only where the flag is set, nothing without `github`, and no secret
 * value in any output.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  ofType,
  one,
  recorded,
  resetRecorded,
  secretContent,
  settle,
  valueOf,
} from "../../support/mocks";
import {
  composeGitHub,
  GitHubConfig,
  GitHubConfigInput,
  githubConfigIssues,
  githubConfigSchema,
  GitHubOutputs,
  kubeconfigSchema,
  PR_CHECKS,
} from "../../../src/github";

const ROOT = join(__dirname, "..", "..", "..");
const PROVIDER = "pulumi:providers:github";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const POLICY =
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
const PROTECTION = "github:index/branchProtection:BranchProtection";
const DEPLOY_ENV = "travel:github:DeployEnvironment";
const BRANCH_PROTECTION = "travel:github:BranchProtection";
const GET_USER = "github:index/getUser:getUser";
const GET_TEAM = "github:index/getTeam:getTeam";

const SECRETS = {
  registryToken: "ghp_registry_token_do_not_leak",
  kubeconfig: "apiVersion: v1\nkind: Config\n# kubeconfig-do-not-leak\n",
  OPENAI_API_KEY: "sk-openai-do-not-leak",
  GOOGLE_MAPS_API_KEY: "maps-key-do-not-leak",
};
const APP_SECRETS = {
  OPENAI_API_KEY: SECRETS.OPENAI_API_KEY,
  GOOGLE_MAPS_API_KEY: SECRETS.GOOGLE_MAPS_API_KEY,
};
const USER_IDS: Record<string, number> = { alice: 1001, bob: 1002 };
const TEAM_IDS: Record<string, number> = { platform: 2001 };

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
const invokes: { token: string; inputs: Record<string, unknown>; provider: string }[] = [];
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

function githubConfig(input: GitHubConfigInput): GitHubConfig {
  return githubConfigSchema.parse(input);
}

const PROD: GitHubConfigInput = {
  repository: "acme/travel-deploy",
  environment: {
    requireApproval: true,
    reviewers: { users: ["alice", "bob"], teams: ["platform"] },
    preventSelfReview: true,
  },
};

async function composeWith(
  github: GitHubConfig | undefined,
  environment = "prod",
  kubeconfig: string | undefined = SECRETS.kubeconfig,
): Promise<GitHubOutputs | undefined> {
  resetRecorded();
  invokes.length = 0;
  const out = composeGitHub(
    { environment, github, appSecretKeys: Object.keys(APP_SECRETS).sort() },
    {
      pullToken: pulumi.secret(SECRETS.registryToken),
      appSecrets: pulumi.secret(APP_SECRETS),
      kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig),
    },
  );
  if (out) await valueOf(out.environment);
  await settle();
  return out;
}

function containsSecretValue(value: unknown): string | undefined {
  const text = JSON.stringify(value) ?? "";
  return Object.values(SECRETS).find((s) => text.includes(JSON.stringify(s).slice(1, -1)));
}

describe("github config schema", () => {
  it("defaults to an environment without a gate, deploying from main, no branch protection", () => {
    assert.deepEqual(githubConfig({ repository: "acme/travel-deploy" }), {
      repository: "acme/travel-deploy",
      environment: {
        requireApproval: false,
        reviewers: { users: [], teams: [] },
        preventSelfReview: false,
        deploymentBranch: "main",
        appSecrets: [],
      },
      manageBranchProtection: false,
      requiredChecks: PR_CHECKS,
    });
  });

  it("refuses malformed values and unknown keys", () => {
    const bad: [unknown, string][] = [
      [{ repository: "travel-deploy" }, "repository"],
      [{ repository: "acme/travel deploy" }, "repository"],
      [{ repository: "acme/x", environment: { reviewers: { users: ["al ice"] } } }, "users"],
      [{ repository: "acme/x", environment: { reviewers: { teams: ["Platform"] } } }, "teams"],
      [{ repository: "acme/x", environment: { deploymentBranch: "main..x" } }, "deploymentBranch"],
      [{ repository: "acme/x", environment: { appSecrets: ["GITHUB_TOKEN"] } }, "appSecrets"],
      [{ repository: "acme/x", manageBranchProtection: "yes" }, "manageBranchProtection"],
      [{ repository: "acme/x", requiredChecks: [""] }, "requiredChecks"],
      [{ repository: "acme/x", reviewers: { users: ["alice"] } }, ""],
    ];
    for (const [input, key] of bad) {
      const result = githubConfigSchema.safeParse(input);
      assert.equal(result.success, false, JSON.stringify(input));
      assert.ok(
        result.error!.issues.some((i) =>
          key === "" ? i.code === "unrecognized_keys" : i.path.map(String).includes(key),
        ),
        `${JSON.stringify(input)}: ${JSON.stringify(result.error!.issues)}`,
      );
    }
  });

  it("accepts a secret kubeconfig string only", () => {
    assert.equal(kubeconfigSchema.safeParse("apiVersion: v1").success, true);
    assert.equal(kubeconfigSchema.safeParse("").success, false);
    assert.equal(kubeconfigSchema.safeParse({ apiVersion: "v1" }).success, false);
  });

  it("finds no cross-key problem in a valid gated config, and none without github", () => {
    assert.deepEqual(
      githubConfigIssues({
        github: githubConfig({
          ...PROD,
          environment: { ...PROD.environment, appSecrets: ["OPENAI_API_KEY"] },
        }),
        appSecrets: APP_SECRETS,
        kubeconfig: "k",
      }),
      [],
    );
    assert.deepEqual(githubConfigIssues({ appSecrets: {} }), []);
  });

  it("ties reviewers to the approval gate and checks the other keys github needs", () => {
    const issues = (
      input: GitHubConfigInput,
      secrets: { kubeconfig?: string } = { kubeconfig: "k" },
    ) =>
      githubConfigIssues({ github: githubConfig(input), appSecrets: APP_SECRETS, ...secrets }).map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      );
    const repo = { repository: "acme/x" };
    assert.deepEqual(issues({ ...repo, environment: { requireApproval: true } }), [
      "github.environment.reviewers: at least one user or team: requireApproval is true",
    ]);
    assert.deepEqual(issues({ ...repo, environment: { reviewers: { users: ["alice"] } } }), [
      "github.environment.reviewers: no reviewers unless environment.requireApproval is true",
    ]);
    assert.deepEqual(
      issues({
        ...repo,
        environment: {
          requireApproval: true,
          reviewers: { users: ["a1", "a2", "a3", "a4"], teams: ["t1", "t2", "t3"] },
        },
      }),
      ["github.environment.reviewers: at most 6 users and teams together (GitHub's limit)"],
    );
    assert.deepEqual(issues({ ...repo, environment: { preventSelfReview: true } }), [
      "github.environment.preventSelfReview: false unless environment.requireApproval is true",
    ]);
    assert.deepEqual(issues({ ...repo, manageBranchProtection: true, requiredChecks: [] }), [
      "github.requiredChecks: at least one check name when manageBranchProtection is true",
    ]);
    assert.deepEqual(issues(repo, {}), [
      "kubeconfig: a kubeconfig for the environment's KUBECONFIG secret when github is set " +
        "(pulumi config set --secret kubeconfig < FILE)",
    ]);
    assert.deepEqual(issues({ ...repo, environment: { appSecrets: ["NOPE"] } }), [
      "github.environment.appSecrets.0: a key of appSecrets",
    ]);
  });
});

describe("composeGitHub", () => {
  beforeEach(() => resetRecorded());

  it("creates nothing and returns nothing when github is absent", async () => {
    const out = await composeWith(undefined);
    assert.equal(out, undefined);
    assert.deepEqual(recorded, []);
  });

  it("refuses a github config without a kubeconfig before creating anything", () => {
    resetRecorded();
    assert.throws(
      () =>
        composeGitHub(
          { environment: "dev", github: githubConfig(PROD), appSecretKeys: [] },
          { pullToken: "t", appSecrets: {} },
        ),
      /kubeconfig: expected a kubeconfig/,
    );
    assert.deepEqual(recorded, []);
  });

  it("creates a provider for the repository's owner and the environment component", async () => {
    await composeWith(githubConfig(PROD));
    assert.deepEqual(
      ofType(PROVIDER).map((r) => [r.name, r.inputs.owner]),
      [["travel-github", "acme"]],
    );
    assert.deepEqual(
      ofType(DEPLOY_ENV).map((r) => r.name),
      ["travel"],
    );
    assert.deepEqual(ofType(PROTECTION), []);
    assert.deepEqual(ofType(BRANCH_PROTECTION), []);
  });

  it("gates the environment on the reviewers' IDs, resolved through the provider", async () => {
    await composeWith(githubConfig(PROD));
    assert.deepEqual(one(ENVIRONMENT, "travel-environment").inputs, {
      repository: "travel-deploy",
      environment: "prod",
      reviewers: [{ users: [1001, 1002], teams: [2001] }],
      preventSelfReview: true,
      deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    });
    const lookups = invokes
      .filter((i) => i.token === GET_USER || i.token === GET_TEAM)
      .map((i) => [i.token, i.inputs.username ?? i.inputs.slug, i.inputs.summaryOnly ?? null]);
    assert.deepEqual(lookups.sort(), [
      [GET_TEAM, "platform", true],
      [GET_USER, "alice", null],
      [GET_USER, "bob", null],
    ]);
    for (const i of invokes) {
      assert.match(i.provider, /::pulumi:providers:github::travel-github::/, i.token);
    }
  });

  it("has no reviewers without an approval gate", async () => {
    await composeWith(githubConfig({ repository: "acme/travel-deploy" }), "dev");
    const env = one(ENVIRONMENT, "travel-environment").inputs;
    assert.deepEqual(env.reviewers, []);
    assert.equal(env.environment, "dev");
    assert.equal(env.preventSelfReview, false);
    assert.deepEqual(
      invokes.filter((i) => i.token === GET_USER || i.token === GET_TEAM),
      [],
    );
  });

  it("lets only the deployment branch deploy", async () => {
    await composeWith(
      githubConfig({ ...PROD, environment: { ...PROD.environment, deploymentBranch: "release" } }),
    );
    assert.deepEqual(ofType(POLICY).length, 1);
    assert.deepEqual(one(POLICY, "travel-branch-policy").inputs, {
      repository: "travel-deploy",
      environment: "prod",
      branchPattern: "release",
    });
  });

  it("sends the kubeconfig, the registry token and chosen app secrets as secrets", async () => {
    const out = await composeWith(
      githubConfig({
        ...PROD,
        environment: { ...PROD.environment, appSecrets: ["OPENAI_API_KEY"] },
      }),
    );
    assert.deepEqual(out!.secretNames, ["KUBECONFIG", "OPENAI_API_KEY", "REGISTRY_TOKEN"]);
    const sent = Object.fromEntries(
      ofType(SECRET).map((r) => {
        assert.equal(r.inputs.repository, "travel-deploy");
        assert.equal(r.inputs.environment, "prod");
        assert.equal(r.inputs.plaintextValue, undefined, "deprecated plaintextValue used");
        assert.equal(typeof r.inputs.value, "object", `${r.inputs.secretName} sent in plaintext`);
        return [r.inputs.secretName, [r.name, secretContent(r.inputs.value)]];
      }),
    );
    assert.deepEqual(sent, {
      KUBECONFIG: ["travel-secret-kubeconfig", SECRETS.kubeconfig],
      REGISTRY_TOKEN: ["travel-secret-registry-token", SECRETS.registryToken],
      OPENAI_API_KEY: ["travel-secret-openai-api-key", SECRETS.OPENAI_API_KEY],
    });
  });

  it("copies no app secret into the environment unless listed", async () => {
    await composeWith(githubConfig(PROD));
    assert.deepEqual(
      ofType(SECRET)
        .map((r) => r.inputs.secretName)
        .sort(),
      ["KUBECONFIG", "REGISTRY_TOKEN"],
    );
  });

  it("protects the branch, requiring the pull-request checks, only when the flag is set", async () => {
    const out = await composeWith(githubConfig({ ...PROD, manageBranchProtection: true }));
    assert.deepEqual(
      ofType(BRANCH_PROTECTION).map((r) => r.name),
      ["travel"],
    );
    assert.deepEqual(one(PROTECTION, "travel-branch").inputs, {
      repositoryId: "travel-deploy",
      pattern: "main",
      requiredStatusChecks: [{ strict: true, contexts: PR_CHECKS }],
      allowsForcePushes: false,
      allowsDeletions: false,
    });
    assert.equal(await valueOf(out!.protectedBranch!), "main");

    await composeWith(
      githubConfig({ ...PROD, manageBranchProtection: true, requiredChecks: ["unit tests"] }),
    );
    assert.deepEqual(one(PROTECTION, "travel-branch").inputs.requiredStatusChecks, [
      { strict: true, contexts: ["unit tests"] },
    ]);
  });

  it("exports no secret value, from the function or from any component", async () => {
    const out = await composeWith(
      githubConfig({
        ...PROD,
        manageBranchProtection: true,
        environment: { ...PROD.environment, appSecrets: ["OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY"] },
      }),
    );
    const resolved = {
      repository: out!.repository,
      environment: await valueOf(out!.environment),
      secretNames: out!.secretNames,
      protectedBranch: await valueOf(out!.protectedBranch!),
    };
    assert.deepEqual(resolved, {
      repository: "acme/travel-deploy",
      environment: "prod",
      secretNames: ["GOOGLE_MAPS_API_KEY", "KUBECONFIG", "OPENAI_API_KEY", "REGISTRY_TOKEN"],
      protectedBranch: "main",
    });
    assert.equal(containsSecretValue(resolved), undefined);
    // The secrets did reach the GitHub resources (so the check above can fail)...
    assert.ok(containsSecretValue(ofType(SECRET).map((r) => secretContent(r.inputs.value))));
    // ...but no component registered one as an output.
    const components = [...monitor.getRegisteredResources().values()].filter((r) =>
      r.urn.split("::")[2]!.split("$").pop()!.startsWith("travel:github:"),
    );
    const outputs = Object.fromEntries(
      components.map((c) => {
        const state = c.state as { toJavaScript?: () => unknown };
        const type = c.urn.split("::")[2]!.split("$").pop()!;
        return [type, state.toJavaScript ? state.toJavaScript() : state];
      }),
    );
    // The registered outputs (not the empty inputs), so the check below can fail.
    assert.deepEqual(outputs, {
      [DEPLOY_ENV]: {
        environment: "prod",
        secretNames: ["GOOGLE_MAPS_API_KEY", "KUBECONFIG", "OPENAI_API_KEY", "REGISTRY_TOKEN"],
      },
      [BRANCH_PROTECTION]: { pattern: "main" },
    });
    for (const [type, state] of Object.entries(outputs)) {
      assert.equal(containsSecretValue(state), undefined, type);
    }
  });
});

describe("github settings of the stacks", () => {
  const proposed = parse(
    readFileSync(join(ROOT, "test", "fixtures", "github", "stack-config.yaml"), "utf8"),
  ) as Record<string, Record<string, unknown>>;

  /** The parsed `travel:github` of each stack that sets one. */
  const settingsOf = (stacks: Record<string, Record<string, unknown> | undefined>) =>
    Object.fromEntries(
      Object.entries(stacks)
        .filter(([, config]) => config?.["travel:github"] !== undefined)
        .map(([stack, config]) => [stack, githubConfigSchema.parse(config!["travel:github"])]),
    );

  it("the proposed settings gate staging and prod and protect the branch from one stack", () => {
    const settings = settingsOf(proposed);
    assert.deepEqual(Object.keys(settings).sort(), ["dev", "prod", "staging"]);
    assert.equal(settings.dev!.environment.requireApproval, false);
    assert.equal(settings.staging!.environment.requireApproval, true);
    assert.equal(settings.prod!.environment.requireApproval, true);
    assert.deepEqual(
      Object.entries(settings)
        .filter(([, s]) => s.manageBranchProtection)
        .map(([stack]) => stack),
      ["prod"],
    );
    for (const [stack, s] of Object.entries(settings)) {
      assert.deepEqual(
        githubConfigIssues({ github: s, appSecrets: APP_SECRETS, kubeconfig: "k" }),
        [],
        stack,
      );
    }
  });

  it("the committed stack files protect the branch from exactly one stack when any sets github", () => {
    const files = Object.fromEntries(
      ["dev", "staging", "prod"].map((stack) => [
        stack,
        (
          parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
            config?: Record<string, unknown>;
          }
        ).config,
      ]),
    );
    const settings = settingsOf(files);
    const owners = Object.values(settings).filter((s) => s.manageBranchProtection).length;
    assert.equal(owners, Object.keys(settings).length === 0 ? 0 : 1);
  });
});
