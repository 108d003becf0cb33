/**
 * The delivery pipeline as code (.github/workflows), read as data: triggers,
 * permissions, concurrency, environments, the deploy switch, the checks branch
 * protection requires, the order of the steps every Pulumi job shares, versions taken
 * from one place, and actionlint over every workflow. What the steps do when they run
 * is in steps.test.ts and jobs.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PR_CHECKS } from "../../../src/github";
import { binary, select } from "../../../toolchain/select";
import { expand } from "../../../toolchain/tools";
import {
  type Job,
  loadWorkflow,
  ROOT,
  type Step,
  type Workflow,
  WORKFLOWS,
} from "../../support/workflows/harness";

const STACKS = ["dev", "staging", "prod"] as const;
const SWITCH = "vars.DEPLOY_ENABLED == 'true' && github.ref == 'refs/heads/main'";
const BACKEND_ENV = {
  PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL || secrets.PULUMI_BACKEND_URL }}",
  PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
  PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
  PULUMI_ORG: "${{ vars.PULUMI_ORG }}",
  AWS_ACCESS_KEY_ID: "${{ secrets.AWS_ACCESS_KEY_ID }}",
  AWS_SECRET_ACCESS_KEY: "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
  AWS_REGION: "${{ vars.AWS_REGION }}",
};
const SKIPPED = "env.PREVIEW_SKIPPED == ''";

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const rollback = loadWorkflow("rollback.yml");
const ALL: Record<string, Workflow> = {
  "pr.yml": pr,
  "deploy.yml": deploy,
  "rollback.yml": rollback,
};

/** package.json's scripts: what the workflows may run. */
const SCRIPTS = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;
/** A step that runs a file of this repository by its path (which a move would break). */
const FILE_CALL =
  /(?:^|[\s$(])(?:node [^\n]*\.ts\b|(?:bash )?(?:\.\/)?(?:commands|tools|toolchain|src|policy)\/)/m;

const runs = (job: Job) => job.steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
const named = (job: Job, name: string): Step => {
  const found = job.steps.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one step named "${name}"`);
  return found[0]!;
};
const indexOf = (job: Job, name: string) => job.steps.indexOf(named(job, name));

/** Every job that runs the Pulumi CLI, by "<file>#<job>". */
const pulumiJobs: Record<string, Job> = {
  "pr.yml#preview": pr.jobs.preview!,
  "deploy.yml#dev": deploy.jobs.dev!,
  "deploy.yml#staging": deploy.jobs.staging!,
  "deploy.yml#prod": deploy.jobs.prod!,
  "rollback.yml#rollback": rollback.jobs.rollback!,
};
/** Steps every Pulumi job shares, word for word (YAML anchors within a file). */
const SHARED = [
  "Check out (this program in deploy/ of the app's repository)",
  "Check out (this program, into deploy/)",
  "Check the layout",
  "Check the Pulumi backend",
  "Tool versions (toolchain/tools.ts, package.json)",
  "Install the Pulumi CLI",
  "Install the Pulumi plugins and kubectl",
  "Toolchain (installed tools only)",
];

describe("all workflows", () => {
  it("are exactly pr, deploy and rollback", () => {
    assert.deepEqual(readdirSync(WORKFLOWS).sort(), ["deploy.yml", "pr.yml", "rollback.yml"]);
  });

  for (const [file, wf] of Object.entries(ALL)) {
    it(`${file}: read-only token by default, no expression inside a script, no kept credentials`, () => {
      assert.deepEqual(wf.permissions, { contents: "read" });
      assert.ok(!("pull_request_target" in wf.on), "pull_request_target runs with secrets");
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const script of runs(job)) {
          assert.ok(!script.includes("${{"), `${file}#${id}: pass values through env:\n${script}`);
        }
        for (const s of job.steps.filter((x) => x.uses?.startsWith("actions/checkout@"))) {
          assert.equal(s.with?.["persist-credentials"], false, `${file}#${id} keeps a token`);
        }
        const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v !== "read");
        const expected = file === "pr.yml" && id === "preview" ? [["pull-requests", "write"]] : [];
        assert.deepEqual(writes, expected, `${file}#${id}`);
      }
    });

    it(`${file}: runs this repository's commands as npm scripts package.json has, never by path`, () => {
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const script of runs(job)) {
          assert.doesNotMatch(script, FILE_CALL, `${file}#${id}: call an npm script`);
          for (const m of script.matchAll(/\bnpm run (?:--silent )?([\w:-]+)/g)) {
            assert.ok(SCRIPTS[m[1]!] !== undefined, `${file}#${id}: no npm script ${m[1]}`);
          }
        }
      }
    });

    it(`${file}: writes no tool version: every pin comes from the toolchain table or package.json`, () => {
      const text = readFileSync(join(WORKFLOWS, file), "utf8");
      assert.deepEqual(text.match(/\bv?\d+\.\d+\.\d+\b/g), null);
      for (const job of Object.values(wf.jobs)) {
        for (const s of job.steps.filter((x) => x.uses?.startsWith("pulumi/actions@"))) {
          assert.deepEqual(s.with, { "pulumi-version": "${{ steps.pins.outputs.pulumi }}" });
          assert.ok(
            job.steps.indexOf(s) > indexOf(job, "Tool versions (toolchain/tools.ts, package.json)"),
          );
        }
      }
    });
  }

  for (const [where, job] of Object.entries(pulumiJobs)) {
    it(`${where}: runs in deploy/, checks layout and backend, then tools, then selects the stack`, () => {
      for (const [k, v] of Object.entries(BACKEND_ENV)) assert.equal(job.env?.[k], v, k);
      assert.equal(job.defaults?.run?.["working-directory"], "deploy");
      const order = [...SHARED, "Select the stack"].map((n) => indexOf(job, n));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        "shared steps in order",
      );
      // Plugins are installed before the toolchain checks them; every other command after.
      const touches = (r: string) =>
        /(^|\n|\$\(|\s)pulumi (preview|up|config|stack)\b|npm run --silent rollback\b/.test(r);
      const first = job.steps.findIndex((s) => touches(s.run ?? ""));
      assert.ok(
        first > indexOf(job, "Select the stack"),
        "the stack is selected before it is used",
      );
      assert.match(
        named(job, "Toolchain (installed tools only)").run!,
        /TRAVEL_TOOLCHAIN=installed npm run --silent toolchain -- pulumi/,
      );
      assert.match(named(job, "Select the stack").run!, /^npm run --silent ci:step -- stack/);
    });
  }

  it("the shared steps are the same in every job (only previews add their skip condition)", () => {
    const reference = deploy.jobs.dev!;
    for (const [where, job] of Object.entries(pulumiJobs)) {
      for (const name of SHARED) {
        const guarded =
          where === "pr.yml#preview" &&
          indexOf(job, name) > indexOf(job, "Check the Pulumi backend");
        const b = named(reference, name);
        assert.deepEqual(
          named(job, name),
          guarded ? { ...b, if: SKIPPED } : b,
          `${where}: ${name}`,
        );
      }
    }
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

  it("unit tests: the layout, npm ci, actionlint through the toolchain, build, lint, unit tests", () => {
    const unit = pr.jobs.unit!;
    assert.equal(unit.permissions, undefined);
    assert.equal(unit.defaults?.run?.["working-directory"], "deploy");
    assert.deepEqual(runs(unit).slice(1), [
      "npm ci",
      "npm run --silent toolchain -- lint >/dev/null",
      "npm run build",
      "npm run lint",
      "npm run test:unit",
    ]);
    assert.deepEqual(named(unit, "Check the layout"), named(deploy.jobs.dev!, "Check the layout"));
  });

  it("previews every stack after the unit tests, as an engine event stream for the summary", () => {
    const preview = pr.jobs.preview!;
    assert.equal(preview.needs, "unit");
    assert.deepEqual(preview.strategy, { "fail-fast": false, matrix: { stack: [...STACKS] } });
    assert.equal(preview.env?.STACK, "${{ matrix.stack }}");
    const run = named(preview, "Preview").run!;
    assert.ok(
      run.includes(
        'PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --diff --stack "$STACK" --policy-pack policy --json >"$RUNNER_TEMP/preview.jsonl" || status=$?',
      ),
      run,
    );
    assert.match(run, /echo "status=\$status" >>"\$GITHUB_OUTPUT"/);
    assert.match(
      named(preview, "Summary").run!,
      /^npm run --silent preview-summary -- "\$RUNNER_TEMP\/preview.jsonl" --stack "\$STACK" >"\$RUNNER_TEMP\/preview.md"$/m,
    );
    assert.equal(
      named(preview, "Fail when the preview failed").if,
      `${SKIPPED} && steps.preview.outputs.status != '0'`,
    );
  });

  it("guards every step after the backend check by the skip, and comments only with secrets", () => {
    const preview = pr.jobs.preview!;
    const after = preview.steps.slice(indexOf(preview, "Check the Pulumi backend") + 1);
    for (const s of after.filter((x) => x.name !== "Comment on the pull request")) {
      assert.ok(s.if?.startsWith(SKIPPED), `${s.name ?? s.run ?? s.uses}: if ${s.if}`);
    }
    assert.equal(
      named(preview, "Comment on the pull request").if,
      "env.WITHOUT_SECRETS == 'false'",
    );
    assert.equal(
      preview.env?.WITHOUT_SECRETS,
      "${{ github.event.pull_request.head.repo.full_name != github.repository || github.actor == 'dependabot[bot]' }}",
    );
    assert.ok(indexOf(preview, "Promotion source") < indexOf(preview, "Preview"));
  });

  it("posts the summary as one comment per stack, with the only write permission", () => {
    const preview = pr.jobs.preview!;
    assert.deepEqual(preview.permissions, { contents: "read", "pull-requests": "write" });
    const comment = named(preview, "Comment on the pull request");
    assert.equal(comment.uses, "actions/github-script@v8");
    const script = String(comment.with?.script);
    assert.match(script, /const marker = `<!-- travel-preview:\$\{stack\} -->`;/);
    assert.match(script, /preview\.md/);
    assert.match(script, /github\.rest\.issues\.updateComment/);
    assert.match(script, /github\.rest\.issues\.createComment/);
  });

  it("reports exactly the checks branch protection requires", () => {
    const names = Object.values(pr.jobs).flatMap((job) => {
      const [key, values] = Object.entries(job.strategy?.matrix ?? {})[0] ?? [];
      return key ? values!.map((v) => job.name!.replace(`\${{ matrix.${key} }}`, v)) : [job.name!];
    });
    assert.deepEqual(names, PR_CHECKS);
  });
});

