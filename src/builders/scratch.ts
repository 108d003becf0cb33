/**
 * Where a container with a read-only root filesystem may write: `/tmp`, an emptyDir on
 * the node's disk limited to the container's ephemeral-storage limit, and HOME pointing
 * into it, so that libraries writing under `~` (Python's `~/.cache`, npm's `~/.npm`) write
 * there instead of failing; and each of the framework's own directories (`writablePaths`,
 * e.g. Next.js's `.next/cache`), an emptyDir of the same limit. A container with a
 * writable root gets none of them.
 */
import type * as k8s from "@pulumi/kubernetes";

/** The writable directory of a read-only container. */
export const SCRATCH_PATH = "/tmp";
const VOLUME = "tmp";

export interface Scratch {
  readonly volumes: k8s.types.input.core.v1.Volume[];
  readonly volumeMounts: k8s.types.input.core.v1.VolumeMount[];
  /** Env the container gets unless the config sets the same name. */
  readonly env: Record<string, string>;
}

export function scratch(
  readOnlyRoot: boolean,
  sizeLimit: string,
  writablePaths: readonly string[] = [],
): Scratch {
  if (!readOnlyRoot) return { volumes: [], volumeMounts: [], env: {} };
  const dirs = [
    { name: VOLUME, mountPath: SCRATCH_PATH },
    ...writablePaths.map((mountPath, i) => ({ name: `writable-${i}`, mountPath })),
  ];
  return {
    volumes: dirs.map(({ name }) => ({ name, emptyDir: { sizeLimit } })),
    volumeMounts: dirs,
    env: { HOME: SCRATCH_PATH },
  };
}
