/**
 * The delivery pipeline as code (.github/workflows): triggers, permissions,
 * concurrency, environments, the deploy switch, the commands each job runs, the
 * behaviour of the shell steps they share, and actionlint over every workflow.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { PR_CHECKS } from "../../src/github";
import { binary, select } from "../../toolchain/select";
import { expand } from "../../toolchain/tools";

const ROOT = join(__dirname, "..", "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const STACKS = ["dev", "staging", "prod"] as const;
const SWITCH = "vars.DEPLOY_ENABLED == 'true' && github.ref == 'refs/heads/main'";
const BACKEND_ENV = {
  PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL || secrets.PULUMI_BACKEND_URL }}",
  PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
  PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
};

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { "fail-fast"?: boolean; matrix: Record<string, string[]> };
  env?: Record<string, string>;
  defaults?: { run?: { "working-directory"?: string } };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(file: string): Workflow {
  // The `yaml` package keeps `on` a string key (YAML 1.2), unlike YAML 1.1's boolean.
  return parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
}
const pr = load("pr.yml");
const deploy = load("deploy.yml");
const rollback = load("rollback.yml");
const ALL: Record<string, Workflow> = {
  "pr.yml": pr,
  "deploy.yml": deploy,
  "rollback.yml": rollback,
};

const runs = (job: Job) => job.steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
const step = (job: Job, name: string) => {
  const found = job.steps.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one step named "${name}"`);
  return found[0]!;
};

/** Every job that runs the Pulumi CLI, by "<file>#<job>". */
const pulumiJobs: Record<string, Job> = {
  "pr.yml#preview": pr.jobs.preview!,
  "deploy.yml#dev": deploy.jobs.dev!,
  "deploy.yml#staging": deploy.jobs.staging!,
  "deploy.yml#prod": deploy.jobs.prod!,
  "rollback.yml#rollback": rollback.jobs.rollback!,
};

const work = mkdtempSync(join(tmpdir(), "workflows-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs a step's script as GitHub's default bash shell does. */
function runStep(script: string, env: Record<string, string>, path?: string) {
  const file = join(work, "step.sh");
  writeFileSync(file, script);
  return spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
    encoding: "utf8",
    cwd: work,
    env: { PATH: path ?? process.env.PATH, HOME: work, ...env },
  });
}

describe("all workflows", () => {
  it("are exactly pr, deploy and rollback", () => {
    const files = spawnSync("ls", [WORKFLOWS], { encoding: "utf8" }).stdout.trim().split("\n");
    assert.deepEqual(files.sort(), ["deploy.yml", "pr.yml", "rollback.yml"]);
  });

  for (const [file, wf] of Object.entries(ALL)) {
    it(`${file}: read-only token by default, no expression inside a script`, () => {
      assert.deepEqual(wf.permissions, { contents: "read" });
      assert.ok(!("pull_request_target" in wf.on), "pull_request_target runs with secrets");
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const script of runs(job)) {
          assert.ok(!script.includes("${{"), `${file}#${id}: pass values through env:\n${script}`);
        }
        for (const s of job.steps) {
          if (s.uses?.startsWith("actions/checkout@")) {
            assert.equal(s.with?.["persist-credentials"], false, `${file}#${id} keeps a token`);
          }
        }
      }
    });

    it(`${file}: installs the Pulumi CLI of the SDK's version`, () => {
      const lock = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      };
      assert.equal(wf.env?.PULUMI_VERSION, lock.dependencies["@pulumi/pulumi"]);
      for (const job of Object.values(wf.jobs)) {
        for (const s of job.steps.filter((x) => x.uses?.startsWith("pulumi/actions@"))) {
          assert.equal(s.uses, "pulumi/actions@v6");
          assert.deepEqual(s.with, { "pulumi-version": "${{ env.PULUMI_VERSION }}" });
        }
      }
    });
  }

  for (const [where, job] of Object.entries(pulumiJobs)) {
    it(`${where}: chooses the state backend from secrets and checks it before Pulumi runs`, () => {
      for (const [k, v] of Object.entries(BACKEND_ENV)) assert.equal(job.env?.[k], v, k);
      const scripts = runs(job);
      const check = scripts.findIndex((r) => r.includes("PULUMI_BACKEND_URL"));
      const firstPulumi = scripts.findIndex((r) => /(^|\n|\$\()\s*pulumi |rollback\.sh/.test(r));
      assert.ok(check >= 0 && check < firstPulumi, "backend check before the first pulumi");
      assert.equal(step(job, "Check the Pulumi backend").run!.trim(), scripts[check]);
    });
  }
});

