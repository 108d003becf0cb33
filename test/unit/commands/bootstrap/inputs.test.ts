/**
 * What bootstrap reads before it plans: the layouts' build contexts, the secrets each
 * committed stack needs and where each comes from, and the command line; and what it
 * leaves by hand afterwards, per backend.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CONTEXTS, contextProblems, detectLayout } from "../../../../commands/bootstrap/layout";
import { CI_ENVIRONMENTS } from "../../../../src/config/ci-environments";
import {
  passphraseEnv,
  perStackCli,
  sharedPassphrases,
  stackOfArgs,
  stackPassphrases,
} from "../../../../commands/bootstrap/passphrases";
import { manualSteps } from "../../../../commands/bootstrap/manual";
import { parseOptions } from "../../../../commands/bootstrap/options";
import { parseBackend } from "../../../../commands/bootstrap/backend";
import { secretFromEnv, secretNeeds } from "../../../../commands/bootstrap/secrets";
import { CLOUD, committed, FILE, STACKS } from "../../../support/bootstrap";
describe("layouts", () => {
  const dirs = (present: string[]) => (p: string) => present.some((d) => p.endsWith(d));
  it("finds the app beside the program (in-app) or checked out beside it (separate)", () => {
    assert.equal(detectLayout("/r/deploy", dirs(["/r/agent", "/r/ui"])), "in-app");
    assert.equal(
      detectLayout("/w/deploy", dirs(["/w/coagents-travel/agent", "/w/coagents-travel/ui"])),
      "separate",
    );
    assert.equal(detectLayout("/w/deploy", dirs([])), undefined);
  });

  it("says what to do when a context or its Dockerfile is missing", () => {
    const none = { isDir: () => false, isFile: () => false };
    const [inApp] = contextProblems("/r/deploy", CONTEXTS["in-app"], none);
    assert.match(
      inApp!,
      /^images\.backend\.context = "\.\.\/agent": expected an existing directory \(relative to \/r\/deploy\); keep this program in deploy\/ of the app's repository, beside agent\/ and ui\/ .*APP_REPOSITORY/,
    );
    const [separate] = contextProblems("/w/deploy", CONTEXTS.separate, none);
    assert.match(
      separate!,
      /check the app's repository out into \.\.\/coagents-travel \(in CI: set the repository variable APP_REPOSITORY/,
    );
    const noDockerfile = contextProblems("/r/deploy", CONTEXTS["in-app"], {
      isDir: () => true,
      isFile: () => false,
    });
    assert.deepEqual(
      noDockerfile.map((p) => p.split(":")[0]),
      [
        'images.backend.dockerfile = "../agent/Dockerfile"',
        'images.frontend.dockerfile = "../ui/Dockerfile"',
      ],
    );
  });
});

describe("secrets", () => {
  it("each committed stack needs the secrets its config uses; its environment's only with GitHub", () => {
    const paths = (stack: (typeof STACKS)[number], github: boolean) =>
      secretNeeds(stack, committed(stack), github).map((n) => `${n.into}:${n.path}`);
    // dev's push token is the deploy job's GITHUB_TOKEN (registry.pushTokenEnv): none to store.
    assert.deepEqual(paths("dev", false), [
      "config:registryPullToken",
      "config:appSecrets.GOOGLE_MAPS_API_KEY",
      "config:appSecrets.OPENAI_API_KEY",
    ]);
    assert.deepEqual(paths("staging", true), [
      "config:registryPullToken",
      "config:appSecrets.GOOGLE_MAPS_API_KEY",
      "config:appSecrets.OPENAI_API_KEY",
      "environment:KUBECONFIG",
      "environment:REGISTRY_TOKEN",
    ]);
  });

  it("reads a stack's own variable first, then the shared one; a kubeconfig from the file named", () => {
    // A dev that stores its push token (no registry.pushTokenEnv) needs it first.
    const dev = committed("dev");
    const registry = { ...(dev.config.registry as object), pushTokenEnv: undefined };
    const stored = { ...dev, config: { ...dev.config, registry } };
    const [push, pull] = secretNeeds("dev", stored, true);
    assert.equal(push!.path, "registryToken");
    assert.deepEqual(
      secretFromEnv(push!, { REGISTRY_PUSH_TOKEN: "a", REGISTRY_PUSH_TOKEN_DEV: "b" }),
      { value: "b", from: "$REGISTRY_PUSH_TOKEN_DEV" },
    );
    assert.deepEqual(secretFromEnv(pull!, { REGISTRY_PULL_TOKEN: "c" }), {
      value: "c",
      from: "$REGISTRY_PULL_TOKEN",
    });
    assert.equal(secretFromEnv(pull!, { REGISTRY_PULL_TOKEN: "" }), undefined);
    const kube = secretNeeds("dev", committed("dev"), true).find((n) => n.path === "KUBECONFIG")!;
    assert.deepEqual(
      secretFromEnv(kube, { KUBECONFIG_DEV: "/k" }, (p) => `file ${p}`),
      { value: "file /k", from: "the file $KUBECONFIG_DEV names" },
    );
    assert.throws(
      () => secretFromEnv(kube, { KUBECONFIG_DEV: "/k" }, () => " \n"),
      /KUBECONFIG_DEV = "\/k": expected a non-empty kubeconfig/,
    );
  });
});

describe("what is left by hand", () => {
  const base = {
    org: "organization",
    layout: "in-app" as const,
    githubApplied: false,
    changedFiles: [],
    rerun: "npm run bootstrap -- --x",
  };
  it("names each backend's environment secrets and repository variables, and says a file backend is local", () => {
    const file = manualSteps({ ...base, backend: FILE, secretsProvider: "passphrase" });
    assert.match(file[0]!, /^1\. file:\/\/\/tmp\/state is on this machine only/);
    assert.ok(file.some((s) => s.includes("gh secret set PULUMI_CONFIG_PASSPHRASE")));
    assert.ok(
      !file.some((s) => s.includes("PULUMI_BACKEND_URL --body")),
      "no use pointing CI at this machine",
    );
    const s3 = manualSteps({
      ...base,
      backend: parseBackend("s3://b"),
      secretsProvider: "passphrase",
    });
    assert.ok(s3.some((s) => s.includes("gh variable set PULUMI_BACKEND_URL --body 's3://b'")));
    assert.ok(s3.some((s) => s.includes("gh secret set AWS_SECRET_ACCESS_KEY")));
    const gs = manualSteps({
      ...base,
      backend: parseBackend("gs://b"),
      secretsProvider: "passphrase",
    });
    assert.ok(gs.some((s) => s.startsWith("2. Credentials for gs:// in the jobs' env")));
    const cloud = manualSteps({
      ...base,
      backend: CLOUD,
      org: "acme",
      secretsProvider: "default",
      repository: "acme/travel",
      layout: "separate",
    });
    for (const env of Object.keys(CI_ENVIRONMENTS)) {
      assert.ok(
        cloud.some((s) =>
          s.includes(`gh secret set PULUMI_ACCESS_TOKEN --env ${env} --repo acme/travel`),
        ),
        env,
      );
    }
    assert.ok(
      cloud.some((s) => s.includes("gh secret set GH_ADMIN_TOKEN --env github --repo acme/travel")),
    );
    assert.ok(
      cloud.some((s) => s.includes("gh variable set PULUMI_ORG --body acme --repo acme/travel")),
    );
    assert.ok(!cloud.some((s) => s.includes("PULUMI_CONFIG_PASSPHRASE")));
    assert.ok(cloud.some((s) => s.includes("gh variable set APP_REPOSITORY")));
    assert.ok(
      cloud.some((s) =>
        s.includes(
          "GITHUB_TOKEN=<a token that may administer acme/travel> npm run bootstrap -- --x",
        ),
      ),
    );
    assert.match(cloud.at(-1)!, /gh variable set DEPLOY_ENABLED --body true/);
  });

  it("puts the admin token in the github environment alone, and lists what it did not set", () => {
    const steps = manualSteps({
      ...base,
      backend: CLOUD,
      secretsProvider: "default",
      repository: "acme/travel",
      githubApplied: true,
      changedFiles: ["deploy/Pulumi.github.yaml", ".github/CODEOWNERS"],
      environmentSecrets: [
        "gh secret set KUBECONFIG --env prod --repo acme/travel < prod.kubeconfig",
      ],
      codeOwnersToAdd: { at: "CODEOWNERS", lines: ["/policy/ @alice"] },
    });
    const admin = steps.filter((s) => s.includes("GH_ADMIN_TOKEN"));
    assert.equal(admin.length, 1);
    assert.match(admin[0]!, /gh secret set GH_ADMIN_TOKEN --env github --repo acme\/travel$/);
    assert.ok(!admin[0]!.includes("--env dev") && !admin[0]!.includes("--env prod"));
    assert.ok(
      steps.some((s) =>
        s.endsWith(
          "(each value on standard input): gh secret set KUBECONFIG --env prod --repo acme/travel < prod.kubeconfig",
        ),
      ),
    );
    assert.ok(
      steps.some((s) =>
        s.includes("Add to CODEOWNERS (yours, so bootstrap left it): /policy/ @alice"),
      ),
    );
    const commit = steps.find((s) => s.includes("git add"))!;
    assert.match(commit, /open a pull request \(main is protected now\)/);
    assert.match(
      commit,
      /git push -u origin bootstrap && gh pr create --fill --repo acme\/travel$/,
    );
    assert.ok(!steps.some((s) => s.includes("Apply the GitHub settings")), "applied already");
  });

  it("sets every secret in an environment, never at the repository level, and flags a shared passphrase", () => {
    const steps = manualSteps({
      ...base,
      backend: parseBackend("s3://b"),
      secretsProvider: "passphrase",
      repository: "acme/travel",
      sharedPassphrase: ["dev", "staging", "prod"],
    });
    const secretSets = steps.flatMap((s) =>
      [...s.matchAll(/gh secret set [^;<]*/g)].map((m) => m[0].trim()),
    );
    assert.ok(secretSets.length >= 3 * 7, secretSets.join("\n"));
    for (const line of secretSets) {
      assert.match(line, /^gh secret set [A-Z_]+ --env [a-z-]+ --repo acme\/travel$/, line);
    }
    for (const env of Object.keys(CI_ENVIRONMENTS)) {
      for (const name of [
        "PULUMI_CONFIG_PASSPHRASE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
      ]) {
        assert.ok(
          secretSets.includes(`gh secret set ${name} --env ${env} --repo acme/travel`),
          `${name} ${env}`,
        );
      }
    }
    assert.deepEqual(
      secretSets.filter((l) => l.includes("GH_ADMIN_TOKEN")),
      ["gh secret set GH_ADMIN_TOKEN --env github --repo acme/travel"],
    );
    assert.ok(
      steps.some((s) =>
        s.includes("dev-preview and dev: dev's; staging-plan and staging: staging's"),
      ),
    );
    assert.ok(steps.some((s) => /The stacks dev, staging, prod share one passphrase/.test(s)));
    const own = manualSteps({
      ...base,
      backend: parseBackend("s3://b"),
      secretsProvider: "passphrase",
      sharedPassphrase: [],
    });
    assert.ok(!own.some((s) => s.includes("share one passphrase")));
  });
});

