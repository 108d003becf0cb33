/**
 * The delivery pipeline as code (.github/workflows), read as data: what every workflow
 * must hold to (a read-only token, values passed to scripts through env, this program's
 * commands as npm scripts, versions taken from one place), how every Pulumi job starts
 * (checkout, layout, the setup action), and actionlint over every workflow. Each file's
 * triggers and jobs: definitions.test.ts; the setup action: setup-action.test.ts; what
 * the steps do when they run: steps.test.ts and jobs.test.ts.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  actionlint,
  indexOf,
  type Job,
  loadWorkflow,
  named,
  ROOT,
  runs,
  SETUP_USES,
  stepsOf,
  type Workflow,
  withoutPinComments,
  WORKFLOWS,
} from "../../support/workflows/harness";

const BACKEND_ENV = {
  PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL || secrets.PULUMI_BACKEND_URL }}",
  PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
  PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
  PULUMI_ORG: "${{ vars.PULUMI_ORG }}",
  AWS_ACCESS_KEY_ID: "${{ secrets.AWS_ACCESS_KEY_ID }}",
  AWS_SECRET_ACCESS_KEY: "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
  AWS_REGION: "${{ vars.AWS_REGION }}",
};

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const rollback = loadWorkflow("rollback.yml");
const settings = loadWorkflow("settings.yml");
const ALL: Record<string, Workflow> = {
  "pr.yml": pr,
  "deploy.yml": deploy,
  "rollback.yml": rollback,
  "settings.yml": settings,
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

/** Every job that runs the Pulumi CLI, by "<file>#<job>". */
const pulumiJobs: Record<string, Job> = {
  "pr.yml#preview": pr.jobs.preview!,
  "pr.yml#promotion": pr.jobs.promotion!,
  "deploy.yml#dev": deploy.jobs.dev!,
  "deploy.yml#plan-staging": deploy.jobs["plan-staging"]!,
  "deploy.yml#staging": deploy.jobs.staging!,
  "deploy.yml#plan-prod": deploy.jobs["plan-prod"]!,
  "deploy.yml#prod": deploy.jobs.prod!,
  "rollback.yml#rollback": rollback.jobs.rollback!,
  "settings.yml#settings": settings.jobs.settings!,
};
/** How every Pulumi job starts, word for word: the checkout of either layout, the layout check. */
const START = [
  "Check out (this program in deploy/ of the app's repository)",
  "Check out (this program, into deploy/)",
  "Check the layout",
];

describe("all workflows", () => {
  it("are exactly pr, deploy, rollback and settings", () => {
    assert.deepEqual(readdirSync(WORKFLOWS).sort(), [
      "deploy.yml",
      "pr.yml",
      "rollback.yml",
      "settings.yml",
    ]);
  });

  for (const [file, wf] of Object.entries(ALL)) {
    it(`${file}: read-only token by default, no expression inside a script, no kept credentials`, () => {
      assert.deepEqual(wf.permissions, { contents: "read" });
      assert.ok(!("pull_request_target" in wf.on), "pull_request_target runs with secrets");
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const script of runs(job)) {
          assert.ok(!script.includes("${{"), `${file}#${id}: pass values through env:\n${script}`);
        }
        for (const s of stepsOf(job).filter((x) => x.uses?.startsWith("actions/checkout@"))) {
          assert.equal(s.with?.["persist-credentials"], false, `${file}#${id} keeps a token`);
        }
        const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v !== "read");
        // The pull-request jobs comment on the pull request; deploy dev pushes its images (GHCR).
        const expected =
          file === "pr.yml" && id !== "unit"
            ? [["pull-requests", "write"]]
            : file === "deploy.yml" && id === "dev"
              ? [["packages", "write"]]
              : [];
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
      const text = withoutPinComments(readFileSync(join(WORKFLOWS, file), "utf8"));
      assert.deepEqual(text.match(/\bv?\d+\.\d+\.\d+\b/g), null);
      for (const job of Object.values(wf.jobs)) {
        for (const s of stepsOf(job).filter((x) => x.uses?.startsWith("pulumi/actions@"))) {
          assert.deepEqual(s.with, { "pulumi-version": "${{ steps.pins.outputs.pulumi }}" });
          assert.ok(
            stepsOf(job).indexOf(s) >
              indexOf(job, "Tool versions (toolchain/tools.ts, package.json)"),
          );
        }
      }
    });
  }

  for (const [where, job] of Object.entries(pulumiJobs)) {
    it(`${where}: runs in deploy/, checks out, checks the layout, then sets up from deploy/ before any Pulumi command`, () => {
      for (const [k, v] of Object.entries(BACKEND_ENV)) assert.equal(job.env?.[k], v, k);
      assert.ok(job.env?.STACK, "the setup action reads STACK from the job's env");
      assert.equal(job.defaults?.run?.["working-directory"], "deploy");
      const setup = job.steps.filter((s) => s.uses?.startsWith("./"));
      assert.deepEqual(
        setup.map((s) => [s.name, s.uses]),
        [["Set up", SETUP_USES]],
      );
      const order = [...START, "Set up"].map((n) => job.steps.indexOf(named(job, n)));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        "checkout, layout, then the action that needs them",
      );
      const touches = (r: string) =>
        /(^|\n|\$\(|\s)pulumi (preview|up|config|stack)\b|npm run --silent (rollback|deploy|ci:step -- chain)\b/.test(
          r,
        );
      const first = job.steps.findIndex((s) => touches(s.run ?? ""));
      assert.ok(first > job.steps.indexOf(setup[0]!), "the stack is selected before it is used");
    });
  }

  it("every job starts with the same checkouts and layout check (the unit tests too)", () => {
    const reference = deploy.jobs.dev!;
    for (const [where, job] of Object.entries({ ...pulumiJobs, "pr.yml#unit": pr.jobs.unit! })) {
      for (const name of START) {
        assert.deepEqual(named(job, name), named(reference, name), `${where}: ${name}`);
      }
    }
  });
});

describe("actionlint", () => {
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