describe("the backend check step", () => {
  const CASES: [string, Record<string, string>, number, RegExp][] = [
    [
      "self-managed with a passphrase",
      { PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "p" },
      0,
      /State: self-managed backend/,
    ],
    [
      "self-managed without a passphrase",
      { PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "" },
      1,
      /::error::PULUMI_BACKEND_URL is set but the PULUMI_CONFIG_PASSPHRASE secret is not/,
    ],
    [
      "Pulumi Cloud",
      { PULUMI_ACCESS_TOKEN: "pul-x", PULUMI_BACKEND_URL: "" },
      0,
      /State: Pulumi Cloud/,
    ],
    [
      "nothing",
      { PULUMI_ACCESS_TOKEN: "", PULUMI_BACKEND_URL: "", PULUMI_CONFIG_PASSPHRASE: "" },
      1,
      /::error::Set PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE, or PULUMI_ACCESS_TOKEN/,
    ],
  ];
  for (const [where, job] of Object.entries(pulumiJobs)) {
    it(`${where}: accepts a self-managed backend or Pulumi Cloud, refuses neither`, () => {
      const script = step(job, "Check the Pulumi backend").run!;
      for (const [what, env, status, output] of CASES) {
        const r = runStep(script, env);
        assert.equal(r.status, status, `${what}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout, output, what);
        assert.ok(!r.stdout.includes("s3://state"), "prints the backend URL");
      }
    });
  }
});

describe("the kubeconfig steps", () => {
  const deployJobs = ["deploy.yml#dev", "deploy.yml#staging", "deploy.yml#prod"];
  for (const where of [...deployJobs, "rollback.yml#rollback"]) {
    it(`${where}: writes the environment's KUBECONFIG secret to a private file, or fails`, () => {
      const job = pulumiJobs[where]!;
      const s = step(job, "Kubeconfig");
      assert.deepEqual(s.env, { KUBECONFIG_CONTENT: "${{ secrets.KUBECONFIG }}" });
      const githubEnv = join(work, "github-env");
      writeFileSync(githubEnv, "");
      const env = { RUNNER_TEMP: work, GITHUB_ENV: githubEnv, STACK: "prod" };
      const ok = runStep(s.run!, { ...env, KUBECONFIG_CONTENT: "apiVersion: v1" });
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(readFileSync(join(work, "kubeconfig"), "utf8"), "apiVersion: v1\n");
      assert.equal(statSync(join(work, "kubeconfig")).mode & 0o777, 0o600);
      assert.equal(readFileSync(githubEnv, "utf8"), `KUBECONFIG=${join(work, "kubeconfig")}\n`);
      const missing = runStep(s.run!, { ...env, KUBECONFIG_CONTENT: "" });
      assert.equal(missing.status, 1);
      assert.match(missing.stdout, /::error::The prod environment has no KUBECONFIG secret/);
    });
  }

  it("pr.yml#preview: uses the stack's optional read-only kubeconfig", () => {
    const s = step(pr.jobs.preview!, "Kubeconfig (read-only, optional)");
    assert.deepEqual(s.env, {
      KUBECONFIG_CONTENT: "${{ secrets[format('PREVIEW_KUBECONFIG_{0}', matrix.stack)] }}",
    });
    const githubEnv = join(work, "github-env");
    writeFileSync(githubEnv, "");
    const none = runStep(s.run!, { RUNNER_TEMP: work, GITHUB_ENV: githubEnv, STACK: "staging" });
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /No PREVIEW_KUBECONFIG_STAGING secret/);
    assert.equal(readFileSync(githubEnv, "utf8"), "");
  });
});

describe("pr.yml", () => {
  it("runs on pull requests to main, one run per pull request", () => {
    assert.deepEqual(pr.on, { pull_request: { branches: ["main"] } });
    assert.deepEqual(pr.concurrency, {
      group: "pr-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    assert.deepEqual(Object.keys(pr.jobs), ["unit", "preview"]);
  });

  it("unit tests: npm ci, actionlint through the toolchain, build, lint, unit tests", () => {
    const unit = pr.jobs.unit!;
    assert.equal(unit.permissions, undefined);
    assert.deepEqual(runs(unit), [
      "npm ci",
      "scripts/toolchain.sh lint >/dev/null",
      "npm run build",
      "npm run lint",
      "npm run test:unit",
    ]);
  });

  it("previews every stack with the policy pack after the unit tests", () => {
    const preview = pr.jobs.preview!;
    assert.equal(preview.needs, "unit");
    assert.deepEqual(preview.strategy, {
      "fail-fast": false,
      matrix: { stack: ["dev", "staging", "prod"] },
    });
    assert.equal(preview.env?.STACK, "${{ matrix.stack }}");
    const run = step(preview, "Preview").run!;
    assert.match(
      run,
      /pulumi preview --diff --stack "\$STACK" --policy-pack policy --json >"\$RUNNER_TEMP\/preview.json" \|\| status=\$\?/,
    );
    assert.match(run, /echo "status=\$status" >>"\$GITHUB_OUTPUT"/);
    assert.match(
      step(preview, "Summary").run!,
      /^node --import tsx scripts\/preview-summary.ts "\$RUNNER_TEMP\/preview.json" --stack "\$STACK" >"\$RUNNER_TEMP\/preview.md"$/m,
    );
    const fail = step(preview, "Fail when the preview failed");
    assert.equal(fail.if, "steps.preview.outputs.status != '0'");
    assert.equal(runStep(fail.run!, { STACK: "dev", STATUS: "255" }).status, 1);
  });

  it("posts the summary as one comment per stack, with the only write permission", () => {
    const preview = pr.jobs.preview!;
    assert.deepEqual(preview.permissions, { contents: "read", "pull-requests": "write" });
    const comment = step(preview, "Comment on the pull request");
    assert.equal(comment.uses, "actions/github-script@v8");
    const script = String(comment.with?.script);
    assert.match(script, /const marker = `<!-- travel-preview:\$\{stack\} -->`;/);
    assert.match(script, /preview\.md/);
    assert.match(script, /github\.rest\.issues\.updateComment/);
    assert.match(script, /github\.rest\.issues\.createComment/);
    for (const [file, wf] of Object.entries(ALL)) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v !== "read");
        const expected = file === "pr.yml" && id === "preview" ? [["pull-requests", "write"]] : [];
        assert.deepEqual(writes, expected, `${file}#${id}`);
      }
    }
  });

  it("reports exactly the checks branch protection requires", () => {
    const names = Object.values(pr.jobs).flatMap((job) => {
      const matrix = job.strategy?.matrix ?? {};
      const [key, values] = Object.entries(matrix)[0] ?? [];
      return key ? values!.map((v) => job.name!.replace(`\${{ matrix.${key} }}`, v)) : [job.name!];
    });
    assert.deepEqual(names, PR_CHECKS);
  });
});

