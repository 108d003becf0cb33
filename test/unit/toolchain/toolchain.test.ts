/**
 * The toolchain's choice between installed tools and builds, with stub binaries that
 * report versions (nothing is built), and the go.mod reader every pin goes through.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { binaryPath, isComplete, pinOf, TOOLCHAIN } from "../../../toolchain/build";
import { commentValue, readPin, requiredVersion, sourcesPin } from "../../../toolchain/gomod";
import {
  accepts,
  decide,
  describe as line,
  modeFrom,
  select,
  type SelectContext,
} from "../../../toolchain/select";
import { expand, toolNamed } from "../../../toolchain/tools";

const say = (text: string) => `printf '%s\\n' '${text.replace(/'/g, `'\\''`)}'`;

/**
 * A folder of executables, each printing `out` always or per first argument. They use
 * shell builtins only, so the tests can set PATH to the stubs alone.
 */
function stubs(bins: Record<string, string | Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), "toolchain-stubs-"));
  for (const [name, out] of Object.entries(bins)) {
    const body =
      typeof out === "string"
        ? `${say(out)}\n`
        : `case "$1" in\n${Object.entries(out)
            .map(([arg, text]) => `  ${arg}) ${say(text)} ;;`)
            .join("\n")}\n  *) exit 3 ;;\nesac\n`;
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const root = () => mkdtempSync(join(tmpdir(), "toolchain-cache-"));
const ctx = (path: string, extra: Partial<SelectContext> = {}): SelectContext => ({
  mode: "auto",
  env: { PATH: path },
  root: root(),
  ...extra,
});

const PULUMI_PIN = pinOf(toolNamed("pulumi"));
const KUBE_PIN = pinOf(toolNamed("kubernetes"));

