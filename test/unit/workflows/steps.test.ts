/**
 * The workflows' shell steps, run one by one as GitHub runs them (test/support/workflows):
 * the layout and backend checks, the fork skip, the approval gate against a stubbed
 * GitHub API, the tool versions read from the toolchain table, the plugin and kubectl
 * installs, the toolchain in `installed` mode, the kubeconfig files and the small guards.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  calls,
  loadWorkflow,
  PINS,
  runJob,
  STUB_PINS,
  stubbedWorkspace as workspace,
  SYSTEM_PATH,
  type Workspace,
} from "../../support/workflows/harness";

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const rollback = loadWorkflow("rollback.yml");

describe("Check the layout", () => {
  it("passes with the program in deploy/, fails naming both layouts without it", () => {
    const ok = runJob(pr, "unit", { workspace: workspace().ws, only: ["Check the layout"] });
    assert.equal(ok.result("Check the layout").status, 0);
    const w = workspace();
    rmSync(join(w.deploy, "Pulumi.yaml"));
    const bad = runJob(pr, "unit", { workspace: w.ws, only: ["Check the layout"] });
    assert.equal(bad.result("Check the layout").status, 1);
    assert.match(
      bad.result("Check the layout").errors[0]!,
      /No deploy\/Pulumi\.yaml.*beside agent\/ and ui\/.*APP_REPOSITORY/,
    );
  });
});

describe("Check the Pulumi backend", () => {
  const only = ["Check the Pulumi backend"];
  const run = (
    secrets: Record<string, string>,
    contexts: Record<string, unknown> = {},
    job = "preview",
  ) =>
    runJob(job === "preview" ? pr : deploy, job, {
      workspace: workspace().ws,
      only,
      contexts: { matrix: { stack: "dev" }, secrets, ...contexts },
    });
  const FORK = {
    github: { event: { pull_request: { head: { repo: { full_name: "someone/travel" } } } } },
  };

  it("accepts a self-managed backend with a passphrase, or Pulumi Cloud", () => {
    const s = run({ PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "p" });
    assert.equal(s.result(only[0]!).status, 0);
    assert.match(s.result(only[0]!).stdout, /State: self-managed backend/);
    assert.ok(!s.result(only[0]!).stdout.includes("s3://state"), "prints the backend URL");
    const c = runJob(pr, "preview", {
      workspace: workspace().ws,
      only,
      contexts: {
        matrix: { stack: "dev" },
        secrets: { PULUMI_ACCESS_TOKEN: "pul-x" },
        vars: { PULUMI_ORG: "acme" },
      },
    });
    assert.match(c.result(only[0]!).stdout, /State: Pulumi Cloud, organization acme/);
  });

  it("fails a same-repository pull request or a deploy that lacks what it needs", () => {
    const noPass = run({ PULUMI_BACKEND_URL: "s3://state" });
    assert.equal(noPass.result(only[0]!).status, 1);
    assert.deepEqual(noPass.result(only[0]!).errors, [
      "PULUMI_BACKEND_URL is set but the PULUMI_CONFIG_PASSPHRASE secret of this job's environment is not",
    ]);
    for (const job of ["preview", "dev"]) {
      const nothing = run({}, {}, job);
      assert.equal(nothing.success, false, job);
      assert.match(
        nothing.result(only[0]!).errors[0]!,
        /Set PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE, or PULUMI_ACCESS_TOKEN/,
      );
    }
  });

  it("skips a fork's preview with a notice and exit 0, never a red check for a missing token", () => {
    const r = run({}, FORK);
    const step = r.result(only[0]!);
    assert.equal(step.status, 0);
    assert.deepEqual(step.errors, []);
    assert.match(
      step.notices[0]!,
      /^Preview of dev skipped: pull requests from forks get no secrets/,
    );
    assert.equal(r.env.PREVIEW_SKIPPED, "no secrets (fork)");
    assert.match(r.summary, /### dev: preview skipped/);
  });
});

describe("Check the approval gate", () => {
  const only = ["Check the approval gate"];
  const environment = (rules: unknown[]) =>
    JSON.stringify({ name: "prod", protection_rules: rules });
  const gate = (runnerEnv: Record<string, string>, wf = deploy, job = "prod") => {
    const w = workspace();
    const r = runJob(wf, job, {
      workspace: w.ws,
      path: [w.bin],
      only,
      runnerEnv,
      contexts: {
        github: { token: "ghs_gate_token" },
        inputs: { stack: "prod", sha: "a".repeat(40) },
      },
    });
    return { r, w, step: r.result(only[0]!) };
  };

  it("passes when the environment has required reviewers, sending the token on stdin only", () => {
    const rules = [
      { type: "wait_timer", wait_timer: 5 },
      { type: "required_reviewers", reviewers: [{ type: "User" }, { type: "Team" }] },
    ];
    const { step, w } = gate({ STUB_ENVIRONMENT_JSON: environment(rules) });
    assert.equal(step.status, 0, step.stdout + step.stderr);
    assert.match(
      step.stdout,
      /The prod environment requires the approval of one of 2 reviewer\(s\)/,
    );
    const [call] = calls(w).filter((c) => c.startsWith("curl "));
    assert.match(call!, /https:\/\/api\.github\.com\/repos\/acme\/travel\/environments\/prod$/);
    assert.ok(!call!.includes("ghs_gate_token"), "the token is on the command line");
    assert.equal(
      readFileSync(join(w.bin, "..", "curl-stdin"), "utf8"),
      "Authorization: Bearer ghs_gate_token\n",
    );
  });

  it("refuses an environment without required reviewers, naming the fix", () => {
    for (const rules of [
      [],
      [{ type: "wait_timer", wait_timer: 5 }],
      [{ type: "required_reviewers", reviewers: [] }],
    ]) {
      const { step } = gate({ STUB_ENVIRONMENT_JSON: environment(rules) });
      assert.equal(step.status, 1, JSON.stringify(rules));
      assert.match(
        step.errors[0]!,
        /^The prod environment has no required reviewers, so nothing gates this deploy.*npm run bootstrap -- --reviewers/,
      );
    }
  });

  it("fails when the API cannot be read, and the rollback of prod checks it too", () => {
    const { step } = gate({ STUB_HTTP_CODE: "403", STUB_ENVIRONMENT_JSON: "{}" });
    assert.equal(step.status, 1);
    assert.match(
      step.errors[0]!,
      /answered HTTP 403\): the job needs the actions: read permission/,
    );
    const rb = gate({ STUB_ENVIRONMENT_JSON: environment([]) }, rollback, "rollback");
    assert.equal(rb.step.status, 1);
    const dev = runJob(rollback, "rollback", {
      workspace: workspace().ws,
      only,
      contexts: { inputs: { stack: "dev" } },
    });
    assert.equal(dev.result(only[0]!).ran, false, "dev has no gate");
  });
});

describe("Tool versions, plugins and the toolchain", () => {
  const steps = [
    "Tool versions (toolchain/tools.ts, package.json)",
    "Install the Pulumi plugins",
    "Toolchain (installed tools only)",
  ];
  const run = (w: Workspace, runnerEnv: Record<string, string> = {}) =>
    runJob(deploy, "dev", {
      workspace: w.ws,
      path: [w.bin],
      basePath: SYSTEM_PATH,
      only: steps,
      runnerEnv: { ...STUB_PINS, ...runnerEnv },
    });

  it("reads every pin from the toolchain table and package.json, installs them, and passes the toolchain", () => {
    const w = workspace();
    const r = run(w);
    assert.ok(r.success, r.steps.map((s) => s.stdout + s.stderr).join("\n"));
    assert.deepEqual(r.outputs.pins, PINS);
    // Each archive checked against its recorded SHA-256 (toolchain/plugins.ts), then installed from that file.
    assert.deepEqual(
      calls(w)
        .filter((c) => c.startsWith("pulumi plugin install"))
        .map((c) => c.replace(/--file \S+\/(pulumi-resource-[^/\s]+)$/, "--file …/$1")),
      [
        `pulumi plugin install resource kubernetes ${PINS.kubernetes} --file …/pulumi-resource-kubernetes-v${PINS.kubernetes}-linux-amd64.tar.gz`,
        `pulumi plugin install resource docker-build ${PINS.docker_build} --file …/pulumi-resource-docker-build-v${PINS.docker_build}-linux-amd64.tar.gz`,
        `pulumi plugin install resource github ${PINS.github} --file …/pulumi-resource-github-v${PINS.github}-linux-amd64.tar.gz`,
      ],
    );
    // `pulumi up` awaits rollouts through the Kubernetes API itself: no kubectl to install.
    assert.deepEqual(
      calls(w).filter((c) => c.includes("kubectl")),
      [],
    );
    assert.equal(r.env.TRAVEL_KUBECTL, undefined);
    assert.equal(r.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
  });

  it("fails naming what is missing when a tool is not installed at its pin", () => {
    const w = workspace();
    const r = runJob(deploy, "dev", {
      workspace: w.ws,
      path: [w.bin],
      basePath: SYSTEM_PATH,
      only: [steps[2]!],
      runnerEnv: { ...STUB_PINS, STUB_DOCKER_BUILD: "0.0.1" },
    });
    const step = r.result(steps[2]!);
    assert.equal(step.status, 1);
    assert.match(step.stderr, /TRAVEL_TOOLCHAIN=installed, but 1 tool\(s\) are not installed/);
    const want = `pulumi-resource-docker-build v${PINS.docker_build}: pulumi plugin ls has only 0.0.1`;
    assert.ok(step.stderr.includes(want), step.stderr);
    assert.match(step.errors[0]!, /A tool of the toolchain's pulumi group is missing/);
  });
});

describe("Kubeconfig, Promote only, Roll back, Fail when the preview failed", () => {
  it("writes the environment's KUBECONFIG to a private file, or fails", () => {
    for (const [wf, job] of [
      [deploy, "prod"],
      [rollback, "rollback"],
    ] as const) {
      const w = workspace();
      const ok = runJob(wf, job, {
        workspace: w.ws,
        only: ["Kubeconfig"],
        contexts: { secrets: { KUBECONFIG: "apiVersion: v1" }, inputs: { stack: "prod" } },
      });
      const file = join(w.ws, "..", "runner-temp", "kubeconfig");
      assert.equal(readFileSync(file, "utf8"), "apiVersion: v1\n");
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(ok.env.KUBECONFIG, file);
      const missing = runJob(wf, job, {
        workspace: w.ws,
        only: ["Kubeconfig"],
        contexts: { inputs: { stack: "prod" } },
      });
      assert.match(
        missing.result("Kubeconfig").errors[0]!,
        /The prod environment has no KUBECONFIG secret/,
      );
    }
    for (const [wf, job] of [
      [pr, "preview"],
      [deploy, "plan-prod"],
    ] as const) {
      const optional = runJob(wf, job, { workspace: workspace().ws, only: ["Kubeconfig"] });
      assert.match(
        optional.result("Kubeconfig").notices[0]!,
        /^No KUBECONFIG secret in this job's environment: (dev|prod) runs without cluster access$/,
      );
      assert.equal(optional.env.KUBECONFIG, undefined);
    }
  });

  it("refuses a staging or prod config that would build", () => {
    for (const [mode, status] of [
      ["build", 1],
      ["promote", 0],
      ["pinned", 0],
    ] as const) {
      const w = workspace();
      const r = runJob(deploy, "staging", {
        workspace: w.ws,
        path: [w.bin],
        only: ["Promote only"],
        runnerEnv: { STUB_MODE: mode },
      });
      assert.equal(r.result("Promote only").status, status, mode);
    }
  });

  it("rolls back only to a full lowercase SHA: the command refuses anything else first", () => {
    const rollBack = (sha: string, reason = "") => {
      const w = workspace();
      const r = runJob(rollback, "rollback", {
        workspace: w.ws,
        path: [w.bin],
        basePath: SYSTEM_PATH,
        only: ["Roll back"],
        contexts: { inputs: { stack: "prod", sha, "unverified-reason": reason } },
        runnerEnv: { TRAVEL_PROJECT_DIR: w.deploy },
      });
      const pulumi = calls(w).filter((c) => c.startsWith("pulumi "));
      return { step: r.result("Roll back"), pulumi };
    };
    for (const bad of ["a".repeat(39), "A".repeat(40), `${"a".repeat(40)};id`]) {
      const { step, pulumi } = rollBack(bad);
      assert.equal(step.status, 2, bad);
      assert.ok(
        step.stderr.startsWith(
          `[rollback] error: SHA '${bad}' is not a full 40-character lowercase git SHA\nusage: npm run rollback -- `,
        ),
        step.stderr,
      );
      assert.deepEqual(pulumi, [], bad);
    }
    const lookup = "pulumi --non-interactive stack output --json --stack prod";
    // No SHA: the previous verified release (this stub stack has none).
    const previous = rollBack("");
    assert.deepEqual(previous.pulumi, [lookup]);
    assert.match(
      previous.step.stderr,
      /prod has no verified release other than the one it runs now/,
    );
    const never = rollBack("a".repeat(40));
    assert.match(never.step.stderr, /a{40} was never verified on prod/);
    // The reason reaches the command as one word, never as shell code.
    const reason = `it's "urgent" $(id) \`id\``;
    const forced = rollBack("a".repeat(40), reason);
    assert.equal(forced.pulumi[0], lookup);
    assert.ok(
      forced.step.stderr.includes(
        `warning: deploying ${"a".repeat(40)}, which prod never verified: ${reason}`,
      ),
      forced.step.stderr,
    );
  });

  it("fails the preview job with the preview's exit status, after the summary had its say", () => {
    const only = ["Preview", "Fail when the preview failed"];
    for (const [status, fails] of [
      ["0", false],
      ["255", true],
    ] as const) {
      const w = workspace();
      const r = runJob(pr, "preview", {
        workspace: w.ws,
        path: [w.bin],
        only,
        runnerEnv: { STUB_PREVIEW_STATUS: status },
        contexts: { matrix: { stack: "dev" } },
      });
      assert.equal(r.result("Preview").status, 0, "the preview step records, never fails");
      assert.equal(r.outputs.preview?.status, status);
      assert.equal(r.result("Fail when the preview failed").ran, fails);
      if (fails)
        assert.match(
          r.result("Fail when the preview failed").errors[0]!,
          /pulumi preview of dev failed \(exit 255\)/,
        );
      assert.ok(calls(w).includes("streaming=true"), "the event stream was asked for");
      assert.equal(
        readFileSync(join(w.ws, "..", "runner-temp", "preview.jsonl"), "utf8"),
        '{"sequence":0}\n',
      );
    }
  });
});
