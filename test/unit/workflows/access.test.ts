/**
 * Which secrets every job of every workflow can read, for each trigger, under GitHub's
 * rules (test/support/workflows/access.ts) with the environments of
 * src/config/ci-environments.ts: no pull request and no dev job reads anything of staging,
 * prod or the admin token; the admin token only in the `github` environment's job; every
 * secret a job uses is one of its own environment. The negative cases plant what the
 * checker must catch.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ADMIN_TOKEN_SECRET,
  CI_ENVIRONMENTS,
  REPOSITORY_SECRETS,
} from "../../../src/config/ci-environments";
import {
  accessOf,
  accessProblems,
  environmentsOf,
  type Model,
  passesPolicy,
  readableBy,
  secretsUsed,
  TRIGGERS,
} from "../../support/workflows/access";
import { loadWorkflow, ROOT, type Workflow } from "../../support/workflows/harness";

const MODEL: Model = { environments: CI_ENVIRONMENTS, repositorySecrets: REPOSITORY_SECRETS };
const FILES = ["pr.yml", "deploy.yml", "rollback.yml", "settings.yml"];
const workflows = (): Record<string, Workflow> =>
  Object.fromEntries(FILES.map((f) => [f, loadWorkflow(f)]));

describe("who can read which secret", () => {
  const access = accessOf(MODEL, workflows());

  it("covers every job of every workflow for every trigger it runs on", () => {
    const seen = new Set(access.map((a) => `${a.job} | ${a.trigger}`));
    for (const expected of [
      "pr.yml#unit | pull request from a fork",
      "pr.yml#preview | pull request (same repository)",
      "pr.yml#promotion | Dependabot pull request",
      "deploy.yml#plan-prod | push to main",
      "deploy.yml#prod | workflow_dispatch on another branch",
      "rollback.yml#rollback (prod) | workflow_dispatch on main",
      "settings.yml#settings | push to main",
    ]) {
      assert.ok(seen.has(expected), expected);
    }
    assert.ok(
      !seen.has("deploy.yml#dev | pull request (same repository)"),
      "deploy.yml has no pull_request",
    );
    assert.equal(access.filter((a) => a.readable.length > 0).length > 0, true);
  });

  it("finds no problem in the workflows", () => {
    assert.deepEqual(accessProblems(MODEL, workflows(), ADMIN_TOKEN_SECRET), []);
  });

  it("a pull request reads dev's secrets only (dev-preview), and a fork's or Dependabot's nothing", () => {
    for (const a of access.filter((x) => x.job.startsWith("pr.yml#"))) {
      const stacks = new Set(a.readable.map((r) => r.stack));
      if (a.trigger === "pull request (same repository)" && a.environment === "dev-preview") {
        assert.deepEqual([...stacks], ["dev"], a.job);
      } else {
        assert.deepEqual(a.readable, [], `${a.job} (${a.trigger})`);
      }
    }
  });

  it("each deploy job reads its own stack only; staging and prod only after approval, on main", () => {
    const reads = (job: string, trigger: string) =>
      access.find((a) => a.job === job && a.trigger === trigger)!.readable;
    for (const stack of ["dev", "staging", "prod"]) {
      const main = reads(`deploy.yml#${stack}`, "push to main");
      assert.deepEqual([...new Set(main.map((r) => r.stack))], [stack]);
      assert.ok(
        main.every((r) => r.afterApproval === (stack !== "dev")),
        stack,
      );
      assert.deepEqual(reads(`deploy.yml#${stack}`, "workflow_dispatch on another branch"), []);
      const rollback = reads(`rollback.yml#rollback (${stack})`, "workflow_dispatch on main");
      assert.deepEqual([...new Set(rollback.map((r) => r.stack))], [stack]);
    }
    for (const stack of ["staging", "prod"]) {
      const plan = reads(`deploy.yml#plan-${stack}`, "push to main");
      assert.deepEqual(
        [...new Set(plan.map((r) => `${r.stack} ${r.afterApproval}`))],
        [`${stack} false`],
      );
      assert.ok(!plan.some((r) => r.secret === "REGISTRY_TOKEN"), "a plan holds no registry token");
    }
  });

  it("the admin token: only the settings job, only on main, only after approval", () => {
    const holders = access.filter((a) => a.readable.some((r) => r.secret === ADMIN_TOKEN_SECRET));
    assert.deepEqual([...new Set(holders.map((a) => `${a.job} | ${a.trigger}`))].sort(), [
      "settings.yml#settings | push to main",
      "settings.yml#settings | workflow_dispatch on main",
    ]);
    assert.ok(holders.every((a) => a.readable.every((r) => r.afterApproval)));
    assert.deepEqual(
      Object.entries(CI_ENVIRONMENTS)
        .filter(([, e]) => e.secrets.includes(ADMIN_TOKEN_SECRET))
        .map(([n, e]) => [n, e.reviewers]),
      [["github", true]],
    );
  });

  it("a job a writer adds (pushed on a branch, or in a pull request) reads nothing but dev's, whatever environment it names", () => {
    const writable = TRIGGERS.filter((t) => t.ref !== "refs/heads/main");
    for (const t of writable) {
      for (const name of [...Object.keys(CI_ENVIRONMENTS), undefined]) {
        const other = readableBy(MODEL, name, t).filter((r) => r.stack !== "dev");
        assert.deepEqual(other, [], `${name ?? "no environment"} on ${t.name}`);
      }
    }
  });
});

describe("docs/delivery.md", () => {
  it("lists every environment as the table the checker uses has it", () => {
    const doc = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Secrets per environment"));
    const rows = [
      ...section.matchAll(/^\| `([\w-]+)` +\| (.+?) +\| (yes|no) +\| (\w+) +\| (.+?) +\|$/gm),
    ].map((m) => [m[1], m[2], m[3], m[4], m[5]]);
    assert.deepEqual(
      rows,
      Object.entries(CI_ENVIRONMENTS).map(([name, e]) => [
        name,
        e.branches === "all" ? "all" : e.branches.join(", "),
        e.reviewers ? "yes" : "no",
        e.stack,
        e.purpose,
      ]),
    );
  });
});

describe("the checker catches", () => {
  const withJob = (file: string, id: string, edit: (job: Workflow["jobs"][string]) => void) => {
    const all = workflows();
    edit(all[file]!.jobs[id]!);
    return accessProblems(MODEL, all, ADMIN_TOKEN_SECRET);
  };

  it("a repository secret used by a pull request's job", () => {
    const problems = withJob("pr.yml", "unit", (job) => {
      job.env = { ...job.env, PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" };
    });
    assert.deepEqual(problems, [
      "pr.yml#unit uses secrets.PULUMI_CONFIG_PASSPHRASE: not a secret of its environment (none): a repository secret reaches every job",
    ]);
    const model = { ...MODEL, repositorySecrets: ["PULUMI_CONFIG_PASSPHRASE"] };
    const reach = accessProblems(model, workflows(), ADMIN_TOKEN_SECRET);
    assert.ok(
      reach.includes(
        "pr.yml#unit (pull request (same repository)): a pull request can read PULUMI_CONFIG_PASSPHRASE of (repository)",
      ),
      reach.join("\n"),
    );
    assert.ok(
      reach.some((p) =>
        p.startsWith("deploy.yml#dev (push to main): a dev job can read PULUMI_CONFIG_PASSPHRASE"),
      ),
    );
  });

  it("the admin token given to an app stack's pulumi up, and a secret name computed at run time", () => {
    const problems = withJob("deploy.yml", "dev", (job) => {
      job.steps = [
        ...job.steps,
        { run: "x", env: { GITHUB_TOKEN: "${{ secrets.GH_ADMIN_TOKEN }}" } },
      ];
    });
    assert.deepEqual(problems, [
      "deploy.yml#dev uses secrets.GH_ADMIN_TOKEN: not a secret of its environment (dev): a repository secret reaches every job",
      "deploy.yml#dev uses secrets.GH_ADMIN_TOKEN outside the environment github",
    ]);
    const dynamic = withJob("pr.yml", "preview", (job) => {
      job.env = { ...job.env, K: "${{ secrets[format('KUBECONFIG_{0}', 'PROD')] }}" };
    });
    assert.equal(dynamic.length, 1);
    assert.match(dynamic[0]!, /^pr\.yml#preview uses secrets\.\[dynamic\]/);
  });

  it("a plan environment opened to every branch, and a pull request's job in a gated environment's stack", () => {
    const model = {
      ...MODEL,
      environments: {
        ...CI_ENVIRONMENTS,
        "prod-plan": { ...CI_ENVIRONMENTS["prod-plan"]!, branches: "all" as const },
      },
    };
    const all = workflows();
    all["pr.yml"]!.jobs.promotion!.environment = "prod-plan";
    const problems = accessProblems(model, all, ADMIN_TOKEN_SECRET);
    assert.ok(
      problems.includes(
        "pr.yml#promotion (pull request (same repository)): a pull request can read PULUMI_CONFIG_PASSPHRASE of prod-plan",
      ),
      problems.join("\n"),
    );
  });

  it("GitHub's branch policy: a pull request's merge ref passes no branch pattern; patterns glob within a segment", () => {
    const main = CI_ENVIRONMENTS.prod!;
    assert.equal(passesPolicy(main, "refs/heads/main"), true);
    assert.equal(passesPolicy(main, "refs/pull/7/merge"), false);
    assert.equal(passesPolicy(main, "refs/heads/main-2"), false);
    const releases = { ...main, branches: ["release/*"] };
    assert.equal(passesPolicy(releases, "refs/heads/release/1"), true);
    assert.equal(passesPolicy(releases, "refs/heads/release/1/x"), false);
    assert.deepEqual(secretsUsed({ steps: [{ run: "${{ secrets.A }} ${{ github.token }}" }] }), [
      "A",
    ]);
    assert.deepEqual(
      environmentsOf(loadWorkflow("rollback.yml"), loadWorkflow("rollback.yml").jobs.rollback!),
      ["dev", "staging", "prod"],
    );
  });
});