describe("toolchain: installed or built", () => {
  it("uses an installed Pulumi CLI at or above the pin, with its language host beside it", () => {
    const dir = stubs({ pulumi: { version: "v3.300.1" }, "pulumi-language-nodejs": "" });
    const c = decide(toolNamed("pulumi"), ctx(dir));
    assert.equal(c.source, "installed");
    assert.equal(c.dir, dir);
    assert.equal(c.why, `${dir}/pulumi is v3.300.1, >= the pin`);
    assert.equal(
      line(c),
      `pulumi ${PULUMI_PIN} (Pulumi CLI and Node.js language host): installed: ${c.why}`,
    );
  });

  it("builds the CLI when the installed one is older than the pin", () => {
    const dir = stubs({ pulumi: { version: "v3.100.0" }, "pulumi-language-nodejs": "" });
    const c = decide(toolNamed("pulumi"), ctx(dir));
    assert.equal(c.source, "built");
    assert.equal(c.cached, false);
    assert.equal(c.why, `${dir}/pulumi is v3.100.0, not >= the pin`);
  });

  it("builds the CLI when no language host sits beside the installed one", () => {
    const dir = stubs({ pulumi: { version: "v3.300.0" } });
    const c = decide(toolNamed("pulumi"), ctx(dir));
    assert.equal(c.source, "built");
    assert.equal(c.why, `${dir}/pulumi is v3.300.0 but pulumi-language-nodejs is not beside it`);
  });

  it("takes a provider plugin only at its exact version, as `pulumi plugin ls` reports it", () => {
    const plugins = (v: string) =>
      stubs({
        pulumi: { plugin: JSON.stringify([{ name: "kubernetes", kind: "resource", version: v }]) },
      });
    const tool = toolNamed("pulumi-resource-kubernetes");
    const pin = pinOf(tool).slice(1);
    const have = plugins(pin);
    const ok = decide(tool, ctx(have, { pulumi: join(have, "pulumi") }));
    assert.equal(ok.source, "installed");
    assert.equal(ok.why, `pulumi plugin ls has resource kubernetes ${pin}`);
    const old = plugins("4.1.0");
    const no = decide(tool, ctx(old, { pulumi: join(old, "pulumi") }));
    assert.equal(no.source, "built");
    assert.equal(no.why, "pulumi plugin ls has only 4.1.0");
  });

  it("accepts kubectl within one minor version of the pin (the skew policy)", () => {
    const [maj, min] = KUBE_PIN.slice(1).split(".").map(Number) as [number, number];
    const at = (v: string) =>
      decide(toolNamed("kubectl"), ctx(stubs({ kubectl: { version: `Client Version: ${v}` } })));
    assert.equal(at(`v${maj}.${min - 1}.9`).source, "installed");
    assert.equal(at(`v${maj}.${min + 1}.0`).source, "installed");
    const far = at(`v${maj}.${min - 2}.0`);
    assert.equal(far.source, "built");
    assert.match(far.why, /is v\d+\.\d+\.0, not within one minor of the pin$/);
  });

  it("takes the control plane only at the exact pin and only with all three binaries", () => {
    const kube = (
      v: string,
      names = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"],
    ) =>
      decide(
        toolNamed("kubernetes"),
        ctx(stubs(Object.fromEntries(names.map((n) => [n, `Kubernetes ${v}`])))),
      );
    assert.equal(kube(KUBE_PIN).source, "installed");
    assert.equal(kube("v1.0.0").source, "built");
    const partial = kube(KUBE_PIN, ["kube-apiserver"]);
    assert.equal(partial.source, "built");
    assert.match(partial.why, /but kube-controller-manager, kube-scheduler is not beside it$/);
  });

  it("never counts the toolchain's own cache as installed", () => {
    const cache = root();
    const bin = join(cache, "somewhere", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "kubectl"), `#!/bin/sh\n${say(`Client Version: ${KUBE_PIN}`)}\n`, {
      mode: 0o755,
    });
    const c = decide(toolNamed("kubectl"), { mode: "auto", env: { PATH: bin }, root: cache });
    assert.equal(c.source, "built");
    assert.equal(c.why, "no kubectl on PATH");
  });

  it("reports a complete cached build as cached", () => {
    const cache = root();
    const bin = join(cache, `kubectl-${KUBE_PIN}`, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "kubectl"), `#!/bin/sh\n${say(`Client Version: ${KUBE_PIN}`)}\n`, {
      mode: 0o755,
    });
    const c = decide(toolNamed("kubectl"), {
      mode: "build",
      env: { PATH: "/nonexistent" },
      root: cache,
    });
    assert.deepEqual([c.source, c.cached, c.why], ["built", true, "TRAVEL_TOOLCHAIN=build"]);
    assert.match(line(c), /: built, cached in .*kubectl-v[\d.]+\/bin: TRAVEL_TOOLCHAIN=build$/);
  });

  it("TRAVEL_TOOLCHAIN=build builds even what is installed", () => {
    const dir = stubs({ kubectl: { version: `Client Version: ${KUBE_PIN}` } });
    assert.equal(decide(toolNamed("kubectl"), ctx(dir, { mode: "build" })).source, "built");
  });

  it("TRAVEL_TOOLCHAIN=installed lists everything missing at once and builds nothing", () => {
    const dir = stubs({ kubectl: { version: "Client Version: v0.1.0" } });
    const cache = root();
    const lines: string[] = [];
    assert.throws(
      () =>
        select(expand(["pulumi", "kubectl"]), {
          env: { PATH: dir, TRAVEL_TOOLCHAIN: "installed" },
          root: cache,
          log: (l) => lines.push(l),
        }),
      (err: Error) => {
        assert.equal(
          err.message,
          "TRAVEL_TOOLCHAIN=installed, but 4 tool(s) are not installed at a usable version:\n" +
            `  - pulumi ${PULUMI_PIN}: no pulumi on PATH\n` +
            `  - pulumi-resource-kubernetes ${pinOf(toolNamed("pulumi-resource-kubernetes"))}: no Pulumi CLI to list installed plugins\n` +
            `  - pulumi-resource-docker-build ${pinOf(toolNamed("pulumi-resource-docker-build"))}: no Pulumi CLI to list installed plugins\n` +
            `  - kubectl ${KUBE_PIN}: ${dir}/kubectl is v0.1.0, not within one minor of the pin`,
        );
        return true;
      },
    );
    assert.deepEqual(readdirSync(cache), []);
    assert.deepEqual(lines, []);
  });

  it("refuses an unknown mode, naming the variable, the value and the choices", () => {
    assert.throws(() => modeFrom({ TRAVEL_TOOLCHAIN: "sometimes" }), {
      message: 'TRAVEL_TOOLCHAIN = "sometimes": expected one of auto, installed, build',
    });
    assert.equal(modeFrom({}), "auto");
  });

  it("compares versions by the rule of the table", () => {
    assert.ok(accepts("atLeast", "v3.260.0", "v3.259.0"));
    assert.ok(accepts("atLeast", "v4.0.0", "v3.259.0"));
    assert.ok(!accepts("atLeast", "v3.258.9", "v3.259.0"));
    assert.ok(accepts("exact", "v1.35.4", "v1.35.4"));
    assert.ok(!accepts("exact", "v1.35.5", "v1.35.4"));
    assert.ok(!accepts("minorSkew", "v2.35.4", "v1.35.4"));
  });
});

