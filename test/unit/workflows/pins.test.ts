/**
 * Every action the workflows and their local actions use from another repository is pinned
 * by commit SHA, its version in a comment (`uses: owner/repo@<40 hex> # vX.Y.Z`): a tag can
 * be moved to other code, a commit cannot. Dependabot's github-actions updates keep those
 * pins current (it rewrites the SHA and the comment together), so its config must cover
 * the workflows and every local action.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..", "..");
const GITHUB = join(ROOT, ".github");
const ACTIONS = join(GITHUB, "actions");

/** The workflows and the local actions' definitions. */
const files = [
  ...readdirSync(join(GITHUB, "workflows"))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(GITHUB, "workflows", f)),
  ...readdirSync(ACTIONS).map((d) => join(ACTIONS, d, "action.yml")),
];

interface Use {
  readonly where: string;
  readonly line: string;
}

/** Every `uses:` line of a file (comments are not in a YAML parser's output: read the text). */
function usesOf(file: string): Use[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line, i) => ({ where: `${relative(ROOT, file)}:${i + 1}`, line: line.trim() }))
    .filter(({ line }) => /^(- )?uses:/.test(line));
}

const PINNED = /^(- )?uses: [\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/;
const LOCAL = /^(- )?uses: \.\//;

describe("pinned actions", () => {
  const uses = files.flatMap(usesOf);
  const remote = uses.filter((u) => !LOCAL.test(u.line));

  it("reads the workflows and the local actions, and finds actions of other repositories", () => {
    assert.ok(files.some((f) => f.endsWith("deploy.yml")));
    assert.ok(files.some((f) => f.endsWith(join("setup", "action.yml"))));
    assert.ok(remote.length >= 5, `only ${remote.length} remote actions found`);
  });

  it("pins every action of another repository by a 40-hex commit with its version in a comment", () => {
    const loose = remote.filter((u) => !PINNED.test(u.line)).map((u) => `${u.where}: ${u.line}`);
    assert.deepEqual(loose, []);
  });

  it("pins one action to one commit everywhere, with the same version comment", () => {
    const byAction = new Map<string, Set<string>>();
    for (const u of remote) {
      const [, action, pin] = /uses: ([^@]+)@(.+)$/.exec(u.line)!;
      byAction.set(action!, (byAction.get(action!) ?? new Set()).add(pin!));
    }
    const split = [...byAction].filter(([, pins]) => pins.size > 1);
    assert.deepEqual(split, []);
  });

  it("has Dependabot update the github-actions pins of the workflows and of every local action", () => {
    const config = parse(readFileSync(join(GITHUB, "dependabot.yml"), "utf8")) as {
      updates: { "package-ecosystem": string; directory?: string; directories?: string[] }[];
    };
    const actions = config.updates.filter((u) => u["package-ecosystem"] === "github-actions");
    assert.equal(actions.length, 1);
    const dirs = actions[0]!.directories ?? [actions[0]!.directory!];
    const local = readdirSync(ACTIONS).map((d) => `/.github/actions/${d}`);
    assert.deepEqual([...dirs].sort(), ["/", ...local].sort());
  });
});
