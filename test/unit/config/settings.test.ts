/**
 * The two roles of a stack: an app stack refuses `travel:github` (and the retired
 * `travel:kubeconfig`), the settings stack refuses every app key; each with exact lines,
 * every problem at once, before anything is registered.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../../../src/config/load";
import {
  codeOwnersProblem,
  isSettingsStack,
  parseSettingsConfig,
} from "../../../src/config/settings";
import { itRefuses } from "../../support/config-cases";
import { validRaw } from "../../support/fixtures";
import { SETTINGS } from "../../support/github";

const APP_STACK_GITHUB =
  'travel:github = {"repository":"acme/travel-deploy"}: expected no GitHub settings on the app ' +
  'stack "dev": the settings stack "github" (Pulumi.github.yaml) manages them, in a job of its ' +
  "own that alone holds the admin token; move them there and remove them here (pulumi config " +
  "rm github)";
const APP_STACK_KUBECONFIG =
  "travel:kubeconfig = [secret]: expected no kubeconfig in the app stack's config (every job " +
  "that decrypts the stack could read it): the deploy jobs read their environment's KUBECONFIG " +
  "secret (gh secret set KUBECONFIG --env dev --repo OWNER/NAME < FILE, or bootstrap); remove " +
  "it here (pulumi config rm kubeconfig)";

describe("an app stack", () => {
  itRefuses([
    [
      "travel:github on an app stack",
      (r) => (r.github = { repository: "acme/travel-deploy" }),
      [APP_STACK_GITHUB],
    ],
    [
      "a kubeconfig in an app stack's config",
      (r) => (r.kubeconfig = "apiVersion: v1\n# kubeconfig-do-not-leak\n"),
      [APP_STACK_KUBECONFIG],
    ],
    [
      "travel:github beside another problem, both at once",
      (r) => {
        r.github = { repository: "acme/travel-deploy" };
        r.namespace = "kube-system";
      },
      [
        APP_STACK_GITHUB,
        'travel:namespace = "kube-system": expected a namespace of this app\'s own (not default or kube-*)',
      ],
    ],
  ]);

  it("takes the neutral defaults Pulumi.yaml declares for github and kubeconfig", () => {
    const cfg = parseStackConfig(
      { ...validRaw(), github: {}, kubeconfig: "" },
      { namespace: "travel", environment: "dev" },
    );
    assert.equal(cfg.environment, "dev");
    assert.equal("github" in cfg, false);
  });
});

describe("the settings stack", () => {
  const ctx = { namespace: "travel", environment: "github" };

  it("is the stack named github, and only that one", () => {
    assert.deepEqual(["github", "dev", "staging", "prod", "local", "Github"].map(isSettingsStack), [
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("takes github alone and returns it parsed", () => {
    const { config, problems } = parseSettingsConfig({ github: SETTINGS }, ctx);
    assert.deepEqual(problems, []);
    assert.equal(config?.environment, "github");
    assert.equal(config?.github.repository, "acme/travel-deploy");
    assert.deepEqual(config?.github.environments.prod?.reviewers.teams, ["platform"]);
  });

  it("refuses every app key, secrets unshown, and github's own problems, all at once", () => {
    const { config, problems } = parseSettingsConfig(
      {
        ...validRaw(),
        namespace: "",
        github: { ...SETTINGS, requiredApprovals: 0 },
      },
      ctx,
    );
    assert.equal(config, undefined);
    const app = (key: string, value: string) =>
      `travel:${key} = ${value}: expected no app key on the settings stack "github": it ` +
      "manages only the repository's GitHub settings (app keys belong in the app stacks' files)";
    assert.deepEqual(problems, [
      app("appSecrets", "[secret]"),
      app("hostnames", '["travel.example.com"]'),
      app("images", JSON.stringify(validRaw().images).slice(0, 157) + "..."),
      app("registry", '{"owner":"acme","username":"ci-bot","repository":"acme/travel"}'),
      app("registryPullToken", "[secret]"),
      "travel:github.requiredApprovals = 0: expected an integer from 1 to 6",
    ]);
  });

  it("takes the neutral defaults Pulumi.yaml declares for the app keys", () => {
    const { problems } = parseSettingsConfig(
      { github: SETTINGS, namespace: "", gateway: {}, backend: {}, kubeconfig: "" },
      ctx,
    );
    assert.deepEqual(problems, []);
  });

  it("refuses a settings stack without github", () => {
    const missing =
      "travel:github is missing: expected an object {repository, deploymentBranch, " +
      "requiredChecks, requiredApprovals, environments}";
    // {} is Pulumi.yaml's default: not set.
    assert.deepEqual(parseSettingsConfig({ github: {} }, ctx).problems, [missing]);
    assert.deepEqual(parseSettingsConfig({}, ctx).problems, [missing]);
    assert.deepEqual(parseSettingsConfig({ github: { environments: {} } }, ctx).problems, [
      "travel:github.repository is missing: expected a GitHub repository 'owner/name'",
    ]);
  });
});

describe("the settings stack's CODEOWNERS", () => {
  const at = (files: string[]) => (p: string) => files.includes(p);

  it("is found in any place GitHub reads one", () => {
    for (const place of [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]) {
      assert.equal(
        codeOwnersProblem("/r/deploy", () => "/r", at([`/r/${place}`])),
        undefined,
      );
    }
  });

  it("is refused when missing: GitHub would require no code owner", () => {
    assert.equal(
      codeOwnersProblem("/r/deploy", () => "/r", at(["/r/deploy/.github/CODEOWNERS"])),
      "CODEOWNERS is missing from /r: expected one in .github/CODEOWNERS, CODEOWNERS, " +
        "docs/CODEOWNERS naming the owners of policy/, the stack files and .github/ (npm run " +
        "bootstrap writes it): the branch protection requires code owners' reviews, which " +
        "GitHub skips without one",
    );
    assert.equal(
      codeOwnersProblem("/tmp/x", () => undefined, at([])),
      undefined,
      "no checkout",
    );
  });
});
