/**
 * The stack config's top-level keys: what is refused, with the exact message, and the
 * seed's defaults around a minimal config. The workloads', the images' and the secrets'
 * keys have files of their own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { itRefuses, type BadConfig } from "../../support/config-cases";
import { ConfigError, parseStackConfig } from "../../../src/config/load";
import { validRaw } from "../../support/fixtures";

const LABEL = "an RFC 1123 label (lowercase a-z, 0-9, '-'; max 63)";
const HOSTS = "a list of 1 to 16 DNS hostnames";

/** [description, change to a valid config, exact problem lines] */
const CASES: BadConfig[] = [
  [
    "namespace not a label",
    (r) => (r.namespace = "App_Travel"),
    [`travel:namespace = "App_Travel": expected ${LABEL}`],
  ],
  [
    "namespace too long",
    (r) => (r.namespace = "a".repeat(64)),
    [`travel:namespace = "${"a".repeat(64)}": expected ${LABEL}`],
  ],
  [
    "reserved namespace",
    (r) => (r.namespace = "kube-system"),
    [
      'travel:namespace = "kube-system": expected a namespace of this app\'s own (not default or kube-*)',
    ],
  ],
  [
    "unknown mesh mode",
    (r) => (r.meshMode = "sidecar"),
    ['travel:meshMode = "sidecar": expected "ambient" or "none"'],
  ],
  [
    "protect not boolean",
    (r) => (r.protect = "yes"),
    ['travel:protect = "yes": expected true or false'],
  ],
  [
    "createNamespace not boolean",
    (r) => (r.createNamespace = "no"),
    ['travel:createNamespace = "no": expected true or false'],
  ],
  [
    "hostnames missing",
    (r) => delete r.hostnames,
    [`travel:hostnames is missing: expected ${HOSTS}`],
  ],
  ["hostnames empty", (r) => (r.hostnames = []), [`travel:hostnames = []: expected ${HOSTS}`]],
  [
    "hostnames a string",
    (r) => (r.hostnames = "travel.example.com"),
    [`travel:hostnames = "travel.example.com": expected ${HOSTS}`],
  ],
  [
    "hostname uppercase",
    (r) => (r.hostnames = ["ok.example.com", "Travel.Example.com"]),
    [
      "travel:hostnames[1] = \"Travel.Example.com\": expected a DNS hostname (lowercase labels of at most 63, optional leading '*.')",
    ],
  ],
  [
    "gateway namespace",
    (r) => (r.gateway = { namespace: "Default" }),
    [`travel:gateway.namespace = "Default": expected ${LABEL}`],
  ],
  [
    "gateway unknown key",
    (r) => (r.gateway = { listener: "https" }),
    [
      "travel:gateway.listener is not a known key: expected one of name, namespace, sectionName, httpsRedirect, httpSectionName, awaitAccepted",
    ],
  ],
  [
    "redirect without listeners",
    (r) => (r.gateway = { httpsRedirect: true, sectionName: "https" }),
    [
      "travel:gateway.httpsRedirect = true: expected false unless gateway.sectionName (HTTPS listener) and gateway.httpSectionName (HTTP listener) are both set",
    ],
  ],
  [
    "registry missing",
    (r) => delete r.registry,
    [
      "travel:registry is missing: expected an object with owner and username (server defaults to ghcr.io)",
    ],
  ],
  [
    "registry owner uppercase",
    (r) => (r.registry.owner = "Acme"),
    ['travel:registry.owner = "Acme": expected a lowercase registry owner (user or organization)'],
  ],
  [
    "registry server is a URL",
    (r) => (r.registry.server = "https://ghcr.io"),
    ['travel:registry.server = "https://ghcr.io": expected a registry host[:port] in lowercase'],
  ],
  [
    "registry username missing",
    (r) => delete r.registry.username,
    ["travel:registry.username is missing: expected the registry user name"],
  ],
  [
    "an IP address as a hostname",
    (r) => (r.hostnames = ["10.0.0.1"]),
    [
      'travel:hostnames[0] = "10.0.0.1": expected a DNS hostname, not an IP address (Gateway API routes by name)',
    ],
  ],
  [
    "a hostname label longer than 63",
    (r) => (r.hostnames = [`${"a".repeat(64)}.example.com`]),
    [
      `travel:hostnames[0] = "${"a".repeat(64)}.example.com": expected a DNS hostname (lowercase labels of at most 63, optional leading '*.')`,
    ],
  ],
  [
    "a namespace of Kubernetes' own",
    (r) => (r.namespace = "kube-flannel"),
    [
      'travel:namespace = "kube-flannel": expected a namespace of this app\'s own (not default or kube-*)',
    ],
  ],
  [
    "rollout timeout too short",
    (r) => (r.rolloutTimeoutSeconds = 5),
    ["travel:rolloutTimeoutSeconds = 5: expected an integer from 30 to 3600"],
  ],
  [
    "unknown top-level key",
    (r) => (r.replicas = 3),
    [
      "travel:replicas is not a known key: expected one of namespace, meshMode, protect, createNamespace, hostnames, gateway, registry, registryToken, registryPullToken, appSecrets, backend, frontend, images, network, rolloutTimeoutSeconds, rolloutProgressDeadlineSeconds, rolloutMaxRestarts, rolloutUnschedulableSeconds, verify",
    ],
  ],
  [
    "several problems at once",
    (r) => {
      r.namespace = "Bad";
      r.backend = { port: 0 };
      delete r.images;
    },
    [
      `travel:namespace = "Bad": expected ${LABEL}`,
      "travel:backend.port = 0: expected an integer from 1 to 65535",
      'travel:images is missing: expected an object whose "mode" is "build", "promote" or "pinned"',
    ],
  ],
];

