/**
 * The config of the two workloads, `travel:backend` and `travel:frontend`: the same
 * keys with the seed's defaults for each (ports, Service names, resources, probes).
 */
import { z } from "zod";
import {
  annotationKey,
  bool,
  cpu,
  DEFAULT_APP_SECRET_KEYS,
  envName,
  httpPath,
  intIn,
  label,
  memory,
  pattern,
  port,
  text,
} from "./fields";
import { FORMAT } from "../names";

interface ResourceDefaults {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

interface WorkloadDefaults {
  replicas: number;
  port: number;
  serviceName: string;
  imageName: string;
  resources: ResourceDefaults;
  probePath: string;
  secretEnv: string[];
}

const resourcePair = (d: { cpu: string; memory: string }) =>
  z.strictObject({ cpu: cpu.default(d.cpu), memory: memory.default(d.memory) }).prefault({});

function workloadShape(d: WorkloadDefaults) {
  return {
    replicas: intIn(1, 100).default(d.replicas),
    port: port.default(d.port),
    serviceName: label.default(d.serviceName),
    imageName: pattern(FORMAT.repository, "an image repository name (lowercase path)", 200).default(
      d.imageName,
    ),
    resources: z
      .strictObject({
        requests: resourcePair(d.resources.requests),
        limits: resourcePair(d.resources.limits),
      })
      .prefault({}),
    probes: z
      .strictObject({
        startup: httpPath.default(d.probePath),
        readiness: httpPath.default(d.probePath),
        liveness: httpPath.default(d.probePath),
      })
      .prefault({}),
    env: z.record(envName, z.string({ error: "a string value" })).default({}),
    secretEnv: z.array(envName, { error: "a list of app secret keys" }).default(d.secretEnv),
    autoscaling: z
      .strictObject({
        minReplicas: intIn(1, 100),
        maxReplicas: intIn(1, 100),
        // Percent of the CPU request; the HPA API takes any positive int32 (above 100 too).
        targetCpuUtilization: intIn(1, 2 ** 31 - 1).default(80),
      })
      .optional(),
    serviceAccount: z
      .strictObject({
        annotations: z.record(annotationKey, z.string({ error: "a string value" })).default({}),
        automountToken: bool().default(false),
      })
      .prefault({}),
    // How long a pod keeps serving once it is told to stop, before it gets SIGTERM.
    drainSeconds: intIn(0, 600).default(10),
    writableRootFilesystemReason: text(
      "why this workload needs a writable root filesystem",
    ).optional(),
  };
}

export const backendSchema = z
  .strictObject({
    ...workloadShape({
      replicas: 1,
      port: 8000,
      serviceName: "travel-backend-service",
      imageName: "coagents-travel-backend",
      resources: {
        requests: { cpu: "500m", memory: "512Mi" },
        limits: { cpu: "1", memory: "1Gi" },
      },
      probePath: "/docs",
      secretEnv: DEFAULT_APP_SECRET_KEYS,
    }),
    sharedState: bool().default(false),
    actionPath: httpPath.default("/copilotkit"),
  })
  .prefault({});

export const frontendSchema = z
  .strictObject(
    workloadShape({
      replicas: 2,
      port: 3000,
      serviceName: "travel-frontend-service",
      imageName: "coagents-travel-frontend",
      resources: {
        requests: { cpu: "200m", memory: "256Mi" },
        limits: { cpu: "500m", memory: "512Mi" },
      },
      probePath: "/",
      secretEnv: [],
    }),
  )
  .prefault({});
