/**
 * Whole jobs on their first runs, step after step as GitHub runs them
 * (test/support/workflows), with the Pulumi CLI, curl and npm stubbed: a fork's pull
 * request, the promotion chain a pull request shows of staging and prod, staging's plan
 * before dev ever deployed, the app source in either layout, and a gated deploy whose
 * environment has no reviewers (the stack on the backend: stack.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  calls,
  loadWorkflow,
  preview,
  problems,
  ran,
  run,
  SELF_MANAGED,
  stackFile,
  stubbedWorkspace as setUp,
  RELEASE,
  VERIFIED,
  type Workspace,
} from "../../support/workflows/harness";

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");

describe("a pull request from a fork", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`preview (${stack}) passes with a notice, runs nothing after the backend check, comments nothing`, () => {
      const w = setUp("in-app");
      const fork = { event: { pull_request: { head: { repo: { full_name: "someone/travel" } } } } };
      const job = stack === "dev" ? "preview" : "promotion";
      const r = run(w, pr, job, { matrix: { stack }, github: fork });
      assert.ok(r.success, problems(r).join("\n"));
      assert.deepEqual(
        r.steps.flatMap((s) => s.errors),
        [],
      );
      assert.match(
        r.steps.flatMap((s) => s.notices).join("\n"),
        /pull requests from forks get no secrets/,
      );
      assert.deepEqual(ran(r), [
        "Check out (this program in deploy/ of the app's repository)",
        "Check the layout",
        "Set up",
        "Check the Pulumi backend",
      ]);
      assert.deepEqual(calls(w), [], "no tool was called");
    });
  }
});

describe("staging and prod on a pull request: the promotion chain, with dev's credentials", () => {
  const chain = (stack: string, runnerEnv: Record<string, string> = {}) => {
    const w = setUp("in-app");
    const r = run(
      w,
      pr,
      "promotion",
      { matrix: { stack }, secrets: SELF_MANAGED },
      { STUB_QUALIFIED: "organization/travel/dev", ...runnerEnv },
    );
    return { w, r };
  };

  it("names the chain and dev's verified release, and comments it; selects dev, never the gated stack", () => {
    for (const stack of ["staging", "prod"]) {
      const { w, r } = chain(stack, { STUB_SOURCE_OUTPUTS: VERIFIED });
      assert.ok(r.success, problems(r).join("\n"));
      const path = stack === "prod" ? "prod ← staging ← dev" : "staging ← dev";
      assert.match(r.summary, new RegExp(`### ${stack}: the promotion this pull request leads to`));
      assert.ok(r.summary.includes(`- chain: ${path} (dev builds)`), r.summary);
      assert.match(r.summary, /- dev verified a{40}; the merge's deploy of dev builds/);
      assert.match(
        r.summary,
        new RegExp(`its plan runs on main, in the environment ${stack}-plan`),
      );
      assert.equal(r.result("Comment on the pull request").ran, true);
      const comment = readFileSync(join(w.ws, "..", "runner-temp", "preview.md"), "utf8");
      assert.ok(comment.includes(`- chain: ${path}`));
      const stacks = calls(w).filter((c) => / stack (select|init|output) /.test(c));
      assert.deepEqual(stacks, [
        "pulumi --non-interactive stack select organization/travel/dev",
        "pulumi --non-interactive stack output --json --stack organization/travel/dev",
      ]);
    }
  });

  it("before dev has deployed: nothing verified to promote yet, and passes", () => {
    const { r } = chain("staging");
    assert.ok(r.success, problems(r).join("\n"));
    assert.match(r.summary, /- dev: nothing verified to promote yet \(no completed deploy\)/);
  });

  it("fails a gated stack whose file would build", () => {
    const w = setUp("in-app", {
      "Pulumi.prod.yaml": stackFile("prod").replace("mode: promote", "mode: build"),
    });
    const r = run(
      w,
      pr,
      "promotion",
      { matrix: { stack: "prod" }, secrets: SELF_MANAGED },
      {
        STUB_QUALIFIED: "organization/travel/dev",
      },
    );
    assert.equal(r.success, false);
    assert.match(
      r.result("Promotion chain").errors[0]!,
      /^Pulumi\.prod\.yaml: images\.mode = "build": expected promote or pinned/,
    );
  });
});

describe("staging's plan on main before dev has deployed", () => {
  it("reports nothing verified to promote yet, passes, and says so in the summary", () => {
    const w = setUp("in-app");
    const r = preview(w, "staging");
    assert.ok(r.success, problems(r).join("\n"));
    assert.match(
      r.result("Promotion source").notices[0]!,
      /^staging: nothing verified to promote yet: organization\/travel\/dev has not completed a deploy/,
    );
    assert.equal(r.result("Plan").ran, false);
    assert.match(r.summary, /### staging: nothing verified to promote yet/);
    assert.ok(
      calls(w).includes(
        "pulumi --non-interactive stack output --json --stack organization/travel/dev",
      ),
    );
  });

  it("plans once dev has verified images, with the stack selected first", () => {
    const w = setUp("in-app");
    const r = preview(w, "prod", { STUB_SOURCE_OUTPUTS: VERIFIED }, "Plan");
    assert.ok(r.success, problems(r).join("\n"));
    assert.equal(r.result("Plan").ran, true);
    assert.match(
      r.result("Promotion source").stdout,
      /prod promotes a{40}, verified on organization\/travel\/staging/,
    );
    const order = calls(w).filter((c) => / stack select | config set | preview /.test(c));
    assert.deepEqual(order, [
      "pulumi --non-interactive stack select organization/travel/prod",
      // The release staging verified (needs.staging.outputs.release) is what prod plans.
      `pulumi --non-interactive config set --path images.gitSha ${RELEASE.backend.gitSha} --stack prod`,
      `pulumi --non-interactive config set --path images.refs.backend ${RELEASE.backend.ref} --stack prod`,
      `pulumi --non-interactive config set --path images.refs.frontend ${RELEASE.frontend.ref} --stack prod`,
      "pulumi preview --diff --stack prod --policy-pack policy --json",
    ]);
    assert.match(r.summary, /### prod: the release under approval\n\ncommit `a{40}`/);
  });
});

describe("the app source", () => {
  const devPreview = (w: Workspace, vars: Record<string, string> = {}) =>
    preview(w, "dev", {}, "Check the app source", vars);

  it("in-app (the default): the committed contexts exist in the checkout, tagged with its own commit", () => {
    const r = devPreview(setUp("in-app"));
    assert.ok(r.success, problems(r).join("\n"));
    assert.match(
      r.result("Check the app source").stdout,
      /images are tagged with its commit \(GITHUB_SHA\)/,
    );
    assert.equal(r.env.TRAVEL_SOURCE_SHA, undefined);
  });

  it("separate: the app's checkout beside the program, tagged with the app's commit", () => {
    const dev = stackFile("dev")
      .replace("context: ../agent", "context: ../coagents-travel/agent")
      .replace("context: ../ui", "context: ../coagents-travel/ui");
    const w = setUp("separate", { "Pulumi.dev.yaml": dev });
    const r = devPreview(w, { APP_REPOSITORY: "acme/coagents-travel" });
    assert.ok(r.success, problems(r).join("\n"));
    assert.equal(r.result("Check out the app source").ran, true);
    assert.equal(r.env.TRAVEL_SOURCE_SHA, (w as { appSha?: string }).appSha);
  });

  it("separate without the app: fails before any tool, saying what to do", () => {
    const w = setUp("program-only");
    const r = devPreview(w, { APP_REPOSITORY: "acme/coagents-travel" });
    assert.equal(r.success, false);
    const errors = r.result("Check the app source").errors;
    assert.equal(errors.length, 2);
    assert.match(
      errors[0]!,
      /^Pulumi\.dev\.yaml: images\.backend\.context = "\.\.\/agent": expected an existing directory .*keep this program in deploy\/ of the app's repository, beside agent\/ and ui\/.*APP_REPOSITORY/,
    );
    assert.deepEqual(
      calls(w).filter((c) => c.startsWith("pulumi")),
      [],
      "no Pulumi command ran",
    );
  });
});

describe("a gated deploy whose environment has no required reviewers", () => {
  for (const stack of ["staging", "prod"]) {
    it(`deploy ${stack} fails at its first step, before anything is checked out or deployed`, () => {
      const w = setUp("in-app");
      const r = run(
        w,
        deploy,
        stack,
        { secrets: { ...SELF_MANAGED, KUBECONFIG: "k" } },
        { STUB_ENVIRONMENT_JSON: JSON.stringify({ name: stack, protection_rules: [] }) },
      );
      assert.equal(r.success, false);
      assert.deepEqual(ran(r), ["Check the approval gate"]);
      assert.match(
        r.result("Check the approval gate").errors[0]!,
        new RegExp(`^The ${stack} environment has no required reviewers`),
      );
      assert.deepEqual(
        calls(w).filter((c) => !c.startsWith("curl")),
        [],
      );
    });
  }
});
