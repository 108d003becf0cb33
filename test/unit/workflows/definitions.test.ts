/**
 * Each workflow read as data: pr.yml (unit tests, then a preview of every stack, the
 * fork skip, one comment per stack, the checks branch protection requires), deploy.yml
 * (dev, staging, prod in order, each in its environment and concurrency group behind the
 * deploy switch, the approval gates, promotion only after dev) and rollback.yml (by
 * hand, gated like a deploy, never creating a stack).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PR_CHECKS } from "../../../src/github";
import {
  indexOf,
  loadSetupAction,
  loadWorkflow,
  named,
  runs,
  stepsOf,
  WORKFLOWS,
} from "../../support/workflows/harness";

const STACKS = ["dev", "staging", "prod"] as const;
const SWITCH = "vars.DEPLOY_ENABLED == 'true' && github.ref == 'refs/heads/main'";
const SKIPPED = "env.PREVIEW_SKIPPED == ''";

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const rollback = loadWorkflow("rollback.yml");

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
    // The setup action's own steps skip on its backend step's output, the job's on the env.
    const after = stepsOf(preview).slice(indexOf(preview, "Check the Pulumi backend") + 1);
    const inAction = new Set(loadSetupAction().runs.steps);
    for (const s of after.filter((x) => x.name !== "Comment on the pull request")) {
      const guard = inAction.has(s) ? "steps.backend.outputs.skipped != 'true'" : SKIPPED;
      assert.ok(s.if?.startsWith(guard), `${s.name ?? s.run ?? s.uses}: if ${s.if}`);
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
    assert.match(comment.uses!, /^actions\/github-script@[0-9a-f]{40}$/);
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
      // The job's own token: dev pushes its images with it (Pulumi.dev.yaml registry.pushTokenEnv).
      assert.deepEqual(named(job, "Deploy").env, { GITHUB_TOKEN: "${{ github.token }}" });
      assert.deepEqual(
        job.permissions,
        stack === "dev"
          ? { contents: "read", packages: "write" }
          : { contents: "read", actions: "read" },
      );
      assert.equal(named(job, "Set up").with?.["create-stack"], "true", "creates a missing stack");
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
    assert.equal(app.if, "steps.backend.outputs.skipped != 'true' && inputs.app-repository != ''");
    assert.equal(app.with?.path, "coagents-travel");
    assert.deepEqual(
      STACKS.map((s) => named(deploy.jobs[s]!, "Set up").with?.["app-repository"]),
      ["${{ vars.APP_REPOSITORY }}", undefined, undefined],
    );
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
    // The command checks the SHA (a usage error before it runs anything): no step before
    // it reads the input, nor checks it with a pattern of its own.
    assert.equal(
      stepsOf(job).findIndex((s) => /\$\{?SHA\b/.test(s.run ?? "")),
      indexOf(job, "Roll back"),
    );
    assert.ok(!runs(job).some((r) => r.includes("[0-9a-f]")));
    const setup = named(job, "Set up").with ?? {};
    assert.equal(setup["create-stack"], undefined, "a missing stack is an error, not created");
    assert.equal(setup["check-app-source"], "false", "builds nothing");
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
