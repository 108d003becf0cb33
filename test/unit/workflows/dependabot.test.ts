/**
 * .github/dependabot.yml, which actionlint does not read: only keys Dependabot knows,
 * and every manifest of the tree covered, as found on disk: each package.json that
 * declares dependencies (npm), the workflows and each local action (github-actions,
 * whose folders Dependabot reads only when named), each wrapper module of the toolchain
 * (gomod), each requirements.txt (pip). A module added without an entry fails here, as a planted one shows.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..", "..");
const CONFIG = join(ROOT, ".github", "dependabot.yml");

interface Update {
  readonly "package-ecosystem": string;
  readonly directory?: string;
  readonly directories?: readonly string[];
  readonly schedule?: { readonly interval?: string };
  readonly cooldown?: { readonly "default-days"?: number };
  readonly [key: string]: unknown;
}
interface Config {
  readonly version: number;
  readonly updates: readonly Update[];
}

/** The keys of an entry of `updates` (GitHub's dependabot options reference). */
const UPDATE_KEYS = new Set(
  [
    "package-ecosystem directory directories schedule cooldown groups allow ignore labels",
    "commit-message open-pull-requests-limit versioning-strategy assignees milestone",
    "target-branch rebase-strategy registries vendor pull-request-branch-name exclude-paths",
    "insecure-external-code-execution",
  ]
    .join(" ")
    .split(" "),
);
const INTERVALS = ["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "cron"];

/** Folders below `dir` (repository-relative, "" for the root), without dependencies or git. */
function folders(dir = ""): string[] {
  const entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  return [
    dir,
    ...entries
      .filter((e) => e.isDirectory() && !["node_modules", ".git"].includes(e.name))
      .flatMap((e) => folders(dir === "" ? e.name : `${dir}/${e.name}`)),
  ];
}

/** What the tree holds, by ecosystem, as Dependabot's directories ("/", "/a/b"). */
interface Manifests {
  readonly npm: readonly string[];
  readonly "github-actions": readonly string[];
  readonly gomod: readonly string[];
  readonly pip: readonly string[];
}

const asDirectory = (dir: string) => `/${dir}`;
const read = (dir: string, file: string) => readFileSync(join(ROOT, dir, file), "utf8");

function manifestsOnDisk(): Manifests {
  const all = folders();
  const hasDependencies = (dir: string) => {
    const pkg = JSON.parse(read(dir, "package.json")) as Record<string, object | undefined>;
    return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length > 0;
  };
  return {
    npm: all
      .filter((d) => existsSync(join(ROOT, d, "package.json")) && hasDependencies(d))
      .map(asDirectory),
    "github-actions": [
      ...(existsSync(join(ROOT, ".github", "workflows")) ? [""] : []),
      ...all.filter((d) => ["action.yml", "action.yaml"].some((f) => existsSync(join(ROOT, d, f)))),
    ].map(asDirectory),
    gomod: all
      .filter((d) => d.startsWith("toolchain/") && existsSync(join(ROOT, d, "go.mod")))
      .map(asDirectory),
    pip: all.filter((d) => existsSync(join(ROOT, d, "requirements.txt"))).map(asDirectory),
  };
}

/** One line per problem: an unknown key or value, a manifest without an entry, a stale entry. */
function dependabotProblems(config: Config, manifests: Manifests): string[] {
  const problems: string[] = [];
  if (config.version !== 2) problems.push(`version = ${config.version}: expected 2`);
  const covered = new Map<string, Set<string>>();
  config.updates.forEach((u, i) => {
    const at = `updates[${i}] (${u["package-ecosystem"]})`;
    for (const key of Object.keys(u).filter((k) => !UPDATE_KEYS.has(k))) {
      problems.push(
        `${at}.${key} is not a known key: expected one of ${[...UPDATE_KEYS].join(", ")}`,
      );
    }
    if ((u.directory === undefined) === (u.directories === undefined)) {
      problems.push(`${at}: expected either directory or directories`);
    }
    const interval = u.schedule?.interval;
    if (!INTERVALS.includes(interval ?? "")) {
      problems.push(
        `${at}.schedule.interval = ${interval}: expected one of ${INTERVALS.join(", ")}`,
      );
    }
    if ((u.cooldown?.["default-days"] ?? 0) < 1) {
      problems.push(
        `${at}.cooldown.default-days: expected at least 1 (a release waits before it is proposed)`,
      );
    }
    const dirs = covered.get(u["package-ecosystem"]) ?? new Set<string>();
    for (const d of [
      ...(u.directories ?? []),
      ...(u.directory === undefined ? [] : [u.directory]),
    ]) {
      dirs.add(d);
    }
    covered.set(u["package-ecosystem"], dirs);
  });
  for (const [ecosystem, want] of Object.entries(manifests) as [string, string[]][]) {
    const have = covered.get(ecosystem) ?? new Set<string>();
    for (const d of want.filter((w) => !have.has(w))) {
      problems.push(`${ecosystem}: ${d} has no entry: expected it in that ecosystem's directories`);
    }
    for (const d of [...have].filter((h) => !want.includes(h))) {
      problems.push(`${ecosystem}: ${d} is listed but holds no ${ecosystem} manifest`);
    }
  }
  for (const ecosystem of [...covered.keys()].filter((e) => !(e in manifests))) {
    problems.push(`${ecosystem}: expected one of ${Object.keys(manifests).join(", ")}`);
  }
  return problems;
}

describe(".github/dependabot.yml", () => {
  const config = parse(readFileSync(CONFIG, "utf8")) as Config;
  const onDisk = manifestsOnDisk();

  it("finds the manifests on disk: the root package and the Next.js fixture's, the workflows and setup, every tool's module, the FastAPI fixture's requirements", () => {
    assert.deepEqual(onDisk.npm, ["/", "/fixtures/travel/frontend"]);
    assert.deepEqual(onDisk.pip, ["/fixtures/travel/backend"]);
    assert.deepEqual(onDisk["github-actions"], ["/", "/.github/actions/setup"]);
    const tools = readdirSync(join(ROOT, "toolchain"), { withFileTypes: true }).filter((e) =>
      existsSync(join(ROOT, "toolchain", e.name, "go.mod")),
    );
    assert.ok(tools.length >= 13, tools.map((t) => t.name).join(" "));
    assert.deepEqual(
      onDisk.gomod,
      tools.map((t) => `/toolchain/${t.name}`),
    );
  });

  it("covers each of them, once per ecosystem, with known keys and a cooldown", () => {
    assert.deepEqual(dependabotProblems(config, onDisk), []);
    assert.deepEqual(
      config.updates.map((u) => u["package-ecosystem"]),
      ["npm", "npm", "github-actions", "gomod", "pip"],
    );
  });

  it("leaves only modules of the standard library out (they have nothing to update)", () => {
    const others = folders().filter(
      (d) => !d.startsWith("toolchain/") && existsSync(join(ROOT, d, "go.mod")),
    );
    assert.ok(others.length > 0);
    for (const d of others) assert.doesNotMatch(read(d, "go.mod"), /^require\b/m, d);
  });

  it("fails on a module, a manifest or a key it does not cover", () => {
    const planted: Manifests = {
      ...onDisk,
      gomod: [...onDisk.gomod, "/toolchain/newtool"],
      npm: [...onDisk.npm, "/policy"],
    };
    const typo: Config = {
      ...config,
      updates: config.updates.map((u, i) => (i === 3 ? { ...u, schedul: {} } : u)),
    };
    assert.deepEqual(
      dependabotProblems(typo, planted).map((p) => p.replace(/: expected one of .*/, "")),
      [
        "updates[3] (gomod).schedul is not a known key",
        "npm: /policy has no entry: expected it in that ecosystem's directories",
        "gomod: /toolchain/newtool has no entry: expected it in that ecosystem's directories",
      ],
    );
    const stale: Manifests = { ...onDisk, gomod: onDisk.gomod.slice(1) };
    assert.deepEqual(dependabotProblems(config, stale), [
      `gomod: ${onDisk.gomod[0]} is listed but holds no gomod manifest`,
    ]);
  });
});
