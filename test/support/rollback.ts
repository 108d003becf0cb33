/**
 * What the rollback and deploy commands' tests run them with: a project folder (a policy pack and a
 * stack file), a stub `pulumi` on PATH steered by STUB_* variables that logs its calls,
 * and the fake registry the stack's images live in. `rollback()` runs the command in this
 * process (its child processes are the stubs) and returns its exit status, output and
 * the stub's calls. No tests of its own.
 */
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach } from "node:test";
import { deploy as deployCommand } from "../../commands/deploy/main";
import { rollback as rollbackCommand } from "../../commands/rollback/main";
import { startRegistry, type RegistryServer } from "./registry-server";

export const sha = (seed: string) => createHash("sha1").update(seed).digest("hex");
/** A release the stack verified before the one it runs now (its `releases` output). */
export const SHA = sha("deployed");
/** The release the stack runs now, verified too. */
export const CURRENT_SHA = sha("current");
/** A commit the stack never verified. */
export const OTHER_SHA = sha("never-deployed");
export const VERIFIED_AT = "2026-12-05T10:00:00.000Z";
export const STACK_FILE =
  "config:\n  travel:images:\n    mode: promote\n    fromStack: organization/travel/staging\n";
export const REPOSITORIES = ["acme/coagents-travel-backend", "acme/coagents-travel-frontend"];

const PULUMI_STUB = `#!/usr/bin/env bash
printf 'pulumi %s\\n' "$*" >>"$STUB_LOG"
args=" $* "; args="\${args/ --non-interactive / }"
case "$args" in
  " stack output --json "*) printf '%s\\n' "$STUB_OUTPUTS" ;;
  " config get registry --json "*) printf '%s\\n' "$STUB_REGISTRY" ;;
  " stack export "*) printf '%s\\n' "$STUB_EXPORT" ;;
  " stack import "*)
    while [[ $# -gt 0 ]]; do [[ "$1" == --file ]] && cp "$2" "$STUB_LOG.imported"; shift; done ;;
  " config set "* | " config rm "*) printf '# %s\\n' "$*" >>"Pulumi.\${STUB_STACK_FILE}.yaml" ;;
  " up "*)
    # As a Ctrl-C reaches the whole process group: this process (the command's) too.
    [[ -n "\${STUB_UP_SIGNAL:-}" ]] && kill -s "$STUB_UP_SIGNAL" "$PPID"
    # The n-th up exits with the n-th of STUB_UP_STATUSES; the first prints STUB_UP_OUTPUT.
    n="$(cat "$STUB_LOG.ups" 2>/dev/null || echo 0)"; echo "$((n + 1))" >"$STUB_LOG.ups"
    statuses=(\${STUB_UP_STATUSES:-\${STUB_UP_STATUS:-0}})
    if [[ "$n" == 0 && -n "\${STUB_UP_OUTPUT:-}" ]]; then printf '%s\\n' "$STUB_UP_OUTPUT" >&2; fi
    exit "\${statuses[$n]:-0}" ;;
  *) echo "stub pulumi: unexpected arguments: $*" >&2; exit 99 ;;
esac
`;

