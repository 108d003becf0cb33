/**
 * The backend's and the frontend's config: what is refused, with the exact message, and
 * how an override merges with the defaults.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { itRefuses, type BadConfig } from "../../support/config-cases";
import { parseStackConfig } from "../../../src/config/load";
import { validRaw } from "../../support/fixtures";

const SCALE =
  "1 replica: the backend keeps trip state in memory (set backend.sharedState to true once its state is shared)";

/** [description, change to a valid config, exact problem lines] */
const CASES: BadConfig[] = [
  [
    "writable paths that are relative, /tmp itself, or twice the same",
    (r) => {
      r.frontend = { writablePaths: ["app/cache", "/tmp"] };
      r.backend = { writablePaths: ["/data", "/data"] };
    },
    [
      'travel:backend.writablePaths = ["/data","/data"]: expected distinct paths',
      'travel:frontend.writablePaths[0] = "app/cache": expected an absolute directory path other than / and /tmp',
      'travel:frontend.writablePaths[1] = "/tmp": expected an absolute directory path other than / and /tmp',
    ],
  ],
  [
    "a serviceAccount annotation key that Kubernetes refuses",
    (r) => (r.backend = { serviceAccount: { annotations: { "bad key/x/y": "v" } } }),
    [
      "travel:backend.serviceAccount.annotations.bad key/x/y is not a valid name: expected an annotation key ([prefix/]name, e.g. eks.amazonaws.com/role-arn)",
    ],
  ],
  [
    "backend not an object",
    (r) => (r.backend = "big"),
    ['travel:backend = "big": expected an object'],
  ],
  [
    "backend replicas zero",
    (r) => (r.backend = { replicas: 0 }),
    ["travel:backend.replicas = 0: expected an integer from 1 to 100"],
  ],
  [
    "backend replicas fractional",
    (r) => (r.backend = { replicas: 1.5 }),
    ["travel:backend.replicas = 1.5: expected an integer from 1 to 100"],
  ],
  [
    "backend scaled without shared state",
    (r) => (r.backend = { replicas: 2 }),
    [`travel:backend.replicas = 2: expected ${SCALE}`],
  ],
  [
    "backend autoscaled without shared state",
    (r) => (r.backend = { autoscaling: { minReplicas: 1, maxReplicas: 3 } }),
    [`travel:backend.autoscaling.maxReplicas = 3: expected ${SCALE}`],
  ],
  [
    "backend port out of range",
    (r) => (r.backend = { port: 70000 }),
    ["travel:backend.port = 70000: expected an integer from 1 to 65535"],
  ],
  [
    "backend unknown key",
    (r) => (r.backend = { replica: 1 }),
    [
      "travel:backend.replica is not a known key: expected one of replicas, port, serviceName, imageName, resources, probes, env, secretEnv, autoscaling, serviceAccount, topologySpread, drainSeconds, writablePaths, writableRootFilesystemReason, sharedState, actionPath",
    ],
  ],
  [
    "cpu not a quantity",
    (r) => (r.backend = { resources: { requests: { cpu: "500 millicores" } } }),
    [
      'travel:backend.resources.requests.cpu = "500 millicores": expected a CPU quantity such as "250m", "0.5" or 2',
    ],
  ],
  [
    "memory not a quantity",
    (r) => (r.backend = { resources: { limits: { memory: "1GB" } } }),
    [
      'travel:backend.resources.limits.memory = "1GB": expected a memory quantity such as "256Mi", "1Gi" or "512M"',
    ],
  ],
  [
    "cpu request above limit",
    (r) => (r.frontend = { resources: { requests: { cpu: "2" } } }),
    ['travel:frontend.resources.requests.cpu = "2": expected at most the CPU limit "500m"'],
  ],
  [
    "memory request above limit",
    (r) => (r.frontend = { resources: { requests: { memory: "1Gi" } } }),
    [
      'travel:frontend.resources.requests.memory = "1Gi": expected at most the memory limit "512Mi"',
    ],
  ],
  [
    "a zero CPU request and a zero memory request",
    (r) => (r.backend = { resources: { requests: { cpu: "0", memory: 0 } } }),
    [
      'travel:backend.resources.requests.cpu = "0": expected at least 1m (a container with no CPU share is starved first)',
      'travel:backend.resources.requests.memory = "0": expected at least 4Mi (no container starts in less)',
    ],
  ],
  [
    "a CPU limit in millions of cores: the slip is named where it was written",
    (r) => (r.frontend = { resources: { limits: { cpu: "500M" } } }),
    [
      'travel:frontend.resources.limits.cpu = "500M": expected at most 256 cores (no node has more); "500M" is 500,000,000 cores: did you mean "500m" (millicores)?',
    ],
  ],
  [
    "a memory limit in milli-bytes blames the limit, not the request",
    (r) => (r.backend = { resources: { limits: { memory: "256m" } } }),
    [
      'travel:backend.resources.limits.memory = "256m": expected at least 4Mi (no container starts in less); "256m" is 256 milli-bytes: did you mean "256Mi"?',
    ],
  ],
  [
    "a memory request in bytes",
    (r) => (r.frontend = { resources: { requests: { memory: 512 } } }),
    [
      'travel:frontend.resources.requests.memory = "512": expected at least 4Mi (no container starts in less); "512" is 512 bytes: did you mean "512Mi"?',
    ],
  ],
  [
    "ephemeral storage not a quantity, or in milli-bytes",
    (r) =>
      (r.frontend = {
        resources: {
          requests: { "ephemeral-storage": "1 GB" },
          limits: { "ephemeral-storage": "1g" },
        },
      }),
    [
      'travel:frontend.resources.requests.ephemeral-storage = "1 GB": expected a storage quantity such as "256Mi", "1Gi" or "512M"',
      'travel:frontend.resources.limits.ephemeral-storage = "1g": expected a storage quantity such as "256Mi", "1Gi" or "512M"',
    ],
  ],
  [
    "an ephemeral-storage limit too small for the logs, written in milli-bytes",
    (r) => (r.backend = { resources: { limits: { "ephemeral-storage": "512m" } } }),
    [
      'travel:backend.resources.limits.ephemeral-storage = "512m": expected at least 16Mi (the container\'s logs count against it); "512m" is 512 milli-bytes: did you mean "512Mi"?',
    ],
  ],
  [
    "ephemeral-storage request above limit",
    (r) => (r.backend = { resources: { requests: { "ephemeral-storage": "1Gi" } } }),
    [
      'travel:backend.resources.requests.ephemeral-storage = "1Gi": expected at most the ephemeral-storage limit "512Mi"',
    ],
  ],
  [
    "topology spread not one of the set",
    (r) => (r.frontend = { topologySpread: "strict" }),
    ['travel:frontend.topologySpread = "strict": expected one of preferred, required, none'],
  ],
  [
    "probe path relative",
    (r) => (r.frontend = { probes: { readiness: "healthz" } }),
    [
      "travel:frontend.probes.readiness = \"healthz\": expected an absolute HTTP path starting with '/'",
    ],
  ],
  [
    "env name invalid",
    (r) => (r.frontend = { env: { "1BAD": "x" } }),
    [
      "travel:frontend.env.1BAD is not a valid name: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
    ],
  ],
  [
    "REMOTE_ACTION_URL by hand",
    (r) => (r.frontend = { env: { REMOTE_ACTION_URL: "http://x" } }),
    [
      'travel:frontend.env.REMOTE_ACTION_URL = "http://x": expected no value: REMOTE_ACTION_URL is wired from the Backend service',
    ],
  ],
  [
    "same service names",
    (r) => (r.frontend = { serviceName: "travel-backend-service" }),
    [
      'travel:frontend.serviceName = "travel-backend-service": expected a name different from backend.serviceName',
    ],
  ],
  [
    "autoscaling min above max",
    (r) => (r.frontend = { autoscaling: { minReplicas: 5, maxReplicas: 2 } }),
    ["travel:frontend.autoscaling.minReplicas = 5: expected at most maxReplicas (2)"],
  ],
  [
    "image name uppercase",
    (r) => (r.backend = { imageName: "Backend" }),
    ['travel:backend.imageName = "Backend": expected an image repository name (lowercase path)'],
  ],
];

describe("stack config validation: workloads", () => {
  assert.ok(CASES.length >= 18);
  itRefuses(CASES);
});

describe("stack config defaults: workloads", () => {
  it("merges a partial override with the defaults around it", () => {
    const raw = validRaw();
    raw.backend = { resources: { limits: { cpu: "2" } } };
    const cfg = parseStackConfig(raw, { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.backend.resources, {
      requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "2", memory: "1Gi", "ephemeral-storage": "512Mi" },
    });
  });

  it("accepts a scaled backend once its state is shared", () => {
    const raw = validRaw();
    raw.backend = { replicas: 3, sharedState: true };
    const cfg = parseStackConfig(raw, { namespace: "travel", environment: "dev" });
    assert.equal(cfg.backend.replicas, 3);
  });
});