describe("deploy.yml", () => {
  it("runs on pushes to main and by hand", () => {
    assert.deepEqual(Object.keys(deploy.on).sort(), ["push", "workflow_dispatch"]);
    assert.deepEqual(deploy.on.push, { branches: ["main"] });
    assert.equal(deploy.concurrency, undefined, "one group per stack, not per workflow");
    assert.deepEqual(Object.keys(deploy.jobs), [...STACKS]);
  });

  it("deploys dev, then staging, then prod", () => {
    assert.equal(deploy.jobs.dev!.needs, undefined);
    assert.equal(deploy.jobs.staging!.needs, "dev");
    assert.equal(deploy.jobs.prod!.needs, "staging");
  });

  for (const stack of STACKS) {
    it(`${stack}: in its environment and concurrency group, behind the deploy switch`, () => {
      const job = deploy.jobs[stack]!;
      assert.equal(job.if, SWITCH);
      assert.deepEqual(job.environment, {
        name: stack,
        url: "${{ steps.outputs.outputs.url }}",
      });
      assert.deepEqual(job.concurrency, {
        group: `deploy-${stack}`,
        "cancel-in-progress": false,
      });
      assert.equal(job.env?.STACK, stack);
      const up = runs(job).filter((r) => r.startsWith("pulumi up"));
      assert.deepEqual(up, [`pulumi up --yes --stack ${stack} --policy-pack policy`]);
      assert.deepEqual(step(job, "Deploy").env, { GITHUB_TOKEN: "${{ secrets.GH_ADMIN_TOKEN }}" });
    });
  }

  it("dev builds with the commit SHA as tag; staging and prod refuse to build", () => {
    const text = readFileSync(join(WORKFLOWS, "deploy.yml"), "utf8");
    assert.ok(!text.includes("TRAVEL_SOURCE_SHA"), "the tag is GITHUB_SHA, set by the runner");
    assert.ok(!/docker (build|push)|build-push-action/.test(text), "images are built by Pulumi");
    assert.ok(!deploy.jobs.dev!.steps.some((s) => s.name === "Promote only"));
    const stub = join(work, "stub-bin");
    spawnSync("mkdir", ["-p", stub]);
    writeFileSync(join(stub, "pulumi"), '#!/bin/sh\necho "$MODE"\n');
    spawnSync("chmod", ["+x", join(stub, "pulumi")]);
    for (const stack of ["staging", "prod"] as const) {
      const guard = step(deploy.jobs[stack]!, "Promote only");
      assert.match(guard.run!, /pulumi config get --path images.mode --stack "\$STACK"/);
      const path = `${stub}:${process.env.PATH}`;
      for (const [mode, status] of [
        ["build", 1],
        ["promote", 0],
        ["pinned", 0],
      ] as const) {
        const r = runStep(guard.run!, { STACK: stack, MODE: mode }, path);
        assert.equal(r.status, status, `${stack} ${mode}: ${r.stdout}`);
      }
    }
  });

  it("dev checks out the app source only when APP_REPOSITORY is set", () => {
    const app = step(deploy.jobs.dev!, "Check out the app source");
    assert.equal(app.if, "vars.APP_REPOSITORY != ''");
    assert.equal(app.with?.path, "coagents-travel");
    for (const stack of STACKS) {
      const job = deploy.jobs[stack]!;
      assert.equal(job.defaults?.run?.["working-directory"], "deploy");
      assert.equal(job.steps[0]!.with?.path, "deploy");
    }
  });
});

