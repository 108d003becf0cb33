/**
 * Secret values go in on standard input, never on a command line, where any process of
 * the machine can read them and shells keep them: no `pulumi config set` of a secret
 * with a value after its key and no `gh secret set` with `--body` or a value, anywhere
 * users are told what to run or the code runs it (README and every page, the commands,
 * the workflows and their action, the tools, the tests). The scanner
 * (test/support/command-lines.ts) is shown to catch planted examples of each form.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { commandsOf, secretOnCommandLine } from "../support/command-lines";

const ROOT = join(__dirname, "..", "..");
/** This file plants bad examples; it is the one file not scanned. */
const SELF = relative(ROOT, __filename);
const KINDS = /\.(md|ts|ya?ml|sh)$/;

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir === "" ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) return ["node_modules", ".git"].includes(e.name) ? [] : filesUnder(path);
    return e.isFile() && KINDS.test(e.name) ? [path] : [];
  });
}

/** The problems of one text: `where: why: the command`. */
const problems = (file: string, text: string) =>
  commandsOf(file, text).flatMap((c) => {
    const why = secretOnCommandLine(c.words);
    return why === undefined ? [] : [`${c.where}: ${why}: ${c.words.join(" ")}`];
  });

describe("secret values on command lines", () => {
  const files = filesUnder("").filter((f) => f !== SELF);
  const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));

  it("reads README, docs, commands, workflows, the setup action, tools and tests", () => {
    for (const want of [
      "README.md",
      "docs/delivery.md",
      "commands/bootstrap/actions.ts",
      "commands/bootstrap/manual.ts",
      ".github/workflows/deploy.yml",
      ".github/actions/setup/action.yml",
      "tools/local-stack.sh",
      "test/support/e2e/project.ts",
    ]) {
      assert.ok(texts.has(want), want);
    }
    // The scanner sees the commands that set secrets where they are written.
    const setting = [...texts].flatMap(([f, t]) =>
      commandsOf(f, t).filter((c) => /config set .*--secret|secret set/.test(c.words.join(" "))),
    );
    const where = new Set(setting.map((c) => c.where.split("/")[0]!.split(":")[0]!));
    for (const place of ["README.md", "docs", "commands", "tools", "test"]) {
      assert.ok(where.has(place), `${place}: ${[...where].join(", ")}`);
    }
  });

  it("finds none", () => {
    assert.deepEqual(
      [...texts].flatMap(([f, t]) => problems(f, t)),
      [],
    );
  });

  it("fails on planted examples in every form, and passes their stdin forms", () => {
    const md = [
      "```bash",
      'pulumi config set --secret registryToken "$TOKEN" -s dev',
      "printf '%s' \"$TOKEN\" | pulumi config set --secret registryToken -s dev",
      "```",
      "",
      "1. Then:",
      "   ```bash",
      '   gh secret set KUBECONFIG --body "$(cat k)" --repo a/b',
      "   gh secret set KUBECONFIG --repo a/b < k",
      "   ```",
      "",
      "Rotate with `pulumi config set --path appSecrets.X <value> -s prod` or",
      "`pulumi config set --secret --path appSecrets.X -s prod < key.txt`.",
    ].join("\n");
    assert.deepEqual(problems("planted.md", md), [
      `planted.md:2: a secret's value after its key: pulumi config set --secret registryToken "$TOKEN" -s dev`,
      `planted.md:8: a secret's value in --body: gh secret set KUBECONFIG --body "$(cat k)" --repo a/b`,
      "planted.md:12: a secret's value after its key: pulumi config set --path appSecrets.X <value> -s prod",
    ]);
    const ts = [
      'run(["config", "set", "--secret", "--stack", stack, "kubeconfig", value]);',
      'run(["config", "set", "--secret", "--stack", stack, "kubeconfig", "--"], { input: value });',
      "const line = `gh secret set GH_ADMIN_TOKEN ${token} --repo ${repo}`;",
      "const ok = `gh secret set GH_ADMIN_TOKEN --repo ${repo}`;",
    ].join("\n");
    assert.deepEqual(problems("planted.ts", ts), [
      "planted.ts:1: a secret's value after its key: config set --secret --stack <expr> kubeconfig <expr>",
      "planted.ts:3: a secret's value after its name: gh secret set GH_ADMIN_TOKEN <expr> --repo <expr>",
    ]);
    const yml = [
      "      - run: |",
      '          pulumi config set travel:registryPullToken "$PULL" --stack "$STACK"',
      '          gh secret set -b"$K" KUBECONFIG',
      '          pulumi config set --secret --stack "$STACK" registryPullToken <<<"$PULL"',
    ].join("\n");
    assert.deepEqual(problems("planted.yml", yml), [
      `planted.yml:2: a secret's value after its key: pulumi config set travel:registryPullToken "$PULL" --stack "$STACK"`,
      `planted.yml:3: a secret's value in --body: gh secret set -b"$K" KUBECONFIG`,
    ]);
  });
});
