/**
 * Where a container with a read-only root filesystem may write: `/tmp`, an emptyDir on
 * the node's disk limited to the container's ephemeral-storage limit, and HOME pointing
 * into it, so that libraries writing under `~` (Python's `~/.cache`, npm's `~/.npm`) write
 * there instead of failing. A container with a writable root gets neither.
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

export function scratch(readOnlyRoot: boolean, sizeLimit: string): Scratch {
  if (!readOnlyRoot) return { volumes: [], volumeMounts: [], env: {} };
  return {
    volumes: [{ name: VOLUME, emptyDir: { sizeLimit } }],
    volumeMounts: [{ name: VOLUME, mountPath: SCRATCH_PATH }],
    env: { HOME: SCRATCH_PATH },
  };
}