describe("one passphrase per stack", () => {
  it("takes PULUMI_CONFIG_PASSPHRASE_<STACK> over the shared one, and names the stacks that share", () => {
    const p = stackPassphrases(
      ["dev", "staging", "prod"],
      { PULUMI_CONFIG_PASSPHRASE_PROD: "p" },
      "s",
    );
    assert.deepEqual(p, { dev: "s", staging: "s", prod: "p" });
    assert.deepEqual(sharedPassphrases(p), ["dev", "staging"]);
    assert.deepEqual(sharedPassphrases({ dev: "a", staging: "b", prod: "c" }), []);
  });

  it("gives each Pulumi call the passphrase of the stack it names, and none to a call that names none", () => {
    const p = { dev: "d", staging: "s" };
    assert.equal(
      stackOfArgs(["config", "set", "--stack", "organization/travel/staging"]),
      "staging",
    );
    assert.equal(stackOfArgs(["up", "-s", "dev"]), "dev");
    assert.equal(stackOfArgs(["up", "--stack=acme/travel/dev"]), "dev");
    assert.equal(stackOfArgs(["stack", "init", "organization/travel/prod", "--no-select"]), "prod");
    assert.equal(stackOfArgs(["stack", "ls"]), undefined);
    assert.deepEqual(passphraseEnv(p, "staging"), { PULUMI_CONFIG_PASSPHRASE: "s" });
    assert.deepEqual(passphraseEnv(p, "prod"), {});
    assert.deepEqual(passphraseEnv(p, undefined), {});
  });

  it("runs the CLI with the passphrase of the stack each call names, never the shared one", () => {
    const bin = mkdtempSync(join(tmpdir(), "passphrases-"));
    writeFileSync(
      join(bin, "pulumi"),
      '#!/bin/sh\nprintf "%s" "${PULUMI_CONFIG_PASSPHRASE-unset}"\n',
      {
        mode: 0o755,
      },
    );
    try {
      const env = { PATH: `${bin}:/usr/bin:/bin`, PULUMI_CONFIG_PASSPHRASE: "shared" };
      const cli = perStackCli(bin, env, { dev: "d", staging: "s" });
      assert.equal(cli.run(["config", "--stack", "organization/travel/staging"]).stdout, "s");
      assert.equal(cli.run(["stack", "init", "organization/travel/dev"]).stdout, "d");
      assert.equal(cli.run(["stack", "ls"]).stdout, "unset");
      assert.equal(cli.run(["up", "--stack", "prod"]).stdout, "unset");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe("the command line", () => {
  it("parses every option and reports every problem at once", () => {
    assert.deepEqual(
      parseOptions([
        "--dry-run",
        "--backend=cloud",
        "--org",
        "acme",
        "--reviewers",
        "a, b",
        "--layout",
        "separate",
        "--github",
        "acme/travel",
      ]),
      {
        dryRun: true,
        noGithub: false,
        help: false,
        backend: "cloud",
        org: "acme",
        layout: "separate",
        github: "acme/travel",
        reviewers: ["a", "b"],
        reviewerTeams: [],
      },
    );
    assert.throws(
      () => parseOptions(["--layout", "mono", "--github", "nope", "--bogus", "--org"]),
      (err: Error) =>
        err.message ===
        [
          "--bogus: expected one of --dry-run, --no-github, --help, --project, --backend, --org, --secrets-provider, --layout, --github, --reviewers, --reviewer-teams",
          "--org: expected a value",
          '--layout = "mono": expected in-app or separate',
          '--github = "nope": expected a GitHub repository OWNER/NAME',
        ].join("\n"),
    );
    assert.throws(
      () => parseOptions(["--no-github", "--reviewers", "a"]),
      /--no-github: expected no --github, --reviewers or --reviewer-teams with it/,
    );
  });
});
