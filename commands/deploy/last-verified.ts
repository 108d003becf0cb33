/**
 * The release a failed deploy comes back to: the newest the stack verified (its
 * `releases` output, or `verifiedImages` for a stack deployed before the program recorded
 * them); none before its first verified deploy.
 */
import { verifiedTarget, type VerifiedTarget } from "../rollback/target";
import type { StackOutputs } from "../rollback/stack";

export function lastVerified(outputs: StackOutputs): VerifiedTarget | undefined {
  const newest = outputs.releases[0];
  return newest === undefined ? undefined : verifiedTarget(newest);
}
