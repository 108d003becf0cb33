/**
 * The three delivery environments and their roles: the order they deploy in, which
 * stack each promotes from, which are gated by required reviewers, and the one that
 * owns the protection of the deployment branch. Bootstrap and the workflows' steps
 * agree on these through this module.
 */

/** The environments, in deploy order. */
export const STACKS = ["dev", "staging", "prod"] as const;
export type StackName = (typeof STACKS)[number];

/** The stack whose verified images each promoting stack deploys. */
export const PROMOTES_FROM: Readonly<Partial<Record<StackName, StackName>>> = {
  staging: "dev",
  prod: "staging",
};

/** Stacks whose GitHub environment must have required reviewers (the manual gate). */
export const GATED: readonly StackName[] = ["staging", "prod"];

/** The stack that manages the branch protection of the deployment branch. */
export const BRANCH_PROTECTION_STACK: StackName = "prod";

/** Whether `name` is one of the three environments. */
export function isStackName(name: string): name is StackName {
  return (STACKS as readonly string[]).includes(name);
}
