/**
 * CODEOWNERS, as bootstrap writes it at the repository's root (.github/CODEOWNERS): the
 * required reviewers own what decides how and where the app deploys — the policy pack, the
 * stack files and .github/ (the workflows, CODEOWNERS itself), the program's own
 * .github/ too when it lives in a folder of the app's repository. The branch protection
 * the settings stack manages requires a code owner's approval for a pull request that
 * changes them.
 *
 * A file, not a resource of the settings stack: github.RepositoryFile would commit to
 * the protected branch directly, which that protection (admins held to it) refuses, and
 * would skip the review it exists for. So it arrives like any change, through the
 * bootstrap commit. A CODEOWNERS bootstrap did not write (in any of the three places
 * GitHub reads one) is never replaced: the lines to add are listed instead.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CODEOWNERS_PLACES } from "../../src/config/settings";

/** The first line of the file bootstrap writes: how it knows its own copy. */
export const CODEOWNERS_MARK = "# Written by bootstrap (npm run bootstrap)";

export interface CodeOwners {
  /** Where bootstrap writes it, relative to the repository's top folder. */
  readonly to: string;
  /** The CODEOWNERS GitHub reads now (its place and text), if there is one. */
  readonly current?: { readonly at: string; readonly text: string };
  /** The text bootstrap writes. */
  readonly want: string;
}

/** The owners as CODEOWNERS names them: `@login`, and `@owner/slug` for a team. */
export function ownerHandles(
  repository: string,
  reviewers: { readonly users: readonly string[]; readonly teams: readonly string[] },
): string[] {
  const org = repository.split("/")[0]!;
  return [...reviewers.users.map((u) => `@${u}`), ...reviewers.teams.map((t) => `@${org}/${t}`)];
}

/** The owned paths, from the repository's root; `program` is the program's folder there. */
export function ownedPaths(program: string): string[] {
  const at = program === "" ? "/" : `/${program}/`;
  return [
    `${at}policy/`,
    `${at}Pulumi.*.yaml`,
    "/.github/",
    ...(program === "" ? [] : [`${at}.github/`]),
  ];
}

/** The text of CODEOWNERS: every owned path, owned by every owner. */
export function codeOwnersText(program: string, owners: readonly string[]): string {
  return [
    CODEOWNERS_MARK,
    "# The required reviewers own what decides how and where the app deploys: a pull request",
    "# that changes one of these paths needs their approval (branch protection, settings stack).",
    ...ownedPaths(program).map((p) => `${p} ${owners.join(" ")}`),
    "",
  ].join("\n");
}

/** CODEOWNERS as it is at `top` and as bootstrap would write it for `projectDir`. */
export function observeCodeOwners(
  top: string,
  projectDir: string,
  owners: readonly string[],
): CodeOwners {
  const program = relative(resolve(top), resolve(projectDir)).split("\\").join("/");
  const at = CODEOWNERS_PLACES.find((p) => existsSync(join(top, p)));
  return {
    to: CODEOWNERS_PLACES[0],
    ...(at !== undefined ? { current: { at, text: readFileSync(join(top, at), "utf8") } } : {}),
    want: codeOwnersText(program, owners),
  };
}

/** Whether bootstrap writes it: none yet, or its own copy that differs. */
export function needsCodeOwners(c: CodeOwners): boolean {
  if (c.current === undefined) return true;
  return c.current.text.startsWith(CODEOWNERS_MARK) && c.current.text !== c.want;
}

/** A CODEOWNERS of the user's own: bootstrap leaves it and lists the lines to add. */
export function foreignCodeOwners(c: CodeOwners): boolean {
  return c.current !== undefined && !c.current.text.startsWith(CODEOWNERS_MARK);
}