describe("toolchain: the Node.js language host of the built CLI", () => {
  const pulumi = toolNamed("pulumi");
  const hosts = pulumi.binaries.filter((b) => b.name === "pulumi-language-nodejs");
  const WRAPPER = "pulumi-language-nodejs-wrapper";

  it("puts our wrapper beside the CLI and the v3.68 host off PATH, in libexec", () => {
    assert.deepEqual(
      hosts.map((b) => [b.dir, b.folder, b.pkg, b.version]),
      [
        [WRAPPER, undefined, ".", { sources: true }],
        [
          "pulumi-language-nodejs",
          "libexec",
          "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
          { module: "github.com/pulumi/pulumi/sdk/v3" },
        ],
      ],
    );
    assert.equal(pinOf(pulumi, hosts[1]), "v3.68.0");
    assert.deepEqual(
      hosts.map((b) => binaryPath("/cache/pulumi-v3", b)),
      [
        "/cache/pulumi-v3/bin/pulumi-language-nodejs",
        "/cache/pulumi-v3/libexec/pulumi-language-nodejs",
      ],
    );
  });

  it("pins the wrapper to a hash of its sources, which its probe reads back", () => {
    const pin = pinOf(pulumi, hosts[0]);
    assert.equal(pin, sourcesPin(join(TOOLCHAIN, WRAPPER)));
    assert.match(pin, /^v0\.0\.0-src-[0-9a-f]{12}$/);
    assert.equal(hosts[0]!.probe?.pattern.exec(`${pin}\n`)?.[1], pin);
  });

  it("changes the sources pin with go.mod, go.sum or a .go file, not with tests or docs", () => {
    const dir = mkdtempSync(join(tmpdir(), "sources-"));
    writeFileSync(join(dir, "go.mod"), "module example.com/w\n");
    writeFileSync(join(dir, "main.go"), "package main\n");
    const first = sourcesPin(dir);
    writeFileSync(join(dir, "main_test.go"), "package main\n");
    writeFileSync(join(dir, "README.md"), "notes\n");
    assert.equal(sourcesPin(dir), first);
    writeFileSync(join(dir, "main.go"), "package main\n\nfunc init() {}\n");
    const second = sourcesPin(dir);
    assert.notEqual(second, first);
    writeFileSync(join(dir, "go.sum"), "");
    assert.notEqual(sourcesPin(dir), second);
  });

  it("counts a build complete only with both hosts, each at its pin", () => {
    const pin = sourcesPin(join(TOOLCHAIN, WRAPPER));
    const tool = {
      name: "t",
      purpose: "test",
      dir: WRAPPER,
      version: { sources: true as const },
      binaries: [
        { name: "h", pkg: ".", probe: { argv: ["{bin}"], pattern: /(v\S+)/ } },
        { name: "h", folder: "libexec", pkg: ".", probe: { argv: ["{bin}"], pattern: /(v\S+)/ } },
      ],
    };
    const dest = root();
    const put = (folder: string, version: string) => {
      mkdirSync(join(dest, folder), { recursive: true });
      writeFileSync(join(dest, folder, "h"), `#!/bin/sh\n${say(version)}\n`, { mode: 0o755 });
    };
    put("bin", pin);
    assert.equal(isComplete(tool, dest), false, "the libexec host is missing");
    put("libexec", pin);
    assert.equal(isComplete(tool, dest), true);
    put("bin", "v0.0.0-src-000000000000");
    assert.equal(isComplete(tool, dest), false, "the wrapper was built from other sources");
  });

  it("needs nothing of ours beside an installed CLI: only its own language host", () => {
    const dir = stubs({ pulumi: { version: "v3.259.0" }, "pulumi-language-nodejs": "" });
    const c = decide(pulumi, ctx(dir));
    assert.deepEqual([c.source, c.dir], ["installed", dir]);
  });
});

describe("toolchain: go.mod pins", () => {
  const gomod = [
    "module example.com/wrapper",
    "require example.com/single v1.2.3",
    "require (",
    "\texample.com/block v0.4.0 // indirect",
    "\texample.com/other v2.0.0+incompatible",
    ")",
    "replace example.com/block => example.com/block v9.9.9",
    "tool example.com/single/cmd/x",
    "// plugin-version: v4.25.0",
  ].join("\n");

  it("reads single-line and block requires, never replaces", () => {
    assert.equal(requiredVersion(gomod, "example.com/single"), "v1.2.3");
    assert.equal(requiredVersion(gomod, "example.com/block"), "v0.4.0");
    assert.equal(requiredVersion(gomod, "example.com/other"), "v2.0.0+incompatible");
    assert.equal(requiredVersion(gomod, "example.com/missing"), undefined);
  });

  it("reads a comment pin", () => {
    assert.equal(commentValue(gomod, "plugin-version"), "v4.25.0");
    assert.equal(commentValue(gomod, "other-version"), undefined);
  });

  it("names the file and what it expected when a pin is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "gomod-"));
    writeFileSync(join(dir, "go.mod"), gomod);
    assert.throws(() => readPin(join(dir, "go.mod"), { module: "example.com/missing" }), {
      message: `${dir}/go.mod: expected a require of example.com/missing with a version, found none`,
    });
  });

  it("every tool of the table has a readable pin", () => {
    for (const t of expand(["pulumi", "environment", "lint"]))
      assert.match(pinOf(t), /^v\d+\.\d+\.\d+/, t.name);
  });
});
