/** HTTP startup, readiness and liveness probes against the container's named port. */
import type * as k8s from "@pulumi/kubernetes";

type Probe = k8s.types.input.core.v1.Probe;

export const HTTP_PORT_NAME = "http";

export interface ProbePaths {
  readonly startup: string;
  readonly readiness: string;
  readonly liveness: string;
}

const get = (path: string) => ({ httpGet: { path, port: HTTP_PORT_NAME, scheme: "HTTP" } });

/**
 * Startup allows 150 s for a slow start (30 x 5 s); readiness takes a pod out
 * of the Service after 3 failures in 30 s; liveness restarts it after 3 in 60 s.
 */
export function httpProbes(paths: ProbePaths): {
  startupProbe: Probe;
  readinessProbe: Probe;
  livenessProbe: Probe;
} {
  return {
    startupProbe: {
      ...get(paths.startup),
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 30,
    },
    readinessProbe: {
      ...get(paths.readiness),
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    livenessProbe: {
      ...get(paths.liveness),
      periodSeconds: 20,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
  };
}
