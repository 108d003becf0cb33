/**
 * The three delivery environments and their roles: the order they deploy in, which
 * stack each promotes from; and the settings stack beside them, which manages the
 * repository's GitHub settings (src/names.ts). Bootstrap and the workflows' steps agree on
 * these through this module.
 */
import { DEPLOY_ENVIRONMENTS, SETTINGS_STACK } from "../../src/names";

/** The app stacks (and their GitHub environments), in deploy order. */
export const STACKS = DEPLOY_ENVIRONMENTS;
export type StackName = (typeof STACKS)[number];

/** The settings stack: GitHub settings only, applied by its own job with the admin token. */
export { SETTINGS_STACK };
/** A stack bootstrap makes: an app stack or the settings stack. */
export type BootstrapStack = StackName | typeof SETTINGS_STACK;

/** The stack whose verified images each promoting stack deploys. */
export const PROMOTES_FROM: Readonly<Partial<Record<StackName, StackName>>> = {
  staging: "dev",
  prod: "staging",
};

/** Whether `name` is one of the three environments. */
export function isStackName(name: string): name is StackName {
  return (STACKS as readonly string[]).includes(name);
}
