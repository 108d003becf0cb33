/**
 * What `npm run bootstrap` refuses once it has looked at the backend and the repository,
 * and before it changes anything: every problem at once, one line each, and nothing
 * created, written or asked for (the state folder, the stacks, the workflow copies), in
 * a real run of the command with stub tools.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bootstrapWorkspace } from "../../../support/bootstrap-run";

const OWN_PR = "name: app ci\non: push\njobs: {}\n";

describe("bootstrap refuses before it changes anything", () => {
  it("a workflow of the app's own where it would copy one", () => {
    const w = bootstrapWorkspace();
    const workflows = join(w.app, ".github", "workflows");
    mkdirSync(workflows, { recursive: true });
    writeFileSync(join(workflows, "pr.yml"), OWN_PR);
    const r = w.run(["--no-github"]);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "bootstrap: .github/workflows/pr.yml: expected no file or bootstrap's copy of " +
        "deploy/.github/workflows/pr.yml, found a workflow bootstrap did not write (it would " +
        "overwrite it): rename yours (for example to .github/workflows/pr-app.yml), or delete " +
        "it to take bootstrap's, and run bootstrap again\n",
    );
    assert.equal(r.status, 1);
    assert.equal(readFileSync(join(workflows, "pr.yml"), "utf8"), OWN_PR);
    assert.deepEqual(
      ["deploy.yml", "rollback.yml"].filter((f) => w.appHas(`.github/workflows/${f}`)),
      [],
      "no other workflow was copied",
    );
    assert.equal(w.stateExists(), false, "the state folder was created");
    assert.deepEqual(w.calls(), ["pulumi --non-interactive plugin ls --json"]);
  });
});
