/**
 * `npm run rollback -- [options] STACK [SHA]`: rolls a stack back to a release it
 * verified before; what .github/workflows/rollback.yml runs.
 *
 * 1. Reads the stack's outputs: `releases`, the releases it verified, newest first (the
 *    program records them), and `images`, what it runs now.
 * 2. Chooses the release (./target.ts): without SHA, the newest verified release other
 *    than the one it runs; with SHA, that commit's verified release. A commit the stack
 *    never verified is refused unless --unverified REASON; its digests are then the
 *    registry's for `<repository>:<sha>` (./digests.ts), read with the pull credentials
 *    (REGISTRY_TOKEN as the stack's registry.pullUsername, else registry.username;
 *    without REGISTRY_TOKEN, anonymously), and REASON is logged.
 * 3. Sets travel:images to mode pinned with those digests (`pulumi config rm` + `pulumi
 *    config set --path`) and runs `pulumi up --yes` (with ./policy unless told otherwise).
 *    Nothing reads git: the record works alike with the program beside the app or in a
 *    repository of its own.
 *
 * The pinned images apply to this update only: the stack file is restored afterwards
 * (unless --keep-config). --dry-run looks everything up but changes nothing: it prints
 * the pulumi commands, one per line. TRAVEL_PROJECT_DIR: the Pulumi project (default:
 * this checkout). Exit status: 0 when done, 2 for usage errors, 1 for any other failure.
 */
import { join } from "node:path";
import { Registry } from "../../src/images/registry-client";
import { digestRefs } from "./digests";
import { type Options, parseOptions, USAGE, UsageError } from "./options";
import { pinCommands, runPinned } from "./pin";
import { commandLine, type Io, rollbackPulumi, runMain } from "./pulumi";
import { pullCredentials, repositories, stackOutputs } from "./stack";
import { chooseTarget } from "./target";
import { WORKLOADS, type WorkloadName } from "../../src/names";

const ROOT = join(__dirname, "..", "..");

async function rollBack(o: Options, projectDir: string, env: NodeJS.ProcessEnv, io: Io) {
  const log = (line: string) => io.err(`[rollback] ${line}\n`);
  const pulumi = rollbackPulumi(projectDir, env, io);
  const outputs = stackOutputs(pulumi, o.stack);
  const target = chooseTarget(o, outputs.releases, outputs.images);
  let refs: Record<WorkloadName, string>;
  if (target.kind === "verified") {
    log(`${target.sha}: verified on ${o.stack} at ${target.verifiedAt ?? "an unrecorded time"}`);
    refs = target.refs;
    for (const w of WORKLOADS) log(`${w}: ${refs[w]}`);
  } else {
    log(`warning: deploying ${target.sha}, which ${o.stack} never verified: ${target.reason}`);
    const repos = repositories(o.stack, outputs.images);
    const token = env.REGISTRY_TOKEN ?? "";
    const credentials = token !== "" ? pullCredentials(pulumi, o.stack, token) : undefined;
    log(
      credentials
        ? `reading the registry as ${credentials.username} (REGISTRY_TOKEN)`
        : "reading the registry anonymously (REGISTRY_TOKEN is not set)",
    );
    refs = await digestRefs(new Registry(credentials), repos, target.sha, log);
  }
  const commands = pinCommands(o, {
    sha: target.sha,
    refs,
    ...(target.kind === "unverified" ? { reason: target.reason } : {}),
  });
  if (o.dryRun) {
    log("dry run: the commands that would run");
    for (const c of commands) io.out(`${commandLine(c)}\n`);
    return;
  }
  await runPinned(pulumi, projectDir, o, commands, log);
  log(`${o.stack} now runs the images of ${target.sha}`);
}

/** Runs the command line `argv`; resolves to the exit status. */
export async function rollback(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io,
): Promise<number> {
  const projectDir = env.TRAVEL_PROJECT_DIR || ROOT;
  let opts: Options | "help";
  try {
    opts = parseOptions(argv, projectDir);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`[rollback] error: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === "help") {
    io.out(`${USAGE}\n`);
    return 0;
  }
  try {
    await rollBack(opts, projectDir, env, io);
    return 0;
  } catch (err) {
    io.err(`[rollback] error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) runMain(rollback);
