/**
 * docs/delivery.md against the repository: every npm script it runs exists, every
 * `npm run bootstrap -- …` line parses, every file it names is there, every command in its
 * shell blocks is a known tool or a script of this repository, every secret and variable
 * it says to set is one the workflows read, every `gh` line names the repository (after
 * `gh repo fork`, gh's default is the upstream; `gh auth` acts on none), every variable it
 * exports is one bootstrap reads, every link to one of its sections (from the page,
 * bootstrap, the config schema's messages, the workflows, their actions and README) lands
 * on a heading, and the walk-through goes from the fork to the first prod deploy in order,
 * saying what a fork needs on the way (its Actions enabled, gh's workflow scope).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseDeployerOptions } from "../../../../commands/bootstrap/deployer/options";
import { parseOptions, USAGE } from "../../../../commands/bootstrap/options";
import { ROOT, STACKS } from "../../../support/bootstrap";
import { SETTINGS_STACK } from "../../../../src/names";
import { commandsOf, namesRepository } from "../../../support/command-lines";

const DOC = readFileSync(join(ROOT, "docs", "delivery.md"), "utf8");
const scripts = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

/** The commands of the shell blocks, one per line, without comments or prompts. */
const shellLines = [...DOC.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]!
    .split("\n")
    .map((l) => l.replace(/\s+#\s.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#")),
);
/** The inline code spans. */
const spans = [...DOC.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
const code = [...shellLines, ...spans];

/** GitHub's anchor of a heading. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .trim()
    .replace(/ /g, "-");
const ANCHORS = new Set([...DOC.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Whether a repository path (a `*` matching within a name) exists. */
function exists(path: string): boolean {
  if (!path.includes("*")) return existsSync(join(ROOT, path));
  const re = new RegExp(`^${basename(path).replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`);
  return readdirSync(join(ROOT, dirname(path))).some((f) => re.test(f));
}

describe("docs/delivery.md", () => {
  it("runs only npm scripts package.json has", () => {
    const used = [
      ...new Set([...DOC.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]!)),
    ];
    assert.ok(used.includes("bootstrap"), "the page runs bootstrap");
    assert.deepEqual(
      used.filter((s) => scripts[s] === undefined),
      [],
    );
  });

  it("gives bootstrap only options it accepts", () => {
    const lines = code.flatMap((c) => {
      const m = /npm run bootstrap -- (.+)$/.exec(c);
      return m ? [m[1]!] : [];
    });
    assert.ok(lines.length >= 3, lines.join("\n"));
    for (const l of lines) {
      const [first, ...rest] = l.split(/\s+/);
      assert.doesNotThrow(
        () =>
          first === "deployer" ? parseDeployerOptions(rest, ROOT) : parseOptions(l.split(/\s+/)),
        l,
      );
    }
  });

  it("names only files and folders that exist", () => {
    const paths = new Set<string>();
    const PATH =
      /(?:^|[\s`(])((?:scripts|test|src|toolchain|policy|docs|\.github)\/[\w./*-]*\w\/?)/g;
    for (const m of DOC.matchAll(PATH)) paths.add(m[1]!);
    for (const m of DOC.matchAll(/\bPulumi\.(\w+)\.yaml/g)) {
      // The settings stack's file is bootstrap's to write (from the repository and reviewers).
      if (m[1] !== "qa" && m[1] !== "stack" && m[1] !== SETTINGS_STACK)
        paths.add(`Pulumi.${m[1]}.yaml`);
    }
    for (const m of DOC.matchAll(/\]\((\.\.\/[^)#]+)\)/g)) paths.add(join("docs", m[1]!));
    assert.ok(paths.size > 10, [...paths].join(", "));
    assert.deepEqual(
      [...paths].filter((p) => !exists(p)),
      [],
    );
  });

  it("runs only known tools and this repository's scripts in its shell blocks", () => {
    const TOOLS = new Set(["gh", "git", "npm", "pulumi", "kubectl", "export", "cd", "eval"]);
    const commands = shellLines.flatMap((l) => l.split(/&&|\|\||;|\|/).map((c) => c.trim()));
    const unknown = commands.filter((c) => {
      const word = c.split(/\s+/)[0]!;
      return /^(commands|tools|toolchain)\//.test(word)
        ? !existsSync(join(ROOT, word))
        : !TOOLS.has(word);
    });
    assert.deepEqual(unknown, []);
    assert.ok(commands.some((c) => c.startsWith("npm run rollback -- ")));
  });

  it("sets only secrets and variables the workflows read", () => {
    const workflows = filesUnder(".github/workflows")
      .map((f) => readFileSync(join(ROOT, f), "utf8"))
      .join("\n");
    const read = new Set(
      [...workflows.matchAll(/\b(?:secrets|vars)\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!),
    );
    for (const m of workflows.matchAll(/secrets\[format\('([A-Z_]+)\{0\}', matrix\.stack\)\]/g)) {
      for (const s of STACKS) read.add(`${m[1]!}${s.toUpperCase()}`);
    }
    const set = code.flatMap((c) => {
      const m = /^gh (?:secret|variable) set ([A-Z][A-Z0-9_]*)/.exec(c);
      return m ? [m[1]!] : [];
    });
    assert.ok(set.includes("DEPLOY_ENABLED") && set.includes("GH_ADMIN_TOKEN"), set.join(" "));
    assert.deepEqual(
      set.filter((n) => !read.has(n)),
      [],
    );
  });

  it("names the repository on every gh line (after a fork gh's default is the upstream)", () => {
    const gh = (text: string) => commandsOf("delivery.md", text).filter((c) => c.words[0] === "gh");
    const unnamed = (text: string) =>
      gh(text).flatMap((c) => (namesRepository(c.words) ? [] : [c.where]));
    assert.ok(
      gh(DOC).length >= 10,
      gh(DOC)
        .map((c) => c.where)
        .join(" "),
    );
    assert.deepEqual(unnamed(DOC), []);
    const planted = [
      "```bash",
      "gh secret set PULUMI_CONFIG_PASSPHRASE --repo you/app",
      "gh variable set DEPLOY_ENABLED --body true",
      "gh repo fork OWNER/app --clone",
      "gh api -X PUT repos/you/app/actions/permissions -F enabled=true",
      "gh api -X PUT repos/{owner}/{repo}/actions/permissions -F enabled=true",
      "gh auth refresh -h github.com -s workflow",
      "```",
      "Then `gh secret set KUBECONFIG -Ryou/app < k` and `gh variable set X --body 1`.",
    ].join("\n");
    assert.deepEqual(unnamed(planted), ["delivery.md:3", "delivery.md:6", "delivery.md:9"]);
  });

  it("exports only variables bootstrap reads", () => {
    const exported = shellLines
      .filter((l) => l.startsWith("export "))
      .flatMap((l) => [...l.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]!));
    assert.ok(exported.length >= 8, exported.join(" "));
    const inUsage = (name: string) =>
      USAGE.includes(name) || STACKS.some((s) => name === `KUBECONFIG_${s.toUpperCase()}`);
    assert.deepEqual(
      exported.filter((n) => !inUsage(n)),
      [],
    );
  });

  it("links only to sections it has, from itself, the code, the workflows, actions and README", () => {
    const inPage = [...DOC.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1]!);
    const sources = [
      ...filesUnder("commands/bootstrap"),
      ...filesUnder("src/config"),
      ...filesUnder(".github"),
      "README.md",
    ];
    const outside = sources.flatMap((f) =>
      [...readFileSync(join(ROOT, f), "utf8").matchAll(/delivery\.md#([\w-]+)/g)].map(
        (m) => `${f}#${m[1]!}`,
      ),
    );
    assert.ok(outside.length > 0, "the code links to the page");
    assert.deepEqual(
      [...inPage, ...outside].filter((a) => !ANCHORS.has(a.split("#").at(-1)!)),
      [],
    );
  });

  it("walks from the fork (Actions enabled, the workflow scope) to the first prod deploy in order", () => {
    const start = DOC.indexOf("## From a fork to the first prod deploy");
    const walk = DOC.slice(start, DOC.indexOf("\n## ", start + 3));
    const milestones = [
      "gh auth refresh -h github.com -s workflow",
      "gh repo fork",
      "npm ci",
      "gh api -X PUT repos/YOU/coagents-travel/actions/permissions -F enabled=true",
      "Pulumi.dev.yaml",
      "export PULUMI_CONFIG_PASSPHRASE",
      "npm run bootstrap -- --dry-run",
      "npm run bootstrap -- --backend",
      "gh secret set GH_ADMIN_TOKEN",
      "git push",
      "nothing verified to promote yet",
      "gh variable set DEPLOY_ENABLED --body true",
      "deploy dev",
      "Approve staging, then prod",
    ];
    const at = milestones.map((m) => walk.indexOf(m));
    assert.deepEqual(
      milestones.filter((_, i) => at[i] === -1),
      [],
    );
    assert.deepEqual(
      at,
      [...at].sort((a, b) => a - b),
    );
  });
});
