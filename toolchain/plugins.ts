/**
 * The Pulumi plugins CI installs (.github/actions/setup), each checked against the SHA-256
 * recorded in toolchain/plugin-checksums.json before the CLI installs it from the file:
 *
 *   toolchain:plugin install PLUGIN VERSION   download the archive, check it, then
 *                                             `pulumi plugin install resource PLUGIN VERSION --file`
 *   toolchain:plugin record PLUGIN VERSION    download the archive and the release's published
 *                                             checksums, and write the value once both agree
 *
 * The CLI's own `--checksum` cannot do this: in v3.259 it hashes nothing on a download (every
 * value is refused) and is ignored with `--file`. TRAVEL_PLUGIN_CHECKSUMS names another
 * checksums file and TRAVEL_PLUGIN_URL another download URL template, https or file:// (a
 * mirror; the workflow tests' archives).
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CHECKSUMS_FILE = join(__dirname, "plugin-checksums.json");

export interface ChecksumTable {
  readonly comment?: string;
  /** Where an archive is downloaded from; `{asset}` is its file name. */
  readonly url: string;
  /** The release's published checksums (`{plugin}`, `{version}`), for `record`. */
  readonly checksumsUrl: string;
  /** Archive file name -> its SHA-256 (null: not recorded) and where the value came from. */
  readonly assets: Record<string, { sha256: string | null; source: string }>;
}

/** The archive's file name, as Pulumi publishes it: `pulumi-resource-<plugin>-v<version>-<os>-<arch>.tar.gz`. */
export function assetName(plugin: string, version: string, platform = runnerPlatform()): string {
  return `pulumi-resource-${plugin}-v${version.replace(/^v/, "")}-${platform}.tar.gz`;
}

/** This machine as Pulumi names platforms: linux-amd64, darwin-arm64, ... */
export function runnerPlatform(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch;
  return `${process.platform}-${arch}`;
}

export function readChecksums(file = CHECKSUMS_FILE): ChecksumTable {
  return JSON.parse(readFileSync(file, "utf8")) as ChecksumTable;
}

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The bytes at `url`: https, or file:// (a local mirror, the tests' archives). */
async function download(url: string): Promise<Buffer> {
  if (url.startsWith("file://")) return readFileSync(fileURLToPath(url));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The recorded SHA-256 of `asset`, or an error saying what to do. */
export function expectedChecksum(table: ChecksumTable, asset: string, file: string): string {
  const entry = table.assets[asset];
  if (!entry?.sha256) {
    throw new Error(
      `${file} records no SHA-256 for ${asset}${entry ? ` (${entry.source})` : ""}: ` +
        `expected one, from the release's published checksums ` +
        `(npm run --silent toolchain:plugin -- record PLUGIN VERSION, on a machine that reaches GitHub)`,
    );
  }
  return entry.sha256;
}

export interface InstallOptions {
  readonly plugin: string;
  readonly version: string;
  readonly platform?: string;
  readonly checksumsFile?: string;
  /** Overrides the table's download URL template (`{asset}`). */
  readonly url?: string;
  /** The `pulumi` to run. */
  readonly pulumi?: string;
  /**
   * Installs an archive whose SHA-256 is not recorded yet (`null` in the table), with a
   * warning naming it, instead of refusing it; a recorded value is always enforced.
   * @default false
   */
  readonly allowUnrecorded?: boolean;
  /** Where the warning goes. @default process.stderr */
  readonly warn?: (line: string) => void;
}

/**
 * Downloads the plugin's archive, refuses it unless its SHA-256 is the recorded one, and
 * installs exactly that file. Returns the checked digest.
 */
export async function installPlugin(o: InstallOptions): Promise<string> {
  const file = o.checksumsFile ?? CHECKSUMS_FILE;
  const table = readChecksums(file);
  const asset = assetName(o.plugin, o.version, o.platform);
  const unrecorded = o.allowUnrecorded === true && !table.assets[asset]?.sha256;
  const expected = unrecorded ? undefined : expectedChecksum(table, asset, file);
  const url = fill(o.url ?? table.url, { asset });
  const data = await download(url);
  const actual = sha256(data);
  if (expected === undefined) {
    (o.warn ?? ((line) => process.stderr.write(`${line}\n`)))(
      `::warning::${asset}: installed UNVERIFIED (SHA-256 ${actual}): ${file} records no ` +
        `value for it yet; record it from the release's published checksums ` +
        `(npm run --silent toolchain:plugin -- record ${o.plugin} ${o.version}, on a machine that reaches GitHub)`,
    );
  } else if (actual !== expected) {
    throw new Error(
      `${asset} from ${url} has SHA-256 ${actual}, but ${file} records ${expected}: not installed ` +
        `(a changed or corrupted download; if the release was really re-published, record it again)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "travel-plugin-"));
  try {
    const archive = join(dir, asset);
    writeFileSync(archive, data);
    const args = ["plugin", "install", "resource", o.plugin, o.version, "--file", archive];
    const r = spawnSync(o.pulumi ?? "pulumi", args, { stdio: "inherit" });
    if (r.status !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return actual;
}

/**
 * Records the SHA-256 of the plugin's archive once the downloaded archive hashes to the value
 * the release publishes for it (goreleaser's `<project>_<version>_checksums.txt`).
 */
export async function recordPlugin(
  o: Omit<InstallOptions, "pulumi"> & { readonly checksumsUrl?: string },
): Promise<string> {
  const file = o.checksumsFile ?? CHECKSUMS_FILE;
  const table = readChecksums(file);
  const asset = assetName(o.plugin, o.version, o.platform);
  const version = o.version.replace(/^v/, "");
  const sumsUrl = fill(o.checksumsUrl ?? table.checksumsUrl, { plugin: o.plugin, version });
  const published = (await download(sumsUrl))
    .toString("utf8")
    .split("\n")
    .map((l) => l.trim().split(/\s+\*?/))
    .find(([, name]) => name === asset)?.[0];
  if (!published) throw new Error(`${sumsUrl} lists no checksum for ${asset}`);
  const url = fill(o.url ?? table.url, { asset });
  const actual = sha256(await download(url));
  if (actual !== published) {
    throw new Error(
      `${asset} from ${url} has SHA-256 ${actual}, but ${sumsUrl} publishes ${published}`,
    );
  }
  const assets = { ...table.assets, [asset]: { sha256: actual, source: sumsUrl } };
  const sorted = Object.fromEntries(Object.entries(assets).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify({ ...table, assets: sorted }, null, 2)}\n`);
  return actual;
}

async function main(argv: string[]): Promise<void> {
  const allowUnrecorded = argv.includes("--allow-unrecorded");
  const [command, plugin, version] = argv.filter((a) => a !== "--allow-unrecorded");
  if ((command !== "install" && command !== "record") || !plugin || !version) {
    throw new Error(
      "usage: toolchain:plugin install [--allow-unrecorded] PLUGIN VERSION | record PLUGIN VERSION",
    );
  }
  const opts = {
    plugin,
    version,
    allowUnrecorded,
    checksumsFile: process.env.TRAVEL_PLUGIN_CHECKSUMS || undefined,
    url: process.env.TRAVEL_PLUGIN_URL || undefined,
  };
  const digest = command === "install" ? await installPlugin(opts) : await recordPlugin(opts);
  process.stderr.write(
    `[toolchain] ${assetName(plugin, version)}: sha256 ${digest} (${command}ed)\n`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
