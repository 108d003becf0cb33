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
  storage,
  text,
} from "./fields";
import { FORMAT, TOPOLOGY_SPREAD } from "../names";
import { SCRATCH_PATH } from "../builders/scratch";

/** An absolute path of plain segments (no spaces, no `..` tricks by shape). */
const WRITABLE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

interface ResourcePair {
  cpu: string;
  memory: string;
  "ephemeral-storage": string;
}

interface ResourceDefaults {
  requests: ResourcePair;
  limits: ResourcePair;
}

interface WorkloadDefaults {
  replicas: number;
  port: number;
  serviceName: string;
  imageName: string;
  resources: ResourceDefaults;
  probePath: string;
  secretEnv: string[];
  writablePaths: string[];
}

const resourcePair = (d: ResourcePair) =>
  z
    .strictObject({
      cpu: cpu.default(d.cpu),
      memory: memory.default(d.memory),
      "ephemeral-storage": storage.default(d["ephemeral-storage"]),
    })
    .prefault({});

/**
 * Local disk of each container (logs, /tmp): the root filesystem is read-only, so this is
 * what the kubelet counts; /tmp's emptyDir is limited to the limit.
 */
const EPHEMERAL_STORAGE = { requests: "64Mi", limits: "512Mi" };

function workloadShape(d: WorkloadDefaults) {
  return {
    /**
     * pods of the workload; for the backend more than 1 is refused unless `backend.sharedState:
     * true` (trip state is in memory)
     */
    replicas: intIn(1, 100).default(d.replicas),
    /** container and Service port */
    port: port.default(d.port),
    /** Service name */
    serviceName: label.default(d.serviceName),
    /** repository name under the owner */
    imageName: pattern(FORMAT.repository, "an image repository name (lowercase path)", 200).default(
      d.imageName,
    ),
    /**
     * Kubernetes quantities a container can run with (src/config/quantity.ts); requests ≤
     * limits; `ephemeral-storage` is the container's local disk (logs, /tmp, whose emptyDir is
     * limited to its limit)
     */
    resources: z
      .strictObject({
        requests: resourcePair(d.resources.requests),
        limits: resourcePair(d.resources.limits),
      })
      .prefault({}),
    /** HTTP paths of the startup, readiness and liveness probes */
    probes: z
      .strictObject({
        startup: httpPath.default(d.probePath),
        readiness: httpPath.default(d.probePath),
        liveness: httpPath.default(d.probePath),
      })
      .prefault({}),
    /**
     * plain env vars, held in a ConfigMap named after its content (a name listed in `secretEnv`
     * is refused; so is a secret value; the frontend's `REMOTE_ACTION_URL` is wired from the
     * Backend)
     */
    env: z.record(envName, z.string({ error: "a string value" })).default({}),
    /** `appSecrets` keys exposed as env by reference */
    secretEnv: z.array(envName, { error: "a list of app secret keys" }).default(d.secretEnv),
    /** `{minReplicas, maxReplicas, targetCpuUtilization}`: an HPA owns the replica count */
    autoscaling: z
      .strictObject({
        minReplicas: intIn(1, 100),
        maxReplicas: intIn(1, 100),
        // Percent of the CPU request; the HPA API takes any positive int32 (above 100 too).
        targetCpuUtilization: intIn(1, 2 ** 31 - 1).default(80),
      })
      .optional(),
    /**
     * the workload's own ServiceAccount: `annotations` (e.g. cloud workload identity) and
     * `automountToken` (mount an API token into the pods)
     */
    serviceAccount: z
      .strictObject({
        annotations: z.record(annotationKey, z.string({ error: "a string value" })).default({}),
        automountToken: bool().default(false),
      })
      .prefault({}),
    /**
     * how pods of a workload that may run 2 or more spread over nodes and zones (maxSkew 1,
     * per revision): `preferred` (the scheduler tries), `required` (never two on one node
     * while another node has room; zones stay preferred, since a node without a zone label
     * would otherwise take none), or `none`
     */
    topologySpread: z
      .enum(TOPOLOGY_SPREAD, { error: `one of ${TOPOLOGY_SPREAD.join(", ")}` })
      .default("preferred"),
    /**
     * seconds a stopping pod keeps serving before SIGTERM (a preStop sleep), so the Gateway and
     * Service proxies stop sending it requests first; 0 turns it off
     */
    drainSeconds: intIn(0, 600).default(10),
    /**
     * directories the framework writes to beside `/tmp`, each a size-limited emptyDir (the
     * ephemeral-storage limit) on the read-only root; the frontend's is Next.js's cache in
     * the standalone layout of Next.js's own Dockerfile (WORKDIR /app)
     */
    writablePaths: z
      .array(
        pattern(WRITABLE_PATH, "an absolute directory path other than / and /tmp", 255).refine(
          (p) => p !== "/" && p !== SCRATCH_PATH && !p.endsWith("/"),
          { error: "an absolute directory path other than / and /tmp" },
        ),
        { error: "a list of at most 8 absolute directory paths" },
      )
      .max(8, { error: "a list of at most 8 absolute directory paths" })
      .refine((l) => new Set(l).size === l.length, { error: "distinct paths" })
      .default(d.writablePaths),
    /**
     * make the root filesystem writable; the reason is recorded as the pod annotation
     * `travel.example/writable-root-reason` (the policy pack requires it). Without it the root
     * is read-only: `/tmp` is a writable emptyDir and `HOME` is `/tmp` (unless `env` sets it)
     */
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
        requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": EPHEMERAL_STORAGE.requests },
        limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": EPHEMERAL_STORAGE.limits },
      },
      probePath: "/docs",
      secretEnv: DEFAULT_APP_SECRET_KEYS,
      writablePaths: [],
    }),
    /** declare that the backend's state is shared, allowing replicas > 1 */
    sharedState: bool().default(false),
    /** path of the endpoint the frontend calls */
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
        requests: { cpu: "200m", memory: "256Mi", "ephemeral-storage": EPHEMERAL_STORAGE.requests },
        limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": EPHEMERAL_STORAGE.limits },
      },
      probePath: "/",
      secretEnv: [],
      writablePaths: ["/app/.next/cache"],
    }),
  )
  .prefault({});
