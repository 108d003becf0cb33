/**
 * `npm run bootstrap` for real: the Pulumi CLI on PATH (`eval "$(toolchain/toolchain.sh
 * pulumi)"`), a file:// backend and a copy of this program in deploy/ of a throwaway app
 * repository (agent/, ui/). No cluster and no GitHub: the GitHub settings are written
 * to the settings stack's config (and CODEOWNERS) and left to apply (the API is not
 * reachable here). Then the workflows' stack and promotion steps against the same backend.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  type Dirent,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { copyText } from "../../commands/bootstrap/workflow-copy";
import { decodeEngineConfig, parseStackConfig } from "../../src/config/load";
import { parseSettingsConfig } from "../../src/config/settings";
import { commitFiles, PROGRAM_FILES } from "../support/workflows/workspace";

const ROOT = join(__dirname, "..", "..");
const STACKS = ["dev", "staging", "prod"];
const root = mkdtempSync(join(tmpdir(), "bootstrap-e2e-"));
const app = join(root, "app");
const deploy = join(app, "deploy");
const state = join(root, "state");
after(() => rmSync(root, { recursive: true, force: true }));

const SECRETS = {
  PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple",
  REGISTRY_PUSH_TOKEN: "ghp_push_token_e2e_do_not_leak",
  REGISTRY_PULL_TOKEN: "ghp_pull_token_e2e_do_not_leak",
  OPENAI_API_KEY: "sk-openai-e2e-do-not-leak",
  GOOGLE_MAPS_API_KEY: "maps-e2e-do-not-leak",
  GOOGLE_MAPS_API_KEY_PROD: "maps-prod-e2e-do-not-leak",
};
const kubeconfig = (s: string) =>
  `apiVersion: v1\nkind: Config\n# ${s}-kubeconfig-e2e-do-not-leak\n`;

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? "",
  HOME: join(root, "home"),
  PULUMI_HOME: join(root, "pulumi-home"),
  PULUMI_SKIP_UPDATE_CHECK: "true",
  ...SECRETS,
  ...Object.fromEntries(
    STACKS.map((s) => [`KUBECONFIG_${s.toUpperCase()}`, join(root, `${s}.kubeconfig`)]),
  ),
  ...extra,
});

const ARGS = [
  "--project",
  deploy,
  "--backend",
  `file://${state}`,
  "--github",
  "acme/travel",
  "--reviewers",
  "alice",
];
/** `npm run bootstrap -- …`, as a user runs it (package.json's script). */
function bootstrap(args: string[], extra: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = spawnSync("npm", ["run", "--silent", "bootstrap", "--", ...args], {
    cwd: ROOT,
    env: env(extra),
    encoding: "utf8",
    input: "",
  });
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}
const pulumi = (args: string[], cwd = deploy) =>
  spawnSync("pulumi", ["--non-interactive", ...args], {
    cwd,
    env: { ...env(), PULUMI_BACKEND_URL: `file://${state}` },
    encoding: "utf8",
  });
const stackFiles = () =>
  Object.fromEntries(
    [...STACKS, "github"]
      .filter((s) => existsSync(join(deploy, `Pulumi.${s}.yaml`)))
      .map((s) => [s, readFileSync(join(deploy, `Pulumi.${s}.yaml`), "utf8")]),
  );
