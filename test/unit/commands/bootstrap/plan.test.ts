/**
 * The bootstrap plan: on a fresh backend, idempotent once done, only what changed after
 * that, with GitHub settings with and without a token, and workflow
 * copies. What --dry-run prints is this plan (Pulumi Cloud: bootstrap-cloud.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeAction as line } from "../../../../commands/bootstrap/actions";
import { type Observed, plan } from "../../../../commands/bootstrap/plan";
import { parseStackFile, stripEncryption } from "../../../../commands/bootstrap/stack-file";
import { fresh, input, SECRETS, STACKS, text } from "../../../support/bootstrap";
describe("the plan", () => {
  it("on a fresh backend: the folder, then per stack reset, create and every secret, in order", () => {
    const { actions, prompts } = plan(input(fresh()));
    assert.deepEqual(prompts, []);
    const kinds = actions.map((a) => ("stack" in a ? `${a.stack}:${a.kind}` : a.kind));
    assert.deepEqual(kinds, [
      "create-folder",
      "dev:reset-stack-file",
      "dev:init-stack",
      // No push token: dev pushes with the deploy job's GITHUB_TOKEN (registry.pushTokenEnv).
      ...Array(3).fill("dev:set-secret"),
      "staging:reset-stack-file",
      "staging:init-stack",
      ...Array(3).fill("staging:set-secret"),
      "prod:reset-stack-file",
      "prod:init-stack",
      ...Array(3).fill("prod:set-secret"),
    ]);
    const text = actions.map(line).join("\n");
    assert.match(
      text,
      /dev: create the stack organization\/travel\/dev with the passphrase secrets provider: pulumi stack init organization\/travel\/dev --secrets-provider passphrase --no-select/,
    );
    for (const value of Object.values(SECRETS))
      assert.ok(!text.includes(value), "a secret value in the plan");
  });

  it("plans nothing once the stacks hold what was given, and only the changed secret after that", () => {
    const done = fresh(STACKS.map((s) => parseStackFile("x", stripEncryption(text(s)), "travel")));
    const ready: Observed = {
      ...done,
      stateFolderExists: true,
      stacks: Object.fromEntries(
        STACKS.map((s) => [
          s,
          {
            ...done.stacks[s],
            exists: true,
            secrets: {
              registryPullToken: "pull-2",
              "appSecrets.OPENAI_API_KEY": "sk-3",
              "appSecrets.GOOGLE_MAPS_API_KEY": "maps-4",
            },
          },
        ]),
      ) as unknown as Observed["stacks"],
    };
    assert.deepEqual(plan(input(ready)).actions, []);
    const rotated = {
      ...ready,
      stacks: {
        ...ready.stacks,
        prod: {
          ...ready.stacks.prod,
          secrets: { ...ready.stacks.prod.secrets, "appSecrets.OPENAI_API_KEY": "old" },
        },
      },
    };
    const { actions } = plan(input(rotated));
    assert.deepEqual(actions.map(line), [
      "prod: set the secret appSecrets.OPENAI_API_KEY (differs) from $OPENAI_API_KEY: pulumi config set --secret --raw --path appSecrets.OPENAI_API_KEY --stack organization/travel/prod",
    ]);
    const noEnv = plan({ ...input(ready), given: new Map() });
    assert.deepEqual(noEnv.actions, [], "a stored secret is kept when none is given");
  });

  it("makes the settings stack, gating staging, prod and github, and applies it with a token", () => {
    const github = { repository: "acme/travel", reviewers: { users: ["alice", "bob"], teams: [] } };
    const asked = plan(input(fresh(), { github }));
    assert.deepEqual(asked.prompts, [], "environment secrets are never asked for");
    const sets = asked.actions.flatMap((a) =>
      a.kind === "set-config" ? [`${a.stack} ${a.path}=${String(a.value)}`] : [],
    );
    assert.deepEqual(sets, [
      "github github.repository=acme/travel",
      ...["staging", "prod", "github"].flatMap((env) => [
        `github github.environments.${env}.reviewers.users[0]=alice`,
        `github github.environments.${env}.reviewers.users[1]=bob`,
      ]),
    ]);
    assert.deepEqual(
      asked.actions.filter((a) => a.kind === "init-stack").map((a) => a.stack),
      ["dev", "staging", "prod", "github"],
    );
    assert.ok(
      !asked.actions.some((a) => a.kind === "apply-github" || a.kind === "set-environment-secret"),
      "no token: nothing applied, no environment secret sent",
    );
    const applied = plan(input(fresh(), { github, githubToken: true })).actions.filter(
      (a) =>
        a.kind === "install-plugin" ||
        a.kind === "apply-github" ||
        a.kind === "set-environment-secret" ||
        a.kind === "copy-workflow",
    );
    assert.deepEqual(applied.map(line), [
      "install the github 6.15.0 plugin (the GitHub settings need it): pulumi plugin install resource github 6.15.0",
      "github: apply the GitHub settings (branch protection, environments and their reviewers): pulumi up --stack organization/travel/github (with GITHUB_TOKEN)",
      ...STACKS.map(
        (s) =>
          `${s}: set the environment secret REGISTRY_TOKEN from $REGISTRY_PULL_TOKEN (the value on gh's standard input): gh secret set REGISTRY_TOKEN --env ${s} --repo acme/travel`,
      ),
    ]);
  });

  it("sends a given kubeconfig to its environment, after the settings made it, never to a stack", () => {
    const github = { repository: "acme/travel", reviewers: { users: ["alice"], teams: [] } };
    const base = input(fresh(), { github, githubToken: true });
    const given = new Map(base.given);
    given.set("prod:KUBECONFIG", {
      value: "apiVersion: v1",
      from: "the file $KUBECONFIG_PROD names",
    });
    const { actions } = plan({ ...base, given });
    const kinds = actions.map((a) => ("stack" in a ? `${a.stack}:${a.kind}` : a.kind));
    const applyAt = kinds.indexOf("github:apply-github");
    const kubeconfigAt = actions.findIndex(
      (a) => a.kind === "set-environment-secret" && a.need.path === "KUBECONFIG",
    );
    assert.ok(applyAt >= 0 && kubeconfigAt > applyAt, kinds.join(", "));
    assert.equal(
      line(actions[kubeconfigAt]!),
      "prod: set the environment secret KUBECONFIG from the file $KUBECONFIG_PROD names (the value on gh's standard input): gh secret set KUBECONFIG --env prod --repo acme/travel",
    );
    assert.ok(
      !actions.some((a) => a.kind === "set-secret" && /kubeconfig/i.test(a.need.path)),
      "no kubeconfig in a stack's config",
    );
  });

  it("replaces a reviewer list that changed, and copies workflows only over its own copies", () => {
    const settings = parseStackFile(
      "Pulumi.github.yaml",
      "config:\n  travel:github:\n    repository: acme/travel\n    environments:\n      prod:\n        reviewers:\n          users: [carol, dave]\n",
      "travel",
    );
    const observed = {
      ...fresh(),
      settings: { file: settings, exists: true, secrets: {} },
      workflows: (["missing", "same", "ours", "edited", "foreign"] as const).map((state, i) => ({
        from: `deploy/.github/workflows/w${i}.yml`,
        to: `.github/workflows/w${i}.yml`,
        state,
      })),
    };
    const { actions } = plan(
      input(observed, {
        github: { repository: "acme/travel", reviewers: { users: ["alice"], teams: [] } },
      }),
    );
    const settingsActions = actions
      .filter((a) => "stack" in a && a.stack === "github")
      .map((a) => a.kind + ("path" in a ? ` ${a.path}` : ""));
    assert.deepEqual(settingsActions, [
      "set-config github.environments.staging.reviewers.users[0]",
      "remove-config github.environments.prod.reviewers.users",
      "set-config github.environments.prod.reviewers.users[0]",
      "set-config github.environments.github.reviewers.users[0]",
    ]);
    assert.deepEqual(actions.filter((a) => a.kind === "copy-workflow").map(line), [
      "copy deploy/.github/workflows/w0.yml to .github/workflows/w0.yml (GitHub runs workflows from the repository's root only)",
      "replace bootstrap's earlier copy of deploy/.github/workflows/w2.yml at .github/workflows/w2.yml (GitHub runs workflows from the repository's root only)",
    ]);
  });
});