describe("stack config validation", () => {
  assert.ok(CASES.length >= 22);
  itRefuses(CASES);

  it("the error message lists every problem on its own line", () => {
    const err = new ConfigError(["a", "b"]);
    assert.equal(err.message, "Invalid stack configuration (2 problems):\n  - a\n  - b");
  });
});

describe("stack config defaults", () => {
  it("fills the seed's defaults around a minimal config", () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.equal(cfg.namespace, "app-travelexample");
    assert.equal(cfg.meshMode, "ambient");
    assert.equal(cfg.protect, false);
    assert.equal(cfg.createNamespace, true, "the stack creates its namespace unless told");
    assert.deepEqual(cfg.gateway, {
      name: "default-gateway",
      namespace: "default",
      httpsRedirect: false,
      awaitAccepted: true,
    });
    assert.equal(cfg.registry.server, "ghcr.io");
    assert.equal(cfg.registry.pullUsername, "ci-bot", "the pull user is the push user unless set");
    assert.equal(cfg.registry.public, false);
    assert.equal(cfg.rolloutProgressDeadlineSeconds, 120);
    assert.equal(cfg.rolloutTimeoutSeconds, 600);
    assert.deepEqual(
      { ...cfg.backend, resources: undefined },
      {
        replicas: 1,
        port: 8000,
        serviceName: "travel-backend-service",
        imageName: "coagents-travel-backend",
        resources: undefined,
        probes: { startup: "/docs", readiness: "/docs", liveness: "/docs" },
        env: {},
        secretEnv: ["OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY"],
        serviceAccount: { annotations: {}, automountToken: false },
        topologySpread: "preferred",
        drainSeconds: 10,
        writablePaths: [],
        sharedState: false,
        actionPath: "/copilotkit",
      },
    );
    assert.deepEqual(cfg.backend.resources, {
      requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": "512Mi" },
    });
    assert.equal(cfg.frontend.replicas, 2);
    assert.equal(cfg.frontend.port, 3000);
    assert.equal(cfg.frontend.serviceName, "travel-frontend-service");
    assert.deepEqual(cfg.frontend.resources.requests, {
      cpu: "200m",
      memory: "256Mi",
      "ephemeral-storage": "64Mi",
    });
    assert.deepEqual(cfg.frontend.secretEnv, []);
    assert.deepEqual(cfg.frontend.writablePaths, ["/app/.next/cache"]);
    assert.equal(cfg.frontend.autoscaling, undefined);
  });
});
