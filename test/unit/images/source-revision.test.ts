import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { sourceRevision } from "../../../src/images/source-revision";

describe("source revision", () => {
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  const git = (dir: string, ...args: string[]) =>
    execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
  const repo = () => {
    const dir = mkdtempSync(join(tmpdir(), "travel-src-"));
    git(dir, "init", "-q");
    git(dir, "config", "user.email", "t@example.invalid");
    git(dir, "config", "user.name", "t");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "init");
    return dir;
  };

  it("takes CI's commit for a context that is not a git checkout", () => {
    const dir = mkdtempSync(join(tmpdir(), "travel-nogit-"));
    assert.equal(sourceRevision(dir, { allowDirty: false, env: { GITHUB_SHA: SHA } }), SHA);
  });

  it("tags with the checkout's HEAD, and refuses a CI commit of another repository", () => {
    const dir = repo();
    const head = git(dir, "rev-parse", "HEAD");
    assert.equal(sourceRevision(dir, { allowDirty: false, env: { GITHUB_SHA: head } }), head);
    assert.throws(() => sourceRevision(dir, { allowDirty: false, env: { GITHUB_SHA: SHA } }), {
      message:
        `GITHUB_SHA=${SHA} names another commit than the build context's checkout ("${dir}" is at ${head}): ` +
        `refusing to label its image with a commit it was not built from; check out ${SHA} there, or unset GITHUB_SHA`,
    });
  });

  it("refuses an abbreviated CI SHA", () => {
    assert.throws(() => sourceRevision(".", { allowDirty: false, env: { GITHUB_SHA: "abc123" } }), {
      message: 'GITHUB_SHA="abc123" is not a full 40-character lowercase git SHA',
    });
  });

  it("uses the context's HEAD when clean", () => {
    const dir = repo();
    assert.equal(
      sourceRevision(dir, { allowDirty: false, env: {} }),
      git(dir, "rev-parse", "HEAD"),
    );
  });

  it("refuses a dirty context, or marks the tag when allowed", () => {
    const dir = repo();
    const head = git(dir, "rev-parse", "HEAD");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nLABEL x=y\n");
    assert.throws(() => sourceRevision(dir, { allowDirty: false, env: {} }), {
      message: `the build context "${dir}" has uncommitted changes at ${head}; commit them, or set images.allowDirty to true to tag the image "${head}-dirty-<hash>"`,
    });
    const tag = sourceRevision(dir, { allowDirty: true, env: {} });
    assert.match(tag, new RegExp(`^${head}-dirty-[0-9a-f]{12}$`));
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nLABEL x=z\n");
    assert.notEqual(sourceRevision(dir, { allowDirty: true, env: {} }), tag);
  });

  it("explains a context outside git", () => {
    const dir = mkdtempSync(join(tmpdir(), "travel-nogit-"));
    assert.throws(
      () => sourceRevision(dir, { allowDirty: false, env: {} }),
      (err: Error) =>
        err.message.startsWith(
          `cannot tag the image built from "${dir}": it is not inside a git checkout`,
        ),
    );
  });
});
