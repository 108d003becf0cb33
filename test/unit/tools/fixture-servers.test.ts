/**
 * The stand-in servers' compile (fixtures/app/compile.ts): kept per Go version and Go
 * sources, so a copy with other messages reuses them and a change to the code does not.
 */
import assert from "node:assert/strict";
import { appendFileSync, cpSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { compileFixtureServers, SERVERS, sourceKey } from "../../../fixtures/app/compile";

const APP = join(__dirname, "..", "..", "..", "fixtures", "app");

describe("the stand-in servers' compile", () => {
  const dir = mkdtempSync(join(tmpdir(), "travel-fixture-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const copy = (name: string) => {
    const d = join(dir, name);
    cpSync(APP, d, { recursive: true });
    return d;
  };

  it("puts an executable server in each build context", () => {
    const d = copy("a");
    compileFixtureServers(d);
    for (const w of SERVERS) {
      const s = statSync(join(d, w, "server"));
      assert.ok(s.size > 1_000_000, `${w}/server is ${s.size} bytes`);
      assert.equal(s.mode & 0o111, 0o111, `${w}/server is executable`);
    }
  });

  it("keeps them for other copies whose messages differ, not for a change to the code", () => {
    const a = copy("b");
    const b = copy("c");
    writeFileSync(join(b, "frontend", "message"), "another message\n");
    assert.equal(sourceKey(b), sourceKey(a));
    appendFileSync(join(b, "internal", "fixture", "fixture.go"), "\n// changed\n");
    assert.notEqual(sourceKey(b), sourceKey(a));
  });
});
