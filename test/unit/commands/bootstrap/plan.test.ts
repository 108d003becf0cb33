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

  it("sets travel:github on every stack, gating staging and prod, protecting the branch from prod", () => {
    const github = { repository: "acme/travel", reviewers: { users: ["alice", "bob"], teams: [] } };
    const asked = plan(input(fresh(), { github }));
    assert.deepEqual(
      asked.prompts.map((p) => `${p.stack}:${p.path}`),
      ["dev:kubeconfig", "staging:kubeconfig", "prod:kubeconfig"],
    );
    const sets = asked.actions.flatMap((a) =>
      a.kind === "set-config" ? [`${a.stack} ${a.path}=${String(a.value)}`] : [],
    );
    assert.deepEqual(sets, [
      "dev github.repository=acme/travel",
      "staging github.repository=acme/travel",
      "staging github.environment.requireApproval=true",
      "staging github.environment.reviewers.users[0]=alice",
      "staging github.environment.reviewers.users[1]=bob",
      "prod github.repository=acme/travel",
      "prod github.environment.requireApproval=true",
      "prod github.environment.reviewers.users[0]=alice",
      "prod github.environment.reviewers.users[1]=bob",
      "prod github.manageBranchProtection=true",
    ]);
    assert.ok(!asked.actions.some((a) => a.kind === "apply-github"), "no token: nothing applied");
    const applied = plan(input(fresh(), { github, githubToken: true })).actions;
    assert.deepEqual(
      applied.filter((a) => a.kind === "install-plugin" || a.kind === "apply-github").map(line),
      [
        "install the github 6.15.0 plugin (the GitHub settings need it): pulumi plugin install resource github 6.15.0",
        ...STACKS.map(
          (s) =>
            `${s}: apply its travel:github settings (environment, reviewers, secrets${s === "prod" ? ", branch protection" : ""}) with a pulumi up of the GitHub resources only (--target 'urn:pulumi:${s}::travel::travel:github:**')`,
        ),
      ],
    );
  });

  it("replaces a reviewer list that changed, and copies workflows only over its own copies", () => {
    const files = STACKS.map((s) =>
      parseStackFile(
        "x",
        text(s).replace(
          "config:\n",
          "config:\n  travel:github:\n    repository: acme/travel\n    environment:\n      requireApproval: true\n      reviewers:\n        users: [carol, dave]\n",
        ),
        "travel",
      ),
    );
    const observed = {
      ...fresh(files),
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
    const prod = actions
      .filter((a) => a.kind !== "set-secret" && "stack" in a && a.stack === "prod")
      .map((a) => a.kind + ("path" in a ? ` ${a.path}` : ""));
    assert.deepEqual(prod, [
      "reset-stack-file",
      "init-stack",
      "remove-config github.environment.reviewers.users",
      "set-config github.environment.reviewers.users[0]",
      "set-config github.manageBranchProtection",
    ]);
    assert.deepEqual(actions.filter((a) => a.kind === "copy-workflow").map(line), [
      "copy deploy/.github/workflows/w0.yml to .github/workflows/w0.yml (GitHub runs workflows from the repository's root only)",
      "replace bootstrap's earlier copy of deploy/.github/workflows/w2.yml at .github/workflows/w2.yml (GitHub runs workflows from the repository's root only)",
    ]);
  });
});
