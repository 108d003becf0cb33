import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recorded, resetRecorded, settle } from "../../support/mocks";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig, parseStackConfig } from "../../../src/config/load";
import { resolveImageSources } from "../../../src/images/resolve";
import { composeStack } from "../../../src/stack";
import { fakeLookup } from "../../support/image-lookup";
import {
  asEngineConfig,
  BACKEND_REF,
  SECRET_VALUES,
  SHA_A,
  validRaw,
} from "../../support/fixtures";

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LABEL = "an RFC 1123 label (lowercase a-z, 0-9, '-'; max 63)";
const HOSTS = "a list of 1 to 16 DNS hostnames";
const SCALE =
  "1 replica: the backend keeps trip state in memory (set backend.sharedState to true once its state is shared)";
const DIGEST = "a digest-pinned image reference 'registry/name[:tag]@sha256:<64 hex>'";

/** [description, change to a valid config, exact problem lines] */
const BAD_CONFIGS: [string, (r: Raw) => void, string[]][] = [
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
    "pull token missing",
    (r) => delete r.registryPullToken,
    [
      "travel:registryPullToken is missing: expected a read-only token for the pull secret (pulumi config set --secret registryPullToken), or registry.public: true",
    ],
  ],
  [
    "pull token empty",
    (r) => (r.registryPullToken = ""),
    [
      // The engine hands an empty value over like an unset one.
      "travel:registryPullToken is missing: expected a read-only token for the pull secret (pulumi config set --secret registryPullToken), or registry.public: true",
    ],
  ],
  [
    "no push token in a stack that builds",
    (r) =>
      (r.images = {
        mode: "build",
        backend: { context: "fixtures/app/backend" },
        frontend: { context: "fixtures/app/frontend" },
      }),
    [
      "travel:registryToken is missing: expected a push token for the images this stack builds (pulumi config set --secret registryToken)",
    ],
  ],
  [
    "a pull token for a public registry",
    (r) => (r.registry.public = true),
    [
      "travel:registryPullToken = [secret]: expected no pull token: registry.public is true, so the pods pull without a pull secret",
    ],
  ],
  [
    "build contexts and Dockerfiles that do not exist, by their full key",
    (r) => {
      r.registryToken = "ghp_push";
      r.images = {
        mode: "build",
        backend: { context: "no/such/dir" },
        frontend: {
          context: "fixtures/app/frontend",
          dockerfile: "fixtures/app/frontend/Containerfile",
        },
      };
    },
    [
      `travel:images.backend.context = "no/such/dir": expected an existing directory (relative to the project, ${process.cwd()})`,
      'travel:images.frontend.dockerfile = "fixtures/app/frontend/Containerfile": expected an existing Dockerfile (relative to the project)',
    ],
  ],
  [
    "a stack that promotes from itself",
    (r) => (r.images = { mode: "promote", fromStack: "organization/travel/dev" }),
    [
      'travel:images.fromStack = "organization/travel/dev": expected another stack than this one ("dev"): a stack cannot promote what it deployed itself',
    ],
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
    "a serviceAccount annotation key that Kubernetes refuses",
    (r) => (r.backend = { serviceAccount: { annotations: { "bad key/x/y": "v" } } }),
    [
      "travel:backend.serviceAccount.annotations.bad key/x/y is not a valid name: expected an annotation key ([prefix/]name, e.g. eks.amazonaws.com/role-arn)",
    ],
  ],
  [
    "app secret empty",
    (r) => (r.appSecrets.OPENAI_API_KEY = ""),
    ["travel:appSecrets.OPENAI_API_KEY = [secret]: expected a non-empty secret value"],
  ],
  [
    "app secret bad name",
    (r) => (r.appSecrets["openai-key"] = "x"),
    [
      "travel:appSecrets.openai-key is not a valid name: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
    ],
  ],
  [
    "app secret referenced but absent",
    (r) => delete r.appSecrets.GOOGLE_MAPS_API_KEY,
    [
      'travel:backend.secretEnv[1] = "GOOGLE_MAPS_API_KEY": expected a key of appSecrets (set it with --secret --path)',
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
      "travel:backend.replica is not a known key: expected one of replicas, port, serviceName, imageName, resources, probes, env, secretEnv, autoscaling, serviceAccount, drainSeconds, writableRootFilesystemReason, sharedState, actionPath",
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
    "secret also as plain env",
    (r) => (r.backend = { env: { OPENAI_API_KEY: "sk-pasted" } }),
    [
      "travel:backend.env.OPENAI_API_KEY = [not shown]: expected no plain value for a name in secretEnv",
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
  [
    "images missing",
    (r) => delete r.images,
    ['travel:images is missing: expected an object whose "mode" is "build", "promote" or "pinned"'],
  ],
  [
    "images unknown mode",
    (r) => (r.images = { mode: "copy" }),
    [
      'travel:images.mode = "copy": expected an object whose "mode" is "build", "promote" or "pinned"',
    ],
  ],
  [
    "pinned tag-only ref",
    (r) => (r.images.backend.ref = "ghcr.io/acme/coagents-travel-backend:latest"),
    [
      `travel:images.backend.ref = "ghcr.io/acme/coagents-travel-backend:latest": expected ${DIGEST}`,
    ],
  ],
  [
    "pinned ref in another registry",
    (r) => (r.images.frontend.ref = BACKEND_REF.replace("ghcr.io", "docker.io")),
    [
      `travel:images.frontend.ref = "${BACKEND_REF.replace("ghcr.io", "docker.io")}": expected an image in the configured registry ghcr.io`,
    ],
  ],
  [
    "pinned short sha",
    (r) => (r.images.backend.gitSha = "abc1234"),
    [
      'travel:images.backend.gitSha = "abc1234": expected a full 40-character lowercase git commit SHA',
    ],
  ],
  [
    "build source missing",
    (r) => (r.images = { mode: "build", backend: { context: "app" } }),
    ["travel:images.frontend is missing: expected a build source {context, dockerfile}"],
  ],
  [
    "promote bad stack name",
    (r) => (r.images = { mode: "promote", fromStack: "dev stack" }),
    [
      "travel:images.fromStack = \"dev stack\": expected a stack name such as 'dev' or 'org/travel/dev'",
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
      "travel:replicas is not a known key: expected one of namespace, meshMode, protect, hostnames, gateway, registry, registryToken, registryPullToken, appSecrets, backend, frontend, images, rolloutTimeoutSeconds, rolloutProgressDeadlineSeconds, github, kubeconfig",
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

function problemsOf(raw: Raw): string[] {
  try {
    parseStackConfig(raw, { namespace: "travel", environment: "dev" });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail("the config was accepted");
}

/** Runs the program's entry steps (load config, compose) against engine-shaped config. */
async function runProgram(raw: Raw, secretKeys?: string[]): Promise<unknown> {
  const engine = asEngineConfig(raw);
  pulumi.runtime.setAllConfig(engine.config, secretKeys ?? engine.secretKeys);
  resetRecorded();
  try {
    const cfg = loadConfig();
    composeStack(cfg, await resolveImageSources(cfg, fakeLookup));
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await settle();
  }
}

describe("stack config validation", () => {
  assert.ok(BAD_CONFIGS.length >= 30);

  for (const [name, mutate, expected] of BAD_CONFIGS) {
    it(`refuses: ${name}`, async () => {
      const raw = validRaw();
      mutate(raw);
      assert.deepEqual(problemsOf(raw), expected);
      const err = await runProgram(raw);
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, expected);
      assert.equal(recorded.length, 0, "no resource may be registered for an invalid config");
    });
  }

  it("never echoes a secret value in a message", () => {
    const raw = validRaw();
    raw.appSecrets.OPENAI_API_KEY = 42;
    raw.registryToken = { not: SECRET_VALUES.registryToken };
    const message = (() => {
      try {
        parseStackConfig(raw, { namespace: "travel", environment: "dev" });
      } catch (err) {
        return (err as Error).message;
      }
      return "";
    })();
    assert.match(message, /travel:appSecrets\.OPENAI_API_KEY = \[secret\]/);
    assert.match(message, /travel:registryToken = \[secret\]/);
    assert.ok(!message.includes(SECRET_VALUES.registryToken));
  });

  it("refuses secrets stored in plaintext, before registering anything", async () => {
    const err = await runProgram(validRaw(), ["travel:appSecrets"]);
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, [
      "travel:registryPullToken is stored in plaintext: expected a secret (pulumi config set --secret)",
    ]);
    assert.equal(recorded.length, 0);
  });

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
        drainSeconds: 10,
        sharedState: false,
        actionPath: "/copilotkit",
      },
    );
    assert.deepEqual(cfg.backend.resources, {
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    assert.equal(cfg.frontend.replicas, 2);
    assert.equal(cfg.frontend.port, 3000);
    assert.equal(cfg.frontend.serviceName, "travel-frontend-service");
    assert.deepEqual(cfg.frontend.resources.requests, { cpu: "200m", memory: "256Mi" });
    assert.deepEqual(cfg.frontend.secretEnv, []);
    assert.equal(cfg.frontend.autoscaling, undefined);
  });

  it("merges a partial override with the defaults around it", () => {
    const raw = validRaw();
    raw.backend = { resources: { limits: { cpu: "2" } } };
    const cfg = parseStackConfig(raw, { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.backend.resources, {
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "2", memory: "1Gi" },
    });
  });

  it("accepts a scaled backend once its state is shared", () => {
    const raw = validRaw();
    raw.backend = { replicas: 3, sharedState: true };
    const cfg = parseStackConfig(raw, { namespace: "travel", environment: "dev" });
    assert.equal(cfg.backend.replicas, 3);
  });

  it("keeps secrets as Pulumi secrets and exposes only their names", async () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.appSecretKeys, ["GOOGLE_MAPS_API_KEY", "OPENAI_API_KEY"]);
    const internals = cfg.registryPullToken as unknown as { isSecret: Promise<boolean> };
    assert.equal(await internals.isSecret, true);
    assert.equal(
      await (cfg.appSecrets as unknown as { isSecret: Promise<boolean> }).isSecret,
      true,
    );
    assert.ok(
      !JSON.stringify({ ...cfg, registryPullToken: 0, appSecrets: 0 }).includes("do-not-leak"),
    );
  });

  it("keeps pinned references as given", () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.images, {
      mode: "pinned",
      backend: { ref: BACKEND_REF, gitSha: SHA_A },
      frontend: { ref: cfg.images.mode === "pinned" ? cfg.images.frontend.ref : "", gitSha: SHA_A },
    });
  });
});
