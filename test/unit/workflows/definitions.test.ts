/**
 * Each workflow read as data: pr.yml (unit tests, then dev's preview and the promotion
 * chain of staging and prod, all in dev-preview, the fork skip, one comment per stack, the
 * checks branch protection requires), deploy.yml (dev, then each gated stack's plan before
 * its deploy, in order, each in its environment behind the deploy switch, waiting for the
 * stack's turn, the approval gates, promotion only after dev), rollback.yml (by hand,
 * gated like a deploy, never creating a stack) and settings.yml (the admin token's job).
 * Who can read which secret: access.test.ts.
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
    assert.deepEqual(Object.keys(pr.jobs), ["unit", "preview", "promotion"]);
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

  it("previews dev after the unit tests in dev-preview, as an engine event stream for the summary", () => {
    const preview = pr.jobs.preview!;
    assert.equal(preview.needs, "unit");
    assert.equal(preview.environment, "dev-preview");
    assert.equal(preview.strategy, undefined);
    assert.equal(preview.env?.STACK, "dev");
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
  });

  it("shows staging and prod their promotion chain with dev's credentials only, never their own", () => {
    const job = pr.jobs.promotion!;
    assert.equal(job.needs, "unit");
    assert.equal(job.environment, "dev-preview");
    assert.deepEqual(job.strategy, { "fail-fast": false, matrix: { stack: ["staging", "prod"] } });
    assert.equal(job.env?.STACK, "dev", "the setup selects the stack whose secrets it holds");
    assert.equal(job.env?.PREVIEW_OF, "${{ matrix.stack }}");
    assert.equal(
      named(job, "Promotion chain").run,
      'npm run --silent ci:step -- chain "$PREVIEW_OF"',
    );
    assert.ok(
      !runs(job).some((r) => /pulumi (preview|up)\b/.test(r)),
      "no preview of a gated stack",
    );
    assert.deepEqual(
      named(job, "Comment on the pull request"),
      named(pr.jobs.preview!, "Comment on the pull request"),
    );
  });

  it("posts the summary as one comment per stack, with the only write permission", () => {
    const preview = pr.jobs.preview!;
    assert.deepEqual(preview.permissions, { contents: "read", "pull-requests": "write" });
    assert.deepEqual(pr.jobs.promotion!.permissions, preview.permissions);
    const comment = named(preview, "Comment on the pull request");
    assert.match(comment.uses!, /^actions\/github-script@[0-9a-f]{40}$/);
    const script = String(comment.with?.script);
    assert.match(script, /const stack = process\.env\.PREVIEW_OF;/);
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
  it("runs on pushes to main and by hand: dev, then each gated stack's plan before its deploy", () => {
    assert.deepEqual(Object.keys(deploy.on).sort(), ["push", "workflow_dispatch"]);
    assert.deepEqual(deploy.on.push, { branches: ["main"] });
    assert.equal(deploy.concurrency, undefined, "no group: a pending run is never cancelled");
    assert.deepEqual(Object.keys(deploy.jobs), [
      "dev",
      "plan-staging",
      "staging",
      "plan-prod",
      "prod",
    ]);
    assert.deepEqual(
      Object.values(deploy.jobs).map((j) => j.needs),
      [undefined, "dev", ["dev", "plan-staging"], "staging", ["staging", "plan-prod"]],
    );
  });

  it("binds each plan and gated deploy to the release the stack before it verified", () => {
    const before = { staging: "dev", prod: "staging" } as const;
    for (const stack of ["staging", "prod"] as const) {
      const release = `\${{ needs.${before[stack]}.outputs.release }}`;
      assert.equal(
        deploy.jobs[before[stack]]!.outputs?.release,
        "${{ steps.outputs.outputs.release }}",
      );
      assert.match(
        named(deploy.jobs[before[stack]]!, "Outputs").run!,
        /echo "release=\$\(pulumi stack output verifiedImages --json --stack "\$STACK" \| jq -c \.\)" >>"\$GITHUB_OUTPUT"/,
      );
      for (const job of [`plan-${stack}`, stack]) {
        const j = deploy.jobs[job]!;
        assert.equal(j.env?.RELEASE, release, job);
        const pin = named(j, "Pin the release under approval");
        assert.equal(pin.run, "npm run --silent ci:step -- release");
        const next = job === stack ? "Wait for the stack's turn" : "Plan";
        assert.equal(indexOf(j, "Pin the release under approval") + 1, indexOf(j, next), job);
      }
    }
  });

  for (const stack of STACKS) {
    it(`${stack}: in its environment, behind the deploy switch, waiting for the stack's turn`, () => {
      const job = deploy.jobs[stack]!;
      assert.equal(job.if, SWITCH);
      assert.deepEqual(job.environment, { name: stack, url: "${{ steps.outputs.outputs.url }}" });
      assert.equal(job.concurrency, undefined, "a group would cancel a run waiting for approval");
      assert.equal(job.env?.STACK, stack);
      // pulumi up, and back to the last verified release when a rollout or check fails.
      assert.deepEqual(
        runs(job).filter((r) => /pulumi up|npm run --silent deploy/.test(r)),
        ['npm run --silent deploy -- "$STACK"'],
      );
      // The job's own token: dev pushes its images with it (Pulumi.dev.yaml registry.pushTokenEnv);
      // no admin token reaches an app stack.
      assert.deepEqual(named(job, "Deploy").env, { GITHUB_TOKEN: "${{ github.token }}" });
      assert.equal(indexOf(job, "Wait for the stack's turn") + 1, indexOf(job, "Deploy"));
      assert.deepEqual(
        job.permissions,
        stack === "dev"
          ? { contents: "read", actions: "read", packages: "write" }
          : { contents: "read", actions: "read" },
      );
      assert.equal(named(job, "Set up").with?.["create-stack"], "true", "creates a missing stack");
    });
  }

  for (const stack of ["staging", "prod"]) {
    it(`plan-${stack}: a preview of ${stack} on main in ${stack}-plan, before the approval`, () => {
      const job = deploy.jobs[`plan-${stack}`]!;
      assert.equal(job.if, SWITCH);
      assert.deepEqual(job.environment, { name: `${stack}-plan` });
      assert.equal(job.env?.STACK, stack);
      assert.equal(job.permissions, undefined);
      assert.match(
        named(job, "Plan").run!,
        /pulumi preview --diff --stack "\$STACK" --policy-pack policy/,
      );
      assert.ok(!runs(job).some((r) => /pulumi up\b/.test(r)), "a plan changes nothing");
      assert.equal(named(job, "Set up").with?.["create-stack"], undefined);
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
  it("is started by hand with a stack, an optional SHA, and a reason to force one", () => {
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
        description:
          "Full 40-character git SHA of a release the stack verified (empty - the previous one)",
        type: "string",
        required: false,
      },
      "unverified-reason": {
        description: "Only to deploy a SHA the stack never verified - why (logged)",
        type: "string",
        required: false,
      },
    });
  });

  it("runs in the stack's environment and group, gated like a deploy, never creating a stack", () => {
    const job = rollback.jobs.rollback!;
    assert.deepEqual(job.environment, {
      name: "${{ inputs.stack }}",
      url: "${{ steps.outputs.outputs.url }}",
    });
    assert.equal(job.concurrency, undefined, "a group would cancel a run waiting for approval");
    assert.equal(indexOf(job, "Wait for the stack's turn") + 1, indexOf(job, "Roll back"));
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
    assert.match(
      named(job, "Roll back").run!.trim(),
      /npm run --silent rollback -- "\$\{args\[@\]\}"$/,
    );
    assert.equal(job.env?.UNVERIFIED_REASON, "${{ inputs.unverified-reason }}");
    assert.deepEqual(named(job, "Roll back").env, {
      REGISTRY_TOKEN: "${{ secrets.REGISTRY_TOKEN }}",
    });
  });
});

describe("settings.yml", () => {
  const settings = loadWorkflow("settings.yml");

  it("runs by hand or on a push to main that changes the settings stack's file", () => {
    assert.deepEqual(settings.on, {
      push: { branches: ["main"], paths: ["Pulumi.github.yaml", "deploy/Pulumi.github.yaml"] },
      workflow_dispatch: null,
    });
    assert.deepEqual(Object.keys(settings.jobs), ["settings"]);
  });

  it("applies the github stack only, in the gated environment github, with the admin token", () => {
    const job = settings.jobs.settings!;
    assert.equal(job.if, "github.ref == 'refs/heads/main'");
    assert.equal(job.environment, "github");
    assert.equal(job.env?.STACK, "github");
    assert.deepEqual(named(job, "Check the approval gate"), {
      ...named(deploy.jobs.prod!, "Check the approval gate"),
    });
    assert.equal(indexOf(job, "Check the approval gate"), 0);
    const apply = named(job, "Apply the settings");
    assert.equal(apply.run!.trim(), 'pulumi up --yes --stack "$STACK"');
    assert.deepEqual(apply.env, { GITHUB_TOKEN: "${{ secrets.GH_ADMIN_TOKEN }}" });
  });
});
