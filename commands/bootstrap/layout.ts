/**
 * Where the app's source is, relative to this program. Two layouts:
 * - in-app (the default): this program is the folder `deploy/` of the app's own
 *   repository, beside `agent/` and `ui/`, so the build contexts are `../agent` and
 *   `../ui` in every checkout, and the commit SHA is the app's;
 * - separate: this program is a repository of its own and the app's repository is
 *   checked out beside it, as `../coagents-travel` (in CI: the repository variable
 *   APP_REPOSITORY); the images are tagged with the app checkout's commit.
 * The contexts are checked before anything runs, with what to do when one is missing.
 */
import { WORKLOADS } from "../../src/names";
import { statSync } from "node:fs";
import { resolve } from "node:path";

export type Layout = "in-app" | "separate";
export const LAYOUTS: readonly Layout[] = ["in-app", "separate"];

/** The folder the workflows run this program in (the checkout of either layout). */
export const PROGRAM_FOLDER = "deploy";
/** Where a separate app repository is checked out, beside the program. */
export const APP_CHECKOUT = "coagents-travel";

export interface Contexts {
  readonly backend: string;
  readonly frontend: string;
}

/** The build contexts of each layout, relative to the program. */
export const CONTEXTS: Readonly<Record<Layout, Contexts>> = {
  "in-app": { backend: "../agent", frontend: "../ui" },
  separate: { backend: `../${APP_CHECKOUT}/agent`, frontend: `../${APP_CHECKOUT}/ui` },
};

export type IsDirectory = (path: string) => boolean;

export const isDirectory: IsDirectory = (p) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export const isFile: IsDirectory = (p) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The layout the folders around `projectDir` have, if either. */
export function detectLayout(projectDir: string, isDir: IsDirectory = isDirectory) {
  for (const layout of LAYOUTS) {
    const c = CONTEXTS[layout];
    if (isDir(resolve(projectDir, c.backend)) && isDir(resolve(projectDir, c.frontend))) {
      return layout;
    }
  }
  return undefined;
}

/** What to do about a missing context, for the layout the contexts follow. */
function remedy(contexts: Contexts): string {
  if (contexts.backend === CONTEXTS.separate.backend) {
    return (
      `check the app's repository out into ../${APP_CHECKOUT} (in CI: set the repository ` +
      `variable APP_REPOSITORY to its owner/name), or keep this program in ${PROGRAM_FOLDER}/ ` +
      `of the app's repository and build ${CONTEXTS["in-app"].backend} and ${CONTEXTS["in-app"].frontend} ` +
      `(npm run bootstrap -- --layout in-app); docs/delivery.md#layouts`
    );
  }
  return (
    `keep this program in ${PROGRAM_FOLDER}/ of the app's repository, beside agent/ and ui/ ` +
    `(the default layout), or check a separate app repository out into ../${APP_CHECKOUT} and ` +
    `build from there (npm run bootstrap -- --layout separate; in CI the repository variable ` +
    `APP_REPOSITORY); docs/delivery.md#layouts`
  );
}

/**
 * One line per missing build context or Dockerfile: the key, the value, what was
 * expected and what to do. Empty when both exist.
 */
export function contextProblems(
  projectDir: string,
  contexts: Contexts & { backendDockerfile?: string; frontendDockerfile?: string },
  checks: { isDir?: IsDirectory; isFile?: IsDirectory } = {},
): string[] {
  const dir = checks.isDir ?? isDirectory;
  const file = checks.isFile ?? isFile;
  const problems: string[] = [];
  for (const w of WORKLOADS) {
    const context = contexts[w];
    const dockerfile = contexts[`${w}Dockerfile`] ?? `${context}/Dockerfile`;
    if (!dir(resolve(projectDir, context))) {
      problems.push(
        `images.${w}.context = "${context}": expected an existing directory ` +
          `(relative to ${projectDir}); ${remedy(contexts)}`,
      );
    } else if (!file(resolve(projectDir, dockerfile))) {
      problems.push(
        `images.${w}.dockerfile = "${dockerfile}": expected an existing Dockerfile ` +
          `(relative to ${projectDir}); the app's ${w} needs one to be built`,
      );
    }
  }
  return problems;
}
