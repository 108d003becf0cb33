/**
 * The setup every Pulumi job shares, the local composite action .github/actions/setup,
 * read as data: its steps in order, run as GitHub runs a composite action's steps (bash,
 * in the program's folder, values through env, no secrets, which composite actions
 * cannot read), the fork skip after the backend check, and what each job gives it: only
 * what differs, and only inputs it declares. What its steps do: steps.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  type Job,
  loadSetupAction,
  loadWorkflow,
  named,
  SETUP_ACTION,
  withoutPinComments,
} from "../../support/workflows/harness";

const action = loadSetupAction();
const text = readFileSync(join(SETUP_ACTION, "action.yml"), "utf8");
const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const rollback = loadWorkflow("rollback.yml");
const settings = loadWorkflow("settings.yml");

const SKIPPED = "steps.backend.outputs.skipped != 'true'";
const NODE = { "node-version": "${{ env.NODE_VERSION }}" };
const APP = {
  "app-ref": "${{ vars.APP_REF }}",
  "app-token": "${{ secrets.APP_REPOSITORY_TOKEN || github.token }}",
};
const GATED = { ...NODE, "create-stack": "true", kubeconfig: "${{ secrets.KUBECONFIG }}" };
const WITHOUT_SECRETS = { "without-secrets": "${{ env.WITHOUT_SECRETS }}" };
const NO_APP = { "check-app-source": "false" };
const PLAN = {
  ...NODE,
  ...NO_APP,
  kubeconfig: "${{ secrets.KUBECONFIG }}",
  "kubeconfig-optional": "true",
};
/** What each Pulumi job gives the action: what differs between them. */
const GIVEN: [string, Job, Record<string, string>][] = [
  [
    "pr.yml#preview",
    pr.jobs.preview!,
    {
      ...NODE,
      ...WITHOUT_SECRETS,
      "app-repository": "${{ vars.APP_REPOSITORY }}",
      ...APP,
      "create-stack": "true",
      kubeconfig: "${{ secrets.KUBECONFIG }}",
      "kubeconfig-optional": "true",
    },
  ],
  [
    "pr.yml#promotion",
    pr.jobs.promotion!,
    { ...NODE, ...WITHOUT_SECRETS, ...NO_APP, "kubeconfig-optional": "true" },
  ],
  ["deploy.yml#plan-staging", deploy.jobs["plan-staging"]!, PLAN],
  ["deploy.yml#plan-prod", deploy.jobs["plan-prod"]!, PLAN],
  [
    "settings.yml#settings",
    settings.jobs.settings!,
    { ...NODE, ...NO_APP, "kubeconfig-optional": "true" },
  ],
  [
    "deploy.yml#dev",
    deploy.jobs.dev!,
    { ...GATED, "app-repository": "${{ vars.APP_REPOSITORY }}", ...APP },
  ],
  ["deploy.yml#staging", deploy.jobs.staging!, GATED],
  ["deploy.yml#prod", deploy.jobs.prod!, GATED],
  [
    "rollback.yml#rollback",
    rollback.jobs.rollback!,
    { ...NODE, "check-app-source": "false", kubeconfig: "${{ secrets.KUBECONFIG }}" },
  ],
];

describe("the setup action", () => {
  it("runs, in order: backend, app source, Node.js, tools, stack, kubeconfig", () => {
    assert.equal(action.runs.using, "composite");
    assert.deepEqual(
      action.runs.steps.map((s) => s.name),
      [
        "Check the Pulumi backend",
        "Check out the app source",
        "Set up Node.js",
        "Install the dependencies",
        "Check the app source",
        "Tool versions (toolchain/tools.ts, package.json)",
        "Install the Pulumi CLI",
        "Install the Pulumi plugins",
        "Toolchain (installed tools only)",
        "Select the stack",
        "Kubeconfig",
      ],
    );
  });

  it("runs its scripts in bash in the program's folder, reads no secret, writes no version", () => {
    for (const s of action.runs.steps.filter((x) => x.run !== undefined)) {
      assert.equal(s.shell, "bash", s.name);
      assert.equal(s["working-directory"], "${{ github.workspace }}/deploy", s.name);
    }
    assert.doesNotMatch(text, /\bsecrets\s*[.[]/, "composite actions cannot read secrets");
    assert.deepEqual(withoutPinComments(text).match(/\bv?\d+\.\d+\.\d+\b/g), null);
  });

  it("skips every step after the backend check in a fork's preview, and tells the job", () => {
    for (const s of action.runs.steps.slice(1)) {
      assert.ok(s.if?.startsWith(SKIPPED), `${s.name}: if ${s.if}`);
    }
    const app = named({ steps: action.runs.steps }, "Check the app source");
    assert.equal(app.if, `${SKIPPED} && inputs.check-app-source == 'true'`);
    const backend = action.runs.steps[0]!;
    assert.equal(backend.id, "backend");
    assert.match(backend.run!, /echo "skipped=true" >>"\$GITHUB_OUTPUT"/);
    assert.match(backend.run!, /echo "PREVIEW_SKIPPED=no secrets \(fork\)" >>"\$GITHUB_ENV"/);
  });

  it("uses every input it declares, and has a default for each but the Node.js version", () => {
    for (const [name, spec] of Object.entries(action.inputs ?? {})) {
      assert.match(text, new RegExp(`\\binputs\\.${name}(?![\\w-])`), `${name} is unused`);
      assert.equal(spec.required === true, name === "node-version", name);
      assert.ok(spec.description.length > 0, name);
    }
  });

  for (const [where, job, given] of GIVEN) {
    it(`${where}: gives it what differs, only inputs it declares`, () => {
      const step = named(job, "Set up");
      assert.deepEqual(step.with, given);
      assert.equal(step.env, undefined, "the job's env reaches the action");
      const declared = Object.keys(action.inputs ?? {});
      assert.deepEqual(
        Object.keys(given).filter((k) => !declared.includes(k)),
        [],
      );
    });
  }
});
