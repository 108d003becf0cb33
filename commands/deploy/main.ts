/**
 * `npm run deploy -- [--policy-pack DIR | --no-policy-pack] [--no-rollback] STACK`: the
 * workflows' deploy of one stack; `pulumi up`, and when a rollout or the verification
 * fails, back to the stack's last verified release.
 *
 * 1. Reads the stack's verified releases (its `releases` output, or `verifiedImages` for a
 *    stack deployed before the program recorded them, ../rollback/stack.ts): the releases
 *    to come back to.
 * 2. Runs `pulumi up --yes --stack STACK` (with ./policy unless told otherwise), its
 *    output shown as it comes and kept.
 * 3. If it failed with a failed rollout or verification (the program's own summaries,
 *    ROLLOUT_FAILED and VERIFICATION_FAILED): when the stack had verified the release that
 *    failed (a re-check), revokes it in the stack's state (./revoke.ts), even with
 *    --no-rollback; then takes the newest verified release other than the failed one,
 *    pins its digests and runs `pulumi up` again, as `npm run rollback` does: nothing is
 *    built, the release is rolled out and verified again, and the stack file is restored.
 *    Any other failure (a config error, a refused registry, a locked stack) changed no
 *    workload, and is not rolled back. Either way a failed deploy exits 1: the job still
 *    fails.
 *
 * TRAVEL_PROJECT_DIR: the Pulumi project (default: this checkout). Exit status: 0 when
 * the update succeeded, 2 for usage errors, 1 otherwise.
 */
import { join } from "node:path";
import { ROLLOUT_FAILED } from "../../src/components/rollout-report";
import { VERIFICATION_FAILED } from "../../src/components/verification";
import { STACK_NAME } from "../../src/config/fields";
import { defaultPolicyPack, policyPackProblem } from "../rollback/options";
import { pinCommands, runPinned, upCommand } from "../rollback/pin";
import { type Io, type Pulumi, rollbackPulumi, runMain } from "../rollback/pulumi";
import { stackOutputs } from "../rollback/stack";
import { verifiedTarget } from "../rollback/target";
import type { ImageSet, VerifiedImageSet } from "../../src/images/types";
import { releaseName, sameImages } from "../../src/images/releases";
import { revokeFailedRelease } from "./revoke";

const ROOT = join(__dirname, "..", "..");

export const USAGE = `usage: npm run deploy -- [--policy-pack DIR | --no-policy-pack] [--no-rollback] STACK
  STACK            the stack to deploy (e.g. dev, staging, prod or org/travel/prod)
  --no-rollback    leave the stack as the failed update left it
  --policy-pack DIR  the policy pack of pulumi up (default: policy, when it has one)
  --no-policy-pack   run pulumi up without a policy pack
TRAVEL_PROJECT_DIR: the Pulumi project directory (default: this checkout).`;

interface Options {
  readonly stack: string;
  readonly policyPack: string | undefined;
  readonly rollback: boolean;
}

function parse(argv: readonly string[], projectDir: string): Options | string {
  let policyPack = defaultPolicyPack(projectDir);
  let rollback = true;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--no-rollback") rollback = false;
    else if (a === "--no-policy-pack") policyPack = undefined;
    else if (a === "--policy-pack") {
      policyPack = argv[++i];
      if (!policyPack) return "--policy-pack needs a directory";
      const problem = policyPackProblem(projectDir, policyPack);
      if (problem !== undefined) return problem;
    } else if (a.startsWith("-")) return `unknown option ${a}`;
    else args.push(a);
  }
  if (args.length !== 1) return `expected STACK, got ${args.length} argument(s)`;
  if (!STACK_NAME.test(args[0]!))
    return `STACK '${args[0]}' is not a stack name (name, or org/project/name)`;
  return { stack: args[0]!, policyPack, rollback };
}

/** Runs the command line `argv`; resolves to the exit status. */
export async function deploy(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io,
): Promise<number> {
  const projectDir = env.TRAVEL_PROJECT_DIR || ROOT;
  const o = parse(argv, projectDir);
  if (typeof o === "string") {
    io.err(`[deploy] error: ${o}\n${USAGE}\n`);
    return 2;
  }
  const log = (line: string) => io.err(`[deploy] ${line}\n`);
  const pulumi = rollbackPulumi(projectDir, env, io);
  try {
    let earlier: readonly VerifiedImageSet[] = [];
    if (o.rollback) {
      try {
        // The releases the stack verified (none before its first verified deploy).
        earlier = stackOutputs(pulumi, o.stack).releases;
      } catch (err) {
        log(`${(err as Error).message}: a failed rollout will not be rolled back`);
      }
    }
    const up = await pulumi.runKept(upCommand(o));
    if (up.status === 0) return 0;
    const failed = ROLLOUT_FAILED.test(up.output)
      ? "a rollout"
      : VERIFICATION_FAILED.test(up.output)
        ? "the verification"
        : undefined;
    if (failed === undefined) {
      log(
        o.rollback
          ? `pulumi up failed (exit ${up.status}) before any rollout was checked: no workload ` +
              `changed, nothing to roll back`
          : `pulumi up failed (exit ${up.status}); not rolled back (--no-rollback)`,
      );
      return 1;
    }
    const deployed = await revoke(pulumi, o.stack, failed, log);
    if (!o.rollback) {
      log(`pulumi up failed (exit ${up.status}); not rolled back (--no-rollback)`);
      return 1;
    }
    // The newest verified release other than the one that failed.
    const last = earlier
      .filter((r) => deployed === undefined || !sameImages(r, deployed))
      .map(verifiedTarget)
      .find((t) => t !== undefined);
    if (last === undefined) {
      log(`${failed} failed, and ${o.stack} has no verified release to come back to`);
      return 1;
    }
    log(
      `${failed} failed: rolling ${o.stack} back to its last verified release, ${last.sha} ` +
        `(verified at ${last.verifiedAt ?? "an unrecorded time"}); nothing is built`,
    );
    const commands = pinCommands(o, {
      ...last,
      message: `automatic rollback of ${o.stack} to ${last.sha} after ${failed} failed`,
    });
    try {
      await runPinned(pulumi, projectDir, { stack: o.stack, keepConfig: false }, commands, log);
      log(`${o.stack} runs ${last.sha} again; the deploy failed all the same`);
    } catch (err) {
      log(
        `the automatic rollback failed too (${(err as Error).message}): ${o.stack} may run ` +
          `the failed release; see above, then npm run rollback -- ${o.stack} ${last.sha}`,
      );
    }
    return 1;
  } catch (err) {
    io.err(`[deploy] error: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * Revokes the release the failed update deployed, when the stack had verified it before
 * (./revoke.ts), and says so; returns that release's images (undefined when the state
 * does not say). A revocation that fails is logged; the rollback goes on.
 */
async function revoke(
  pulumi: Pulumi,
  stack: string,
  failed: string,
  log: (line: string) => void,
): Promise<ImageSet | undefined> {
  const now = new Date();
  try {
    const r = await revokeFailedRelease(
      pulumi,
      stack,
      `${failed} failed in the update of ${now.toISOString()}`,
      now,
    );
    if (r.revoked && r.failed) {
      log(
        `revoked ${releaseName(r.failed)} on ${stack}: ${stack} had verified it, and ${failed} ` +
          `failed now; it is in neither verifiedImages nor releases any more`,
      );
    }
    return r.failed;
  } catch (err) {
    log(`could not revoke the failed release (${(err as Error).message}); going on`);
    return undefined;
  }
}

if (require.main === module) runMain(deploy);
