/**
 * README's Layout is the map a newcomer starts from: every path it names exists, and it
 * names every top-level folder and every folder of src/.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const ROOT = join(__dirname, "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const layout = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";

/** The path each line starts with, braces expanded: `Pulumi.{a,b}.yaml` -> two paths. */
const named = layout
  .split("\n")
  .filter(Boolean)
  .flatMap((line) => {
    const path = line.split(/\s+/)[0]!;
    const brace = /\{([^}]+)\}/.exec(path);
    return brace ? brace[1]!.split(",").map((x) => path.replace(brace[0], x)) : [path];
  });

const folders = (dir: string) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !["node_modules", ".git"].includes(d.name))
    .map((d) => `${dir ? `${dir}/` : ""}${d.name}/`);

describe("README's Layout", () => {
  it("names only paths that exist", () => {
    assert.ok(named.length > 15, named.join(", "));
    assert.deepEqual(
      named.filter((p) => !existsSync(join(ROOT, p))),
      [],
    );
  });

  it("names every top-level folder and every folder of src/", () => {
    const want = [...folders(""), ...folders("src")];
    assert.ok(want.includes("src/images/"), want.join(", "));
    assert.deepEqual(
      want.filter((f) => !named.some((p) => p.startsWith(f))),
      [],
    );
  });

  it("says where the image tag is decided, where the promotion gate is, where a rollout is awaited and how containerd starts", () => {
    for (const [what, where] of [
      ["the tag is the git SHA", "source-revision.ts"],
      ["the promotion gate", "promotion.ts"],
      ["the rollout await", "rollout-await.ts"],
      ["starts containerd", "node.ts"],
    ]) {
      const line = layout.split("\n").find((l) => l.includes(what!));
      assert.ok(line?.includes(where!), `${what}: ${line}`);
    }
  });
});