describe("deploy.yml", () => {
  it("runs on pushes to main and by hand, dev then staging then prod", () => {
    assert.deepEqual(Object.keys(deploy.on).sort(), ["push", "workflow_dispatch"]);
    assert.deepEqual(deploy.on.push, { branches: ["main"] });
    assert.equal(deploy.concurrency, undefined, "one group per stack, not per workflow");
    assert.deepEqual(Object.keys(deploy.jobs), [...STACKS]);
    assert.deepEqual(
      STACKS.map((s) => deploy.jobs[s]!.needs),
      [undefined, "dev", "staging"],
    );
  });

  for (const stack of STACKS) {
    it(`${stack}: in its environment and concurrency group, behind the deploy switch`, () => {
      const job = deploy.jobs[stack]!;
      assert.equal(job.if, SWITCH);
      assert.deepEqual(job.environment, { name: stack, url: "${{ steps.outputs.outputs.url }}" });
      assert.deepEqual(job.concurrency, { group: `deploy-${stack}`, "cancel-in-progress": false });
      assert.equal(job.env?.STACK, stack);
      assert.deepEqual(
        runs(job).filter((r) => r.startsWith("pulumi up")),
        ['pulumi up --yes --stack "$STACK" --policy-pack policy'],
      );
      assert.deepEqual(named(job, "Deploy").env, { GITHUB_TOKEN: "${{ secrets.GH_ADMIN_TOKEN }}" });
      assert.match(named(job, "Select the stack").run!, / stack --create$/);
    });
  }

  it("staging and prod check their approval gate before anything else; dev has none", () => {
    assert.ok(!deploy.jobs.dev!.steps.some((s) => s.name === "Check the approval gate"));
    for (const stack of ["staging", "prod"] as const) {
      const job = deploy.jobs[stack]!;
      assert.equal(indexOf(job, "Check the approval gate"), 0);
      assert.deepEqual(job.permissions, { contents: "read", actions: "read" });
      assert.ok(indexOf(job, "Promote only") < indexOf(job, "Deploy"));
    }
  });

  it("dev builds (Pulumi tags with the app's commit), checking the app out only when separate", () => {
    const text = readFileSync(join(WORKFLOWS, "deploy.yml"), "utf8");
    assert.ok(
      !text.includes("TRAVEL_SOURCE_SHA"),
      "the app-source step sets it when the app is separate",
    );
    assert.ok(!/docker (build|push)|build-push-action/.test(text), "images are built by Pulumi");
    const app = named(deploy.jobs.dev!, "Check out the app source");
    assert.equal(app.if, "vars.APP_REPOSITORY != ''");
    assert.equal(app.with?.path, "coagents-travel");
    assert.ok(
      indexOf(deploy.jobs.dev!, "Check the app source") < indexOf(deploy.jobs.dev!, "Deploy"),
    );
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
        options: [...STACKS],
        required: true,
      },
      sha: {
        description: "Full 40-character git SHA whose images to deploy again",
        type: "string",
        required: true,
      },
    });
  });

  it("runs in the stack's environment and group, gated like a deploy, never creating a stack", () => {
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
    const gate = named(job, "Check the approval gate");
    assert.deepEqual(gate, {
      ...named(deploy.jobs.prod!, "Check the approval gate"),
      if: "inputs.stack != 'dev'",
    });
    assert.equal(indexOf(job, "Check the inputs"), 0);
    assert.equal(named(job, "Select the stack").run!.trim(), "npm run --silent ci:step -- stack");
    assert.equal(
      named(job, "Roll back").run!.trim(),
      'npm run --silent rollback -- "$STACK" "$SHA"',
    );
    assert.deepEqual(named(job, "Roll back").env, {
      REGISTRY_TOKEN: "${{ secrets.REGISTRY_TOKEN }}",
      GITHUB_TOKEN: "${{ secrets.GH_ADMIN_TOKEN }}",
    });
  });
});

describe("actionlint", () => {
  /** The actionlint the toolchain chose: installed at the pin, or its cached build. */
  function actionlint(args: string[]) {
    const bin = binary(
      select(expand(["lint"]), { build: false, log: () => undefined }),
      "actionlint",
    );
    if (!existsSync(bin))
      assert.fail(`actionlint is not built (${bin}): run \`toolchain/toolchain.sh lint\``);
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
