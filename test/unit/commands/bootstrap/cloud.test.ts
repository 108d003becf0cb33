/**
 * Bootstrap on Pulumi Cloud, which cannot be reached here: the settings (the organization
 * from the CLI's default, else an error naming the option; the template's passphrase
 * refused for a passphrase provider), what it observes (the
 * organization's stacks, their decrypted secrets) through a fake CLI that records every
 * call, and the plan that follows: the service's own key, no passphrase, stack and
 * promotion source names in that organization, and nothing to do once done.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeAction as line } from "../../../../commands/bootstrap/actions";
import { observe } from "../../../../commands/bootstrap/observe";
import { parseOptions } from "../../../../commands/bootstrap/options";
import { plan } from "../../../../commands/bootstrap/plan";
import type { CliResult, PulumiCli } from "../../../../commands/bootstrap/pulumi-cli";
import { resolveSettings } from "../../../../commands/bootstrap/settings";
import { placeholderPassphraseProblem } from "../../../../src/config/passphrase";
import { PLACEHOLDER_PASSPHRASE } from "../../../../src/names";
import { appCheckout, input, STACKS } from "../../../support/bootstrap";

/** The program in deploy/ of an app repository (the default layout). */
const deploy = appCheckout();

/** A fake `pulumi`: answers by the arguments' start, records each call. */
function fakeCli(answers: Record<string, Partial<CliResult>>): PulumiCli & { calls: string[] } {
  const calls: string[] = [];
  return {
    cwd: deploy,
    calls,
    run(args) {
      const cmd = args.join(" ");
      calls.push(cmd);
      const key = Object.keys(answers).find((k) => cmd.startsWith(k));
      if (key === undefined) return { status: 255, stdout: "", stderr: `error: unexpected ${cmd}` };
      return { status: 0, stdout: "", stderr: "", ...answers[key] };
    },
  };
}

const OPTIONS = parseOptions([
  "--backend",
  "cloud",
  "--github",
  "acme/travel",
  "--reviewers",
  "alice",
]);

/** Observes the stacks of organization acme on Pulumi Cloud through `cli`. */
const observeAcme = (cli: Parameters<typeof observe>[0]["cli"]) =>
  observe({
    cli,
    project: "travel",
    refs: { dev: "acme/travel/dev", staging: "acme/travel/staging", prod: "acme/travel/prod" },
    settingsRef: "acme/travel/github",
    cloudOrg: "acme",
  });

describe("bootstrap on Pulumi Cloud", () => {
  it("takes the organization from the CLI's default, or names what to set", () => {
    const cli = fakeCli({ "org get-default": { stdout: "acme\n" } });
    const s = resolveSettings(OPTIONS, {}, deploy, () => cli);
    assert.deepEqual(cli.calls, ["org get-default"]);
    assert.equal(s.backend.kind, "cloud");
    assert.equal(s.secretsProvider, "default");
    assert.equal(s.org, "acme");
    assert.deepEqual(s.refs, {
      dev: "acme/travel/dev",
      staging: "acme/travel/staging",
      prod: "acme/travel/prod",
    });
    assert.equal(s.layout, "in-app");
    assert.equal(s.contexts, undefined, "the committed contexts are the in-app ones");

    const none = fakeCli({});
    const fromEnv = resolveSettings(OPTIONS, { PULUMI_ORG: "globex" }, deploy, () => none);
    assert.equal(fromEnv.org, "globex");
    assert.deepEqual(none.calls, [], "PULUMI_ORG needs no CLI call");
    assert.throws(
      () => resolveSettings(OPTIONS, {}, deploy, () => none),
      /^Error: org: expected --org or PULUMI_ORG \(pulumi org get-default: error: unexpected org get-default\)$/,
    );
  });

  it("refuses the template's passphrase for a passphrase provider, with every other problem", () => {
    const placeholder = { PULUMI_ORG: "acme", PULUMI_CONFIG_PASSPHRASE: PLACEHOLDER_PASSPHRASE };
    const none = fakeCli({});
    const passphrase = parseOptions(["--backend", "cloud", "--secrets-provider", "passphrase"]);
    assert.throws(
      () =>
        resolveSettings({ ...passphrase, github: "acme/travel" }, placeholder, deploy, () => none),
      (err: Error) =>
        err.message ===
        [
          placeholderPassphraseProblem(STACKS, placeholder),
          "--reviewers/--reviewer-teams: expected 1 to 6 required reviewers of staging, prod, github " +
            "(or --no-github and set them by hand): GitHub creates a missing environment without any",
        ].join("\n"),
    );
    assert.equal(
      resolveSettings(OPTIONS, placeholder, deploy, () => none).secretsProvider,
      "default",
    );
  });

  it("lists the organization's stacks and reads the secrets of those that exist", () => {
    const cli = fakeCli({
      "stack ls": { stdout: JSON.stringify([{ name: "acme/travel/dev" }, { name: "acme/x/dev" }]) },
      "config --json --show-secrets --stack acme/travel/dev": {
        stdout: JSON.stringify({
          "travel:registryToken": { value: "push", secret: true },
          "travel:appSecrets": {
            value: "{}",
            objectValue: { OPENAI_API_KEY: "sk" },
            secret: true,
          },
          "travel:hostnames": { value: "[]", secret: false },
          "kubernetes:token": { value: "other namespace", secret: true },
        }),
      },
      "plugin ls": { stdout: "[]" },
    });
    const observed = observeAcme(cli);
    assert.equal(cli.calls[0], "stack ls --json --fully-qualify-stack-names --organization acme");
    assert.deepEqual(
      STACKS.map((s) => observed.stacks[s].exists),
      [true, false, false],
    );
    assert.deepEqual(observed.stacks.dev.secrets, {
      registryToken: "push",
      "appSecrets.OPENAI_API_KEY": "sk",
    });
    assert.equal(observed.stateFolderExists, undefined, "no folder on Pulumi Cloud");
    assert.ok(!cli.calls.some((c) => c.includes("staging") && c.startsWith("config")));
  });

  it("plans stacks with the service's key, promotion sources of the organization, no passphrase", () => {
    const cli = fakeCli({ "stack ls": { stdout: "[]" }, "plugin ls": { stdout: "[]" } });
    const observed = observeAcme(cli);
    const github = { repository: "acme/travel", reviewers: { users: ["alice"], teams: [] } };
    const over = { backend: { kind: "cloud", url: "https://api.pulumi.com" } as const };
    const { actions } = plan(
      input(observed, { ...over, org: "acme", secretsProvider: "default", github }),
    );
    const text = actions.map(line);
    assert.ok(!text.some((l) => l.startsWith("create the folder")), "no folder on Pulumi Cloud");
    for (const s of STACKS) {
      assert.ok(
        text.includes(
          `${s}: create the stack acme/travel/${s} with the default secrets provider: pulumi stack init acme/travel/${s} --secrets-provider default --no-select`,
        ),
        s,
      );
    }
    const fromStack = actions.flatMap((a) =>
      a.kind === "set-config" && a.path === "images.fromStack" ? [`${a.stack}<-${a.value}`] : [],
    );
    assert.deepEqual(fromStack, ["staging<-acme/travel/dev", "prod<-acme/travel/staging"]);
    assert.deepEqual(
      actions.filter((a) => a.kind === "reset-stack-file").map((a) => a.stack),
      [...STACKS],
      "the committed passphrase salts go: the service's key cannot read them",
    );
  });
});
