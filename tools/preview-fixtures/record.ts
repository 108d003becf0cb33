/**
 * Records the preview event streams of test/fixtures/preview from real previews of
 * stacks of this program on the local environment (tools/local-env.sh must be up; run
 * it under the e2e lock, like the end-to-end tests):
 *
 *   eval "$(toolchain/toolchain.sh pulumi)" && eval "$(tools/local-env.sh env)"
 *   flock /tmp/travel-e2e.lock node --require tsx/cjs tools/preview-fixtures/record.ts
 *
 * Each preview is the PR workflow's command, `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true
 * pulumi preview --diff --stack <stack> --policy-pack policy --json`, on a throwaway copy
 * of the project (test/support/e2e/project.ts) in its own namespace: a fresh build, then
 * (after one `up`) a replicas change, a secret roll, a replace and a delete, an image
 * update; and a fresh "prod" stack the policy pack refuses. Streams are normalised
 * (./preview-fixtures/normalise.ts): no debug events, no paths of this machine, and the
 * recording fails if a secret value of the stacks is in them.
 */
import { writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pulumiCli } from "../../test/support/e2e/cli";
import { registryPullToken, registryToken } from "../../test/support/e2e/local-env";
import {
  commitSource,
  committedLocalConfig,
  createProject,
  type E2EProject,
  up,
  writeConfig,
  setSecret,
} from "../../test/support/e2e/project";
import { normaliseEvents, type PathPlaceholder } from "./normalise";

const ROOT = join(__dirname, "..");
const FIXTURES = join(ROOT, "test", "fixtures", "preview");
const NAMESPACE = "travel-record";

/** Config of the local stack with `patch` merged into the object under `key`. */
function patched(key: string, patch: Record<string, unknown>): Record<string, unknown> {
  const base = (committedLocalConfig()[key] ?? {}) as Record<string, unknown>;
  return { [key]: { ...base, ...patch } };
}

/** Everything a recording must not contain: the stacks' secret values and the tokens. */
function secretsOf(p: E2EProject, extra: string[] = []): string[] {
  return [...p.secretValues, registryToken(), registryPullToken(), ...extra];
}

function placeholders(p: E2EProject): PathPlaceholder[] {
  return [
    [p.dir, "<project>"],
    [p.sourceDir, "<source>"],
    [dirname(p.dir), "<e2e>"],
    [ROOT, "<repo>"],
    [homedir(), "~"],
  ];
}

/** Runs the workflow's preview and writes its normalised stream as `<name>.jsonl`. */
async function record(
  p: E2EProject,
  name: string,
  opts: { mayFail?: boolean; secrets?: string[] } = {},
): Promise<void> {
  const res = await pulumiCli(
    p,
    ["preview", "--diff", "--policy-pack", join(ROOT, "policy"), "--json"],
    { PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" },
  );
  if (res.code !== 0 && !opts.mayFail) {
    throw new Error(`preview ${name} failed (exit ${res.code}):\n${res.stderr.slice(-3000)}`);
  }
  const text = normaliseEvents(res.stdout, {
    paths: placeholders(p),
    secrets: secretsOf(p, opts.secrets),
  });
  writeFileSync(join(FIXTURES, `${name}.jsonl`), text);
  const lines = text.split("\n").length - 1;
  process.stderr.write(
    `recorded ${name}.jsonl: ${lines} events, exit ${res.code}, ${Math.round(res.seconds)}s\n`,
  );
}

async function main(): Promise<void> {
  const dev = await createProject("dev", { namespace: NAMESPACE });
  try {
    await record(dev, "fresh-build");
    await up(dev);
    await writeConfig(dev, patched("travel:frontend", { replicas: 3 }));
    await record(dev, "replicas");
    await writeConfig(dev, {});

    const rolled = `sk-record-${Date.now()}-rolled`;
    const secrets = { OPENAI_API_KEY: rolled, GOOGLE_MAPS_API_KEY: dev.secretValues[1] };
    setSecret(dev, "travel:appSecrets", JSON.stringify(secrets));
    await record(dev, "secret-roll", { secrets: [rolled] });
    setSecret(
      dev,
      "travel:appSecrets",
      JSON.stringify({
        OPENAI_API_KEY: dev.secretValues[0],
        GOOGLE_MAPS_API_KEY: dev.secretValues[1],
      }),
    );

    await writeConfig(dev, {
      ...patched("travel:backend", { serviceName: "travel-api-service" }),
      ...patched("travel:frontend", { replicas: 1 }),
    });
    await record(dev, "replace-delete");
    await writeConfig(dev, {});

    commitSource(dev, "backend/message", "backend: recorded image update\n");
    await record(dev, "image-update");
  } finally {
    await dev.stack.destroy({ color: "never" });
  }

  // A production stack the pack refuses: a single frontend pod, and a secret-looking
  // plain env var (which lands in the env ConfigMap). Config validation allows both.
  const prod = await createProject("prod", { namespace: `${NAMESPACE}-prod` });
  await writeConfig(prod, {
    ...patched("travel:frontend", { replicas: 1 }),
    ...patched("travel:backend", { env: { SESSION_TOKEN: "not-a-secret-but-named-like-one" } }),
  });
  await record(prod, "policy-violations", { mayFail: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`record-preview-fixtures: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
