/**
 * The command line of `npm run rollback -- …`: options anywhere, then STACK and SHA
 * (optional: the previous verified release).
 * The stack name and the SHA are checked with the formats the config schema uses
 * (STACK_NAME, FORMAT.gitSha); a problem is a UsageError (exit 2, with the usage).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { STACK_NAME } from "../../src/config/fields";
import { FORMAT } from "../../src/names";
import { isDirectory } from "../bootstrap/layout";

export const USAGE = `usage: npm run rollback -- [--dry-run] [--keep-config] [--unverified REASON]
                            [--policy-pack DIR | --no-policy-pack] STACK [SHA]
  STACK  the stack to roll back (e.g. dev, staging, prod or org/travel/prod)
  SHA    the full 40-character lowercase git SHA of a release STACK verified (its
         releases output); without it, the newest verified release other than the one
         STACK runs now
  --dry-run            look everything up, print the pulumi commands, change nothing
  --keep-config        keep the pinned images in Pulumi.<stack>.yaml afterwards
  --unverified REASON  deploy SHA although STACK never verified it (its images are found
                       in the registry by tag); REASON goes to the log and the update
  --policy-pack DIR    the policy pack of pulumi up (default: policy, when it has one)
  --no-policy-pack     run pulumi up without a policy pack
REGISTRY_TOKEN: the registry's pull token, for --unverified (none: read anonymously).
TRAVEL_PROJECT_DIR: the Pulumi project directory (default: this checkout).`;

export class UsageError extends Error {}

/** The policy pack `pulumi up` runs with by default: ./policy, when the project has one. */
export function defaultPolicyPack(projectDir: string): string | undefined {
  return existsSync(join(projectDir, "policy", "PulumiPolicy.yaml")) ? "policy" : undefined;
}

/** Why `--policy-pack DIR` cannot be used, or undefined. */
export function policyPackProblem(projectDir: string, dir: string | undefined): string | undefined {
  return dir !== undefined && !isDirectory(resolve(projectDir, dir))
    ? `policy pack directory '${dir}' does not exist`
    : undefined;
}

export interface Options {
  readonly stack: string;
  /** undefined: the previous verified release. */
  readonly sha?: string;
  readonly dryRun: boolean;
  readonly keepConfig: boolean;
  /** Why a release the stack never verified is deployed (--unverified). */
  readonly unverified?: string;
  /** The policy pack directory (relative to the project), or undefined for none. */
  readonly policyPack: string | undefined;
}

/** The options, or "help"; throws a UsageError. Paths are relative to `projectDir`. */
export function parseOptions(argv: readonly string[], projectDir: string): Options | "help" {
  const flags = { dryRun: false, keepConfig: false };
  let unverified: string | undefined;
  let policyPack = defaultPolicyPack(projectDir);
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--dry-run") flags.dryRun = true;
    else if (a === "--keep-config") flags.keepConfig = true;
    else if (a === "--unverified") {
      unverified = argv[++i]?.trim();
      if (!unverified) throw new UsageError("--unverified needs a reason");
    } else if (a === "--no-policy-pack") policyPack = undefined;
    else if (a === "-h" || a === "--help") return "help";
    else if (a === "--policy-pack") {
      policyPack = argv[++i];
      if (policyPack === undefined) throw new UsageError("--policy-pack needs a directory");
    } else if (a === "--") {
      args.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else args.push(a);
  }
  if (args.length < 1 || args.length > 2) {
    throw new UsageError(`expected STACK and an optional SHA, got ${args.length} argument(s)`);
  }
  const [stack, sha] = args as [string, string | undefined];
  if (!STACK_NAME.test(stack)) {
    throw new UsageError(`STACK '${stack}' is not a stack name (name, or org/project/name)`);
  }
  if (sha !== undefined && !FORMAT.gitSha.test(sha)) {
    throw new UsageError(`SHA '${sha}' is not a full 40-character lowercase git SHA`);
  }
  if (unverified !== undefined && sha === undefined) {
    throw new UsageError("--unverified needs the SHA to deploy");
  }
  if (policyPack === "") policyPack = undefined;
  const problem = policyPackProblem(projectDir, policyPack);
  if (problem !== undefined) throw new UsageError(problem);
  return {
    stack,
    ...(sha !== undefined ? { sha } : {}),
    ...flags,
    ...(unverified !== undefined ? { unverified } : {}),
    policyPack,
  };
}
