/** Security contexts that satisfy the Pod Security Standards "restricted" profile. */
import type * as k8s from "@pulumi/kubernetes";

/** A fixed non-root UID/GID, so runAsNonRoot holds whatever USER the image sets. */
export const NON_ROOT_ID = 65532;

export function podSecurityContext(): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_ID,
    runAsGroup: NON_ROOT_ID,
    fsGroup: NON_ROOT_ID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(
  readOnlyRootFilesystem: boolean,
): k8s.types.input.core.v1.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