describe("rollback.yml", () => {
  it("is started by hand with a stack and a SHA", () => {
    assert.deepEqual(Object.keys(rollback.on), ["workflow_dispatch"]);
    const inputs = (rollback.on.workflow_dispatch as { inputs: Record<string, unknown> }).inputs;
    assert.deepEqual(inputs, {
      stack: {
        description: "Stack to roll back",
        type: "choice",
        options: ["dev", "staging", "prod"],
        required: true,
      },
      sha: {
        description: "Full 40-character git SHA whose images to deploy again",
        type: "string",
        required: true,
      },
    });
  });

  it("runs in the stack's environment and deploy concurrency group", () => {
    const job = rollback.jobs.rollback!;
    assert.deepEqual(job.environment, {
      name: "${{ inputs.stack }}",
      url: "${{ steps.outputs.outputs.url }}",
    });
    assert.deepEqual(job.concurrency, {
      group: "deploy-${{ inputs.stack }}",
      "cancel-in-progress": false,
    });
    assert.equal(job.if, "github.ref == 'refs/heads/main'");
  });

  it("checks the SHA, then runs scripts/rollback.sh with the inputs through env", () => {
    const job = rollback.jobs.rollback!;
    assert.equal(job.env?.STACK, "${{ inputs.stack }}");
    assert.equal(job.env?.SHA, "${{ inputs.sha }}");
    const roll = step(job, "Roll back");
    assert.equal(roll.run!.trim(), 'bash scripts/rollback.sh "$STACK" "$SHA"');
    assert.deepEqual(roll.env, {
      REGISTRY_TOKEN: "${{ secrets.REGISTRY_TOKEN }}",
      GITHUB_TOKEN: "${{ secrets.GH_ADMIN_TOKEN }}",
    });
    const check = step(job, "Check the inputs");
    assert.equal(job.steps.indexOf(check), 0);
    assert.equal(runStep(check.run!, { SHA: "a".repeat(40) }).status, 0);
    for (const bad of ["a".repeat(39), "A".repeat(40), `${"a".repeat(40)};id`, ""]) {
      assert.equal(runStep(check.run!, { SHA: bad }).status, 1, bad);
    }
  });
});

describe("actionlint", () => {
  /** The actionlint the toolchain chose: installed at the pin, or its cached build. */
  function actionlintPath(): string {
    return binary(select(expand(["lint"]), { build: false, log: () => undefined }), "actionlint");
  }

  function actionlint(args: string[]) {
    const bin = actionlintPath();
    if (!existsSync(bin)) {
      assert.fail(`actionlint is not built (${bin}): run \`scripts/toolchain.sh lint\``);
    }
    return spawnSync(bin, ["-no-color", "-oneline", ...args], { cwd: ROOT, encoding: "utf8" });
  }

  it("finds no problem in .github/workflows", () => {
    const r = actionlint([]);
    assert.equal(r.stdout + r.stderr, "");
    assert.equal(r.status, 0);
  });

  it("rejects a broken workflow (the check above can fail)", () => {
    const r = actionlint([join("test", "fixtures", "github", "invalid-workflow.yml")]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /needs job "build-that-does-not-exist" which does not exist/);
    assert.match(r.stdout, /"github.event.pull_request.title" is potentially untrusted/);
  });
});