/** Every file of the state backend and its content (none: the folder does not exist). */
const stateFiles = (): Record<string, string> => {
  if (!existsSync(state)) return {};
  return Object.fromEntries(
    (readdirSync(state, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort()
      .map((f) => [f.slice(state.length + 1), readFileSync(f, "utf8")]),
  );
};
/** What a run may change: the stack files and the backend's state. */
const everything = () => ({ files: stackFiles(), state: stateFiles() });
const leaked = (text: string) =>
  [...Object.values(SECRETS), ...STACKS.map(kubeconfig)].filter((v) =>
    text.includes(v.trim().split("\n").at(-1)!),
  );

before(() => {
  const v = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  assert.equal(
    v.status,
    0,
    'the Pulumi CLI is not on PATH: eval "$(toolchain/toolchain.sh pulumi)"',
  );
  mkdirSync(deploy, { recursive: true });
  for (const f of PROGRAM_FILES) cpSync(join(ROOT, f), join(deploy, f));
  cpSync(join(ROOT, ".github"), join(deploy, ".github"), { recursive: true });
  for (const w of ["agent", "ui"]) {
    mkdirSync(join(app, w));
    writeFileSync(join(app, w, "Dockerfile"), "FROM scratch\n");
  }
  for (const s of STACKS) writeFileSync(join(root, `${s}.kubeconfig`), kubeconfig(s));
  // `node --require tsx/cjs` resolves tsx from the folder it runs in (the workflows' npm ci).
  symlinkSync(join(ROOT, "node_modules"), join(deploy, "node_modules"));
  commitFiles(app, { ".gitignore": "node_modules\n" });
});

describe("bootstrap against a file backend with the real Pulumi CLI", () => {
  let first: ReturnType<typeof bootstrap>;

  it("--help prints the usage", () => {
    const r = bootstrap(["--help"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: npm run bootstrap -- \[options\]/);
    assert.match(r.stdout, /--dry-run +print the plan, change nothing/);
  });

  it("--dry-run prints the plan and changes nothing", () => {
    const before = stackFiles();
    const r = bootstrap(["--dry-run", ...ARGS]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Plan \(dry run: nothing is changed\):/);
    assert.match(
      r.stdout,
      /dev: create the stack organization\/travel\/dev with the passphrase secrets provider/,
    );
    assert.match(
      r.stdout,
      /github: set github\.environments\.prod\.reviewers\.users\[0\] to "alice"/,
    );
    assert.match(r.stdout, /write \.github\/CODEOWNERS/);
    assert.deepEqual(stackFiles(), before);
    assert.equal(existsSync(state), false, "the state folder was created");
    assert.deepEqual(leaked(r.stdout + r.stderr), []);
  });

  it("creates the three stacks with every secret encrypted, and copies the workflows to the root", () => {
    first = bootstrap(ARGS);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const ls = JSON.parse(pulumi(["stack", "ls", "--json", "-Q"]).stdout) as { name: string }[];
    assert.deepEqual(
      ls.map((s) => s.name).sort(),
      [...STACKS, "github"].map((s) => `organization/travel/${s}`).sort(),
    );
    const files = stackFiles();
    for (const s of [...STACKS, "github"]) {
      assert.match(files[s]!, /^encryptionsalt: v1:/m, s);
      assert.ok(!files[s]!.includes("v1:DYKQLYe1KDQ="), "the template's placeholder salt is gone");
    }
    assert.deepEqual(leaked(Object.values(files).join("\n") + first.stdout + first.stderr), []);
    assert.equal(
      readFileSync(join(app, ".github", "workflows", "deploy.yml"), "utf8"),
      copyText(
        readFileSync(join(ROOT, ".github", "workflows", "deploy.yml"), "utf8"),
        "deploy/.github/workflows/deploy.yml",
      ),
    );
    // The setup action the copies use stays in deploy/, where their checkout finds it.
    assert.equal(existsSync(join(app, ".github", "actions")), false);
    assert.ok(existsSync(join(app, "deploy", ".github", "actions", "setup", "action.yml")));
    assert.match(first.stdout, /Left by hand:\n  1\. file:\/\/.* is on this machine only/);
    assert.match(
      first.stdout,
      /GITHUB_TOKEN=<a token that may administer acme\/travel> npm run bootstrap/,
    );
    // No token: the kubeconfigs were given but not sent; the steps left say how.
    assert.match(
      first.stdout,
      /gh secret set KUBECONFIG --env prod --repo acme\/travel < prod\.kubeconfig/,
    );
    const codeowners = readFileSync(join(app, ".github", "CODEOWNERS"), "utf8");
    for (const path of [
      "/deploy/policy/",
      "/deploy/Pulumi.*.yaml",
      "/.github/",
      "/deploy/.github/",
    ])
      assert.ok(codeowners.includes(`\n${path} @alice\n`), path);
  });

  it("stored what was given, and the program accepts each stack's config", () => {
    for (const s of STACKS) {
      const r = pulumi([
        "config",
        "--json",
        "--show-secrets",
        "--stack",
        `organization/travel/${s}`,
      ]);
      assert.equal(r.status, 0, r.stderr);
      const entries = JSON.parse(r.stdout) as Record<
        string,
        { value?: string; objectValue?: unknown; secret: boolean }
      >;
      // As the engine hands config to the program: strings, objects as JSON.
      const raw = decodeEngineConfig(
        Object.fromEntries(
          Object.entries(entries)
            .filter(([k]) => k.startsWith("travel:"))
            .map(([k, e]) => [k.slice("travel:".length), e.value ?? ""]),
        ),
      );
      // Pulumi.yaml's neutral defaults ({} and "") aside, nothing: the files hold neither key.
      assert.deepEqual([raw.kubeconfig ?? "", raw.github ?? {}], ["", {}], s);
      assert.doesNotMatch(stackFiles()[s]!, /travel:(github|kubeconfig):/, s);
      assert.equal(
        (raw.appSecrets as Record<string, string>).GOOGLE_MAPS_API_KEY,
        s === "prod" ? SECRETS.GOOGLE_MAPS_API_KEY_PROD : SECRETS.GOOGLE_MAPS_API_KEY,
      );
      const secrets = ["appSecrets", "registryPullToken"];
      for (const k of secrets) assert.equal(entries[`travel:${k}`]!.secret, true, `${s}: ${k}`);
      // dev pushes with the deploy job's GITHUB_TOKEN (registry.pushTokenEnv): none stored.
      assert.ok(!raw.registryToken, `${s}: a stored push token`);
      const cfg = parseStackConfig(raw, {
        namespace: "travel",
        environment: s,
        isDirectory: () => true,
        isFile: () => true,
        env: { GITHUB_TOKEN: "ghs_job_token_e2e" },
      });
      assert.equal(cfg.environment, s);
    }
    assert.match(stackFiles().github!, /^config:\n  travel:github:\n/m);
    assert.doesNotMatch(stackFiles().github!, /^  travel:(?!github:)/m, "only travel:github");
    // With Pulumi.yaml's neutral defaults of every other key, as the engine hands them over.
    const r = pulumi(["config", "--json", "--stack", "organization/travel/github"]);
    assert.equal(r.status, 0, r.stderr);
    const entries = JSON.parse(r.stdout) as Record<string, { value?: string; secret: boolean }>;
    assert.ok(Object.keys(entries).length > 5, Object.keys(entries).join(", "));
    const settings = parseSettingsConfig(
      decodeEngineConfig(
        Object.fromEntries(
          Object.entries(entries).map(([k, e]) => [k.slice("travel:".length), e.value ?? ""]),
        ),
      ),
      { namespace: "travel", environment: "github" },
    );
    assert.deepEqual(settings.problems, []);
    for (const env of ["staging", "prod", "github"])
      assert.deepEqual(settings.config!.github.environments[env]!.reviewers.users, ["alice"], env);
  });

  it("changes nothing when run again", () => {
    const before = everything();
    assert.ok(Object.keys(before.state).length > 0, "the stacks are in the state folder");
    const again = bootstrap(ARGS);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do: the stacks are as planned\./);
    assert.ok(!again.stdout.includes("→"), "an action ran");
    assert.deepEqual(everything(), before);
    process.stdout.write(
      `# bootstrap: first run ${first.seconds.toFixed(1)}s, second ${again.seconds.toFixed(1)}s\n`,
    );
  });

  it("plans only the secret that changed, and --dry-run leaves it as it is", () => {
    const before = everything();
    const r = bootstrap(["--dry-run", ...ARGS], { OPENAI_API_KEY_STAGING: "sk-rotated-e2e" });
    assert.equal(r.status, 0, r.stderr);
    const planSection = r.stdout.slice(0, r.stdout.indexOf("Left by hand:"));
    const planned = planSection.split("\n").filter((l) => /^  \d+\. /.test(l));
    assert.deepEqual(planned, [
      "  1. staging: set the secret appSecrets.OPENAI_API_KEY (differs) from $OPENAI_API_KEY_STAGING: pulumi config set --secret --raw --path appSecrets.OPENAI_API_KEY --stack organization/travel/staging",
    ]);
    assert.deepEqual(everything(), before);
    assert.ok(!r.stdout.includes("sk-rotated-e2e"));
  });

  it("sets only the secret that changed", () => {
    const before = stackFiles();
    const r = bootstrap(ARGS, { OPENAI_API_KEY_STAGING: "sk-rotated-e2e" });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes("sk-rotated-e2e"), "the new value was printed");
    assert.deepEqual(
      STACKS.filter((s) => stackFiles()[s] !== before[s]),
      ["staging"],
    );
    const steps = r.stdout.split("\n").filter((l) => l.startsWith("→"));
    assert.deepEqual(steps, [
      "→ staging: set the secret appSecrets.OPENAI_API_KEY (differs) from $OPENAI_API_KEY_STAGING: pulumi config set --secret --raw --path appSecrets.OPENAI_API_KEY --stack organization/travel/staging",
    ]);
  });
});

describe("the workflows' steps against the bootstrapped backend", () => {
  const step = (
    command: string[],
    stack: string,
    extra: Record<string, string> = {},
    cwd = deploy,
  ) => {
    const temp = mkdtempSync(join(root, "runner-"));
    const files = {
      GITHUB_ENV: join(temp, "env"),
      GITHUB_STEP_SUMMARY: join(temp, "summary"),
      GITHUB_OUTPUT: join(temp, "out"),
    };
    for (const f of Object.values(files)) writeFileSync(f, "");
    const r = spawnSync(
      "node",
      ["--require", "tsx/cjs", join(ROOT, "commands/bootstrap/ci/main.ts"), ...command],
      {
        cwd,
        env: {
          ...env(extra),
          PULUMI_BACKEND_URL: `file://${state}`,
          STACK: stack,
          RUNNER_TEMP: temp,
          ...files,
          ...extra,
        },
        encoding: "utf8",
      },
    );
    return {
      ...r,
      env: readFileSync(files.GITHUB_ENV, "utf8"),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
    };
  };

  it("selects a bootstrapped stack; staging has nothing verified to promote yet", () => {
    const sel = step(["stack"], "staging");
    assert.equal(sel.status, 0, sel.stdout + sel.stderr);
    assert.match(sel.stdout, /Selected the stack organization\/travel\/staging/);
    const promo = step(["promotion"], "staging", { TRAVEL_STACK: "organization/travel/staging" });
    assert.equal(promo.status, 0, promo.stdout + promo.stderr);
    assert.match(
      promo.stdout,
      /::notice::staging: nothing verified to promote yet: organization\/travel\/dev has not completed a deploy/,
    );
    assert.match(promo.env, /^PREVIEW_SKIPPED=nothing verified to promote yet$/m);
  });

  it("without bootstrap, explains why the template's stack cannot be created with a passphrase of one's own", () => {
    const template = join(root, "template");
    mkdirSync(join(root, "state-2"));
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml"]) cpSync(join(ROOT, f), join(template, f));
    symlinkSync(join(ROOT, "node_modules"), join(template, "node_modules"));
    const r = step(
      ["stack", "--create"],
      "dev",
      { PULUMI_BACKEND_URL: `file://${join(root, "state-2")}` },
      template,
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /::error::cannot create the stack organization\/travel\/dev \(secrets provider passphrase\): error: .*incorrect passphrase: Pulumi\.dev\.yaml's encryptionsalt was made with another passphrase than PULUMI_CONFIG_PASSPHRASE \(the template's placeholders\?\): run npm run bootstrap/,
    );
  });

  it("refuses a passphrase that does not decrypt the stack's secrets", () => {
    const r = step(["stack"], "prod", { PULUMI_CONFIG_PASSPHRASE: "wrong passphrase" });
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /::error::cannot decrypt the secrets of organization\/travel\/prod from Pulumi\.prod\.yaml \(error: incorrect passphrase\)/,
    );
  });
});