export const work = mkdtempSync(join(tmpdir(), "rollback-test-"));
const bin = join(work, "bin");
export const project = join(work, "project");
const log = join(work, "calls.log");
mkdirSync(bin);
mkdirSync(join(project, "policy"), { recursive: true });
writeFileSync(join(project, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\n");
writeFileSync(join(bin, "pulumi"), PULUMI_STUB);
chmodSync(join(bin, "pulumi"), 0o755);

export let registry: RegistryServer;
before(async () => {
  registry = await startRegistry();
});
after(async () => {
  await registry.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  writeFileSync(join(project, "Pulumi.prod.yaml"), STACK_FILE);
  registry.requests.length = 0;
  registry.auth = undefined;
  registry.tags.clear();
  for (const r of REPOSITORIES) registry.tags.set(`${r}:${SHA}`, { revision: SHA });
});

export const stackFile = () => readFileSync(join(project, "Pulumi.prod.yaml"), "utf8");

/** The `images` of a release: each repository at `digest` (default: its SHA tag's digest). */
export const imagesOf = (gitSha: string, digest?: string) => ({
  backend: {
    ref: `${registry.host}/${REPOSITORIES[0]}@${digest ?? registry.digestOf(REPOSITORIES[0]!, gitSha)}`,
    gitSha,
  },
  frontend: {
    ref: `${registry.host}/${REPOSITORIES[1]}@${digest ?? registry.digestOf(REPOSITORIES[1]!, gitSha)}`,
    gitSha,
  },
});
const CURRENT_DIGEST = `sha256:${"0".repeat(64)}`;

/**
 * `pulumi stack output --json`: the stack runs CURRENT_SHA and verified it, after SHA
 * (verified at VERIFIED_AT); `images` replaces what it runs.
 */
export const stackOutputs = ({
  images = imagesOf(CURRENT_SHA, CURRENT_DIGEST) as unknown,
  releases = [
    { ...imagesOf(CURRENT_SHA, CURRENT_DIGEST), verifiedAt: "2026-12-05T11:00:00.000Z" },
    { ...imagesOf(SHA), verifiedAt: VERIFIED_AT },
  ] as unknown[] | undefined,
} = {}) =>
  JSON.stringify({ url: "https://travel.example", images, ...(releases ? { releases } : {}) });

/**
 * `pulumi stack export`: a state whose last update deployed `deployed` (its RegistryImage
 * components' outputs), with the stack outputs `outputs` (default: stackOutputs()'s).
 */
export const stackState = (deployed: unknown, outputs: unknown = JSON.parse(stackOutputs())) =>
  JSON.stringify({
    version: 3,
    deployment: {
      manifest: { time: "2026-12-05T12:00:00Z" },
      resources: [
        {
          urn: "urn:pulumi:prod::travel::pulumi:pulumi:Stack::travel-prod",
          type: "pulumi:pulumi:Stack",
          outputs,
        },
        ...(["backend", "frontend"] as const).map((w) => ({
          urn: `urn:pulumi:prod::travel::travel:image:RegistryImage::travel-${w}`,
          type: "travel:image:RegistryImage",
          outputs: (deployed as Record<string, unknown>)[w],
        })),
      ],
    },
  });

/** What the stub's `pulumi stack import` was given (undefined: it was not run). */
export const importedState = (): unknown => {
  try {
    return JSON.parse(readFileSync(`${log}.imported`, "utf8"));
  } catch {
    return undefined;
  }
};

/** `pulumi config get registry --json` of a stack whose registry config is `value`. */
export const registryConfig = (value: Record<string, string>) =>
  JSON.stringify({ value: JSON.stringify(value), objectValue: value, secret: false });

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: string[];
}

/** The environment of a run: the stub first on PATH, the project, the stub's answers. */
export const runEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: `${bin}:${process.env.PATH}`,
  HOME: work,
  TRAVEL_PROJECT_DIR: project,
  STUB_LOG: log,
  STUB_OUTPUTS: stackOutputs(),
  STUB_REGISTRY: registryConfig({ owner: "acme", username: "ci-bot" }),
  STUB_STACK_FILE: "prod",
  // The failed update deployed a release the stack never verified.
  STUB_EXPORT: stackState(imagesOf(OTHER_SHA, `sha256:${"1".repeat(64)}`)),
  ...env,
});

/** Forgets the stub's calls so far. */
export const clearCalls = () => {
  rmSync(log, { force: true });
  rmSync(`${log}.ups`, { force: true });
  rmSync(`${log}.imported`, { force: true });
};

export const stubCalls = (): string[] => {
  try {
    return readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/** Runs `npm run rollback -- ...args` in this process. */
export const rollback = (args: string[], env: Record<string, string> = {}) =>
  runCommand(rollbackCommand, args, env);

/** Runs `npm run deploy -- ...args` in this process. */
export const deploy = (args: string[], env: Record<string, string> = {}) =>
  runCommand(deployCommand, args, env);

async function runCommand(
  command: typeof rollbackCommand,
  args: string[],
  env: Record<string, string>,
): Promise<Run> {
  clearCalls();
  let stdout = "";
  let stderr = "";
  const status = await command(args, runEnv(env), {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    childOutput: "io",
  });
  return { status, stdout, stderr, calls: stubCalls() };
}

/** The pinned refs: each repository at the digest its SHA tag has in the registry. */
export const pinnedRef = (i: 0 | 1, tag = SHA) =>
  `${registry.host}/${REPOSITORIES[i]}@${registry.digestOf(REPOSITORIES[i]!, tag)}`;

/** The pulumi commands that pin `stack` to SHA's images (printed, or run). */
export const PINNING = (
  stack: string,
  gitSha = SHA,
  refs = [pinnedRef(0, gitSha), pinnedRef(1, gitSha)],
) => [
  `pulumi config rm images --stack ${stack}`,
  `pulumi config set --path images.mode pinned --stack ${stack}`,
  `pulumi config set --path images.backend.ref ${refs[0]} --stack ${stack}`,
  `pulumi config set --path images.backend.gitSha ${gitSha} --stack ${stack}`,
  `pulumi config set --path images.frontend.ref ${refs[1]} --stack ${stack}`,
  `pulumi config set --path images.frontend.gitSha ${gitSha} --stack ${stack}`,
];

/** The stack lookups, in order (the registry config only with REGISTRY_TOKEN). */
export const LOOKUPS = (stack: string, { registryConfig = false } = {}) => [
  `pulumi --non-interactive stack output --json --stack ${stack}`,
  ...(registryConfig
    ? [`pulumi --non-interactive config get registry --json --stack ${stack}`]
    : []),
];
