/**
 * The plugin archives CI installs are checked against the SHA-256 recorded in
 * toolchain/plugin-checksums.json (toolchain/plugins.ts): a real HTTP server on this
 * machine serves a real archive, a stub `pulumi` records what it was asked to install.
 * A mismatch or a missing record installs nothing; `record` writes a value only when the
 * archive hashes to what the release publishes. The committed table covers every plugin
 * at the version CI installs.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  assetName,
  installPlugin,
  readChecksums,
  recordPlugin,
  type ChecksumTable,
} from "../../../toolchain/plugins";
import { pinOf } from "../../../toolchain/build";
import { toolNamed } from "../../../toolchain/tools";

const PLATFORM = "linux-amd64";
const ASSET = assetName("fake", "1.2.3", PLATFORM);
const dir = mkdtempSync(join(tmpdir(), "plugins-test-"));
const files: Record<string, Buffer> = {};
let server: Server;
let base = "";

// A real plugin archive: a tarball holding an executable pulumi-resource-fake.
const pkg = join(dir, "pkg");
execFileSync("mkdir", ["-p", pkg]);
writeFileSync(join(pkg, "pulumi-resource-fake"), "#!/bin/sh\necho fake\n", { mode: 0o755 });
execFileSync("tar", ["-C", pkg, "-czf", join(dir, ASSET), "pulumi-resource-fake"]);
const ARCHIVE = readFileSync(join(dir, ASSET));
const DIGEST = createHash("sha256").update(ARCHIVE).digest("hex");
const OTHER = createHash("sha256").update("something else").digest("hex");

// A stub pulumi: logs its arguments and the SHA-256 of the file it was given.
const LOG = join(dir, "pulumi.log");
const PULUMI = join(dir, "pulumi");
writeFileSync(PULUMI, `#!/bin/sh\necho "$*" >>"${LOG}"\nsha256sum "$7" | cut -c1-64 >>"${LOG}"\n`);
chmodSync(PULUMI, 0o755);

function table(sha256: string | null): string {
  const file = join(dir, `checksums-${Math.random().toString(16).slice(2)}.json`);
  const t: ChecksumTable = {
    url: `${base}/plugins/{asset}`,
    checksumsUrl: `${base}/releases/pulumi-{plugin}_{version}_checksums.txt`,
    assets: { [ASSET]: { sha256, source: "test" } },
  };
  writeFileSync(file, JSON.stringify(t));
  return file;
}

const install = (checksumsFile: string) =>
  installPlugin({
    plugin: "fake",
    version: "1.2.3",
    platform: PLATFORM,
    checksumsFile,
    pulumi: PULUMI,
  });
const pulumiLog = () => (existsSync(LOG) ? readFileSync(LOG, "utf8") : "");

before(async () => {
  server = createServer((req, res) => {
    const body = files[req.url ?? ""];
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
  files[`/plugins/${ASSET}`] = ARCHIVE;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("toolchain:plugin install", () => {
  it("installs the downloaded archive, that very file, when its SHA-256 is the recorded one", async () => {
    rmSync(LOG, { force: true });
    assert.equal(await install(table(DIGEST)), DIGEST);
    const [args, given] = pulumiLog().trim().split("\n");
    assert.match(
      args!,
      /^plugin install resource fake 1\.2\.3 --file \S+\/pulumi-resource-fake-v1\.2\.3-linux-amd64\.tar\.gz$/,
    );
    assert.equal(given, DIGEST);
  });

  it("takes the archive from a file:// mirror the same way", async () => {
    rmSync(LOG, { force: true });
    const url = `${pathToFileURL(dir).href}/{asset}`;
    const opts = { plugin: "fake", version: "1.2.3", platform: PLATFORM, pulumi: PULUMI, url };
    assert.equal(await installPlugin({ ...opts, checksumsFile: table(DIGEST) }), DIGEST);
    assert.equal(pulumiLog().trim().split("\n")[1], DIGEST);
    await assert.rejects(installPlugin({ ...opts, checksumsFile: table(OTHER) }), /not installed/);
  });

  it("refuses an archive whose SHA-256 differs, and installs nothing", async () => {
    rmSync(LOG, { force: true });
    const file = table(OTHER);
    await assert.rejects(install(file), {
      message:
        `${ASSET} from ${base}/plugins/${ASSET} has SHA-256 ${DIGEST}, but ${file} records ${OTHER}: ` +
        "not installed (a changed or corrupted download; if the release was really re-published, record it again)",
    });
    assert.equal(pulumiLog(), "");
  });

  it("refuses a plugin whose checksum is not recorded, before downloading anything", async () => {
    rmSync(LOG, { force: true });
    const file = table(null);
    await assert.rejects(install(file), {
      message:
        `${file} records no SHA-256 for ${ASSET} (test): expected one, from the release's published ` +
        "checksums (npm run --silent toolchain:plugin -- record PLUGIN VERSION, on a machine that reaches GitHub)",
    });
    assert.equal(pulumiLog(), "");
  });

  it("installs an unrecorded archive only when allowed, warning with its digest", async () => {
    rmSync(LOG, { force: true });
    const file = table(null);
    const warnings: string[] = [];
    const opts = { plugin: "fake", version: "1.2.3", platform: PLATFORM, pulumi: PULUMI };
    const warn = (line: string) => warnings.push(line);
    await assert.rejects(
      installPlugin({ ...opts, checksumsFile: file, warn }),
      /records no SHA-256/,
    );
    assert.equal(pulumiLog(), "");
    const got = await installPlugin({ ...opts, checksumsFile: file, allowUnrecorded: true, warn });
    assert.equal(got, DIGEST);
    assert.equal(pulumiLog().trim().split("\n")[1], DIGEST);
    assert.deepEqual(warnings, [
      `::warning::${ASSET}: installed UNVERIFIED (SHA-256 ${DIGEST}): ${file} records no value ` +
        "for it yet; record it from the release's published checksums " +
        "(npm run --silent toolchain:plugin -- record fake 1.2.3, on a machine that reaches GitHub)",
    ]);
    // A recorded value is enforced even when unrecorded ones are allowed.
    await assert.rejects(
      installPlugin({ ...opts, checksumsFile: table(OTHER), allowUnrecorded: true, warn }),
      /not installed/,
    );
  });

  it("fails on a download the server refuses", async () => {
    const file = table(DIGEST);
    await assert.rejects(
      installPlugin({ plugin: "fake", version: "9.9.9", platform: PLATFORM, checksumsFile: file }),
      /records no SHA-256 for pulumi-resource-fake-v9\.9\.9-linux-amd64\.tar\.gz/,
    );
    await assert.rejects(
      installPlugin({
        ...{ plugin: "fake", version: "1.2.3", platform: PLATFORM },
        checksumsFile: file,
        url: `${base}/missing/{asset}`,
      }),
      { message: `GET ${base}/missing/${ASSET} answered HTTP 404` },
    );
  });
});

describe("toolchain:plugin record", () => {
  const record = (checksumsFile: string) =>
    recordPlugin({ plugin: "fake", version: "1.2.3", platform: PLATFORM, checksumsFile });

  it("records the value the release publishes once the archive hashes to it", async () => {
    files["/releases/pulumi-fake_1.2.3_checksums.txt"] = Buffer.from(
      `${OTHER}  pulumi-resource-fake-v1.2.3-darwin-arm64.tar.gz\n${DIGEST}  ${ASSET}\n`,
    );
    const file = table(null);
    assert.equal(await record(file), DIGEST);
    assert.deepEqual(readChecksums(file).assets[ASSET], {
      sha256: DIGEST,
      source: `${base}/releases/pulumi-fake_1.2.3_checksums.txt`,
    });
  });

  it("writes nothing when the archive and the published value differ", async () => {
    files["/releases/pulumi-fake_1.2.3_checksums.txt"] = Buffer.from(`${OTHER}  ${ASSET}\n`);
    const file = table(null);
    const before = readFileSync(file, "utf8");
    await assert.rejects(record(file), {
      message: `${ASSET} from ${base}/plugins/${ASSET} has SHA-256 ${DIGEST}, but ${base}/releases/pulumi-fake_1.2.3_checksums.txt publishes ${OTHER}`,
    });
    assert.equal(readFileSync(file, "utf8"), before);
  });
});

describe("toolchain/plugin-checksums.json", () => {
  const committed = readChecksums();
  const pkgJson = JSON.parse(
    readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8"),
  );
  // What the setup action installs: the toolchain table's provider pins and @pulumi/github's version.
  const installed = [
    assetName("kubernetes", pinOf(toolNamed("pulumi-resource-kubernetes")), PLATFORM),
    assetName("docker-build", pinOf(toolNamed("pulumi-resource-docker-build")), PLATFORM),
    assetName("github", pkgJson.dependencies["@pulumi/github"], PLATFORM),
  ].sort();

  it("has an entry for exactly the archives CI installs, each a SHA-256 or not recorded", () => {
    assert.deepEqual(Object.keys(committed.assets).sort(), installed);
    for (const [asset, { sha256, source }] of Object.entries(committed.assets)) {
      assert.ok(sha256 === null || /^[0-9a-f]{64}$/.test(sha256), asset);
      assert.ok(source.length > 0, `${asset}: where the value came from`);
    }
    assert.equal(committed.url, "https://get.pulumi.com/releases/plugins/{asset}");
  });

  it("names the archives still without a recorded checksum (installing them fails in CI)", () => {
    const missing = Object.entries(committed.assets)
      .filter(([, e]) => e.sha256 === null)
      .map(([a]) => a);
    assert.deepEqual(missing, [
      "pulumi-resource-docker-build-v0.0.22-linux-amd64.tar.gz",
      "pulumi-resource-kubernetes-v4.25.0-linux-amd64.tar.gz",
    ]);
  });
});
