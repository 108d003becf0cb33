/**
 * Bootstrap's GitHub side: the settings stack's config it writes is what the program's
 * own rules accept, and the program, given it, gates staging, prod and github on the
 * reviewers bootstrap was given (under the Pulumi mocks: the GitHub API is not reachable
 * here); the app stacks get no GitHub settings, and those an upgraded stack still holds
 * are removed. CODEOWNERS names the reviewers as owners of the policy pack, the stack
 * files and .github/, in either layout, and a CODEOWNERS of the user's own is left alone.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ofType, resetRecorded } from "../../../support/mocks";
import { composeWith, ENVIRONMENT, USER_IDS } from "../../../support/github-compose";
import { describeAction as line } from "../../../../commands/bootstrap/actions";
import {
  CODEOWNERS_MARK,
  foreignCodeOwners,
  needsCodeOwners,
  observeCodeOwners,
  ownerHandles,
} from "../../../../commands/bootstrap/codeowners";
import { settingsAfterBootstrap } from "../../../../commands/bootstrap/github-check";
import { plan } from "../../../../commands/bootstrap/plan";
import { parseStackFile } from "../../../../commands/bootstrap/stack-file";
import { parseSettingsConfig } from "../../../../src/config/settings";
import { fresh, input, NO_SETTINGS_FILE, STACKS, text } from "../../../support/bootstrap";

const GITHUB = { repository: "acme/travel", reviewers: { users: ["alice", "bob"], teams: [] } };

describe("the settings stack bootstrap writes", () => {
  it("passes the program's own rules and gates staging, prod and github on the reviewers", async () => {
    const raw = settingsAfterBootstrap(NO_SETTINGS_FILE, GITHUB);
    const { config, problems } = parseSettingsConfig(raw, {
      namespace: "travel",
      environment: "github",
    });
    assert.deepEqual(problems, []);
    resetRecorded();
    await composeWith(config!.github);
    const envs = Object.fromEntries(
      ofType(ENVIRONMENT).map((r) => [
        r.inputs.environment,
        [r.inputs.reviewers, r.inputs.preventSelfReview, r.inputs.canAdminsBypass],
      ]),
    );
    const gate = [[{ users: [USER_IDS.alice, USER_IDS.bob], teams: [] }], true, false];
    const open = [[], false, false];
    assert.deepEqual(envs, {
      "dev-preview": open,
      dev: open,
      "staging-plan": open,
      staging: gate,
      "prod-plan": open,
      prod: gate,
      github: gate,
    });
  });

  it("keeps what the file sets beside bootstrap's values", () => {
    const file = parseStackFile(
      "Pulumi.github.yaml",
      "config:\n  travel:github:\n    requiredApprovals: 2\n    repository: old/name\n",
      "travel",
    );
    const raw = settingsAfterBootstrap(file, GITHUB) as { github: Record<string, unknown> };
    assert.equal(raw.github.requiredApprovals, 2);
    assert.equal(raw.github.repository, "acme/travel");
  });
});

describe("the plan's GitHub side", () => {
  it("removes GitHub settings and a kubeconfig an app stack still holds, and nothing else", () => {
    const prod = parseStackFile(
      "Pulumi.prod.yaml",
      text("prod").replace(
        "config:\n",
        "config:\n  travel:github:\n    repository: acme/travel\n  travel:kubeconfig:\n    secure: v1:abc\n",
      ),
      "travel",
    );
    const observed = fresh(
      STACKS.map((s) => (s === "prod" ? prod : parseStackFile(s, text(s), "travel"))),
    );
    const removed = plan(input(observed)).actions.filter((a) => a.kind === "remove-config");
    assert.deepEqual(removed.map(line), [
      "prod: remove github (an app stack holds no GitHub settings or kubeconfig now: the settings stack and the environment's secrets do): pulumi config rm --path github --stack organization/travel/prod",
      "prod: remove kubeconfig (an app stack holds no GitHub settings or kubeconfig now: the settings stack and the environment's secrets do): pulumi config rm --path kubeconfig --stack organization/travel/prod",
    ]);
  });
});

describe("CODEOWNERS", () => {
  const checkout = () => {
    const top = mkdtempSync(join(tmpdir(), "codeowners-"));
    after(() => rmSync(top, { recursive: true, force: true }));
    mkdirSync(join(top, "deploy"));
    return top;
  };
  const owners = ownerHandles("acme/travel", { users: ["alice"], teams: ["platform"] });

  it("names the reviewers, teams of the repository's owner, as owners of the guarded paths", () => {
    assert.deepEqual(owners, ["@alice", "@acme/platform"]);
    const top = checkout();
    const inApp = observeCodeOwners(top, join(top, "deploy"), owners);
    assert.equal(inApp.to, ".github/CODEOWNERS");
    assert.equal(
      inApp.want,
      [
        CODEOWNERS_MARK,
        "# The required reviewers own what decides how and where the app deploys: a pull request",
        "# that changes one of these paths needs their approval (branch protection, settings stack).",
        "/deploy/policy/ @alice @acme/platform",
        "/deploy/Pulumi.*.yaml @alice @acme/platform",
        "/.github/ @alice @acme/platform",
        "/deploy/.github/ @alice @acme/platform",
        "",
      ].join("\n"),
    );
    assert.equal(needsCodeOwners(inApp), true);
    const own = observeCodeOwners(top, top, owners).want.split("\n").slice(3, -1);
    assert.deepEqual(own, [
      "/policy/ @alice @acme/platform",
      "/Pulumi.*.yaml @alice @acme/platform",
      "/.github/ @alice @acme/platform",
    ]);
  });

  it("rewrites only its own copy, and leaves a CODEOWNERS of the user's own wherever it is", () => {
    const top = checkout();
    mkdirSync(join(top, ".github"));
    writeFileSync(join(top, ".github", "CODEOWNERS"), `${CODEOWNERS_MARK}\n/old/ @carol\n`);
    const ours = observeCodeOwners(top, top, owners);
    assert.deepEqual([needsCodeOwners(ours), foreignCodeOwners(ours)], [true, false]);
    writeFileSync(join(top, ".github", "CODEOWNERS"), ours.want);
    assert.equal(needsCodeOwners(observeCodeOwners(top, top, owners)), false);
    rmSync(join(top, ".github"), { recursive: true });
    writeFileSync(join(top, "CODEOWNERS"), "* @carol\n");
    const theirs = observeCodeOwners(top, top, owners);
    assert.deepEqual(theirs.current?.at, "CODEOWNERS");
    assert.deepEqual([needsCodeOwners(theirs), foreignCodeOwners(theirs)], [false, true]);
  });

  it("is planned with the settings stack, written by bootstrap only where it needs writing", () => {
    const top = checkout();
    const codeowners = observeCodeOwners(top, join(top, "deploy"), owners);
    const planned = plan(input({ ...fresh(), codeowners }, { github: GITHUB })).actions;
    assert.deepEqual(planned.filter((a) => a.kind === "write-codeowners").map(line), [
      "write .github/CODEOWNERS (code owners of the policy pack, the stack files and .github/)",
    ]);
    const done = { ...codeowners, current: { at: ".github/CODEOWNERS", text: codeowners.want } };
    assert.deepEqual(
      plan(input({ ...fresh(), codeowners: done }, { github: GITHUB })).actions.filter(
        (a) => a.kind === "write-codeowners",
      ),
      [],
    );
    assert.deepEqual(
      plan(input({ ...fresh(), codeowners })).actions.filter((a) => a.kind === "write-codeowners"),
      [],
      "--no-github writes none",
    );
  });
});
