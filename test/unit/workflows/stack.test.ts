/**
 * The stack on the backend in a job's first run (test/support/workflows/harness.ts, stubbed CLI): created
 * when missing with the secrets provider its file was made with, in PULUMI_ORG on Pulumi
 * Cloud with the service's key, refused when its secrets cannot be decrypted or its file
 * does not fit the backend, and a promotion source of the backend's organization only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripEncryption } from "../../../commands/bootstrap/stack-file";
import { placeholderPassphraseProblem } from "../../../src/config/passphrase";
import { PLACEHOLDER_PASSPHRASE } from "../../../src/names";
import {
  calls,
  type Contexts,
  loadWorkflow,
  problems,
  run,
  SELF_MANAGED,
  stackFile,
  stubbedWorkspace as setUp,
  VERIFIED,
  type Workspace,
} from "../../support/workflows/harness";

const deploy = loadWorkflow("deploy.yml");

describe("the stack on the backend", () => {
  const select = (
    w: Workspace,
    stack: string,
    contexts: Contexts,
    env: Record<string, string>,
    wf = deploy,
    job = stack,
  ) => run(w, wf, job, { matrix: { stack }, ...contexts }, env, "Select the stack");

  it("is created on the first deploy when missing, with the provider its stack file uses", () => {
    const w = setUp("in-app");
    const r = select(
      w,
      "dev",
      { secrets: SELF_MANAGED },
      { STUB_NO_STACK: "1", STUB_QUALIFIED: "organization/travel/dev" },
    );
    assert.ok(r.success, problems(r).join("\n"));
    assert.ok(
      calls(w).includes(
        "pulumi --non-interactive stack init organization/travel/dev --secrets-provider passphrase",
      ),
    );
    assert.match(
      r.result("Select the stack").notices[0]!,
      /^Created the stack organization\/travel\/dev/,
    );
    assert.equal(r.env.TRAVEL_STACK, "organization/travel/dev");
  });

  it("on Pulumi Cloud, is created in PULUMI_ORG with the service's key when its file holds no salt", () => {
    const w = setUp("in-app", { "Pulumi.dev.yaml": stripEncryption(stackFile("dev")) });
    const r = select(
      w,
      "dev",
      { secrets: { PULUMI_ACCESS_TOKEN: "pul-x" }, vars: { PULUMI_ORG: "acme" } },
      { STUB_NO_STACK: "1", STUB_QUALIFIED: "acme/travel/dev" },
    );
    assert.ok(r.success, problems(r).join("\n"));
    assert.deepEqual(
      calls(w).filter((c) => / org | stack (select|init) /.test(c)),
      [
        "pulumi --non-interactive org set-default acme",
        "pulumi --non-interactive stack select acme/travel/dev",
        "pulumi --non-interactive stack init acme/travel/dev --secrets-provider default",
      ],
    );
    assert.equal(r.env.TRAVEL_STACK, "acme/travel/dev");
  });

  it("refuses secrets its provider cannot decrypt, naming the fix", () => {
    const w = setUp("in-app");
    const r = select(
      w,
      "prod",
      { secrets: SELF_MANAGED, github: { token: "t" } },
      {
        STUB_UNDECRYPTABLE: "1",
        STUB_QUALIFIED: "organization/travel/prod",
        STUB_ENVIRONMENT_JSON: JSON.stringify({
          protection_rules: [{ type: "required_reviewers", reviewers: [{}] }],
        }),
      },
    );
    assert.equal(r.success, false);
    assert.match(
      r.result("Select the stack").errors[0]!,
      /^cannot decrypt the secrets of organization\/travel\/prod from Pulumi\.prod\.yaml.*run npm run bootstrap against this backend/,
    );
  });

  it("on Pulumi Cloud: a committed passphrase salt without a passphrase is refused with what to do", () => {
    const w = setUp("in-app");
    const r = select(
      w,
      "dev",
      { secrets: { PULUMI_ACCESS_TOKEN: "pul-x" }, vars: { PULUMI_ORG: "acme" } },
      {},
    );
    assert.equal(r.success, false);
    assert.match(
      r.result("Select the stack").errors[0]!,
      /^Pulumi\.dev\.yaml has a passphrase encryptionsalt, but PULUMI_CONFIG_PASSPHRASE is not set: on Pulumi Cloud run npm run bootstrap/,
    );
  });

  it("refuses the template's placeholder passphrase before it selects or creates anything", () => {
    const w = setUp("in-app");
    const secrets = { ...SELF_MANAGED, PULUMI_CONFIG_PASSPHRASE: PLACEHOLDER_PASSPHRASE };
    const r = select(w, "prod", { secrets }, { STUB_NO_STACK: "1" });
    assert.equal(r.success, false);
    assert.deepEqual(r.result("Select the stack").errors, [
      placeholderPassphraseProblem(["prod"], secrets),
    ]);
    assert.match(
      r.result("Select the stack").errors[0]!,
      /^PULUMI_CONFIG_PASSPHRASE = "change-me-placeholder": expected a passphrase of your own for the stack prod: /,
    );
    assert.deepEqual(
      calls(w).filter((c) => / stack (select|init) /.test(c)),
      [],
    );
  });

  it("on Pulumi Cloud: stacks of PULUMI_ORG, and a promotion source of that organization only", () => {
    const cloud = { secrets: { PULUMI_ACCESS_TOKEN: "pul-x" }, vars: { PULUMI_ORG: "acme" } };
    const bootstrapped = (from: string) => ({
      "Pulumi.staging.yaml": stripEncryption(stackFile("staging")).replace(
        "fromStack: organization/travel/dev",
        `fromStack: ${from}`,
      ),
    });
    const env = { STUB_QUALIFIED: "acme/travel/staging", STUB_SOURCE_OUTPUTS: VERIFIED };
    const promotion = (w: Workspace) =>
      run(w, deploy, "plan-staging", cloud, env, "Promotion source");
    const ok = setUp("in-app", bootstrapped("acme/travel/dev"));
    const r = promotion(ok);
    assert.ok(r.success, problems(r).join("\n"));
    assert.ok(calls(ok).includes("pulumi --non-interactive org set-default acme"));
    assert.ok(calls(ok).includes("pulumi --non-interactive stack select acme/travel/staging"));
    assert.ok(
      calls(ok).includes("pulumi --non-interactive stack output --json --stack acme/travel/dev"),
    );

    const stale = setUp("in-app", bootstrapped("organization/travel/dev"));
    const bad = promotion(stale);
    assert.equal(bad.success, false);
    assert.match(
      bad.result("Promotion source").errors[0]!,
      /images\.fromStack = "organization\/travel\/dev": expected a stack of acme, the organization of acme\/travel\/staging \("acme\/travel\/dev"\)/,
    );
  });
});
