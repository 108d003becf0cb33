/**
 * The zod schema of one stack's configuration: every key under the project's
 * namespace, its default and its constraints. Each message is the "expected"
 * half of an error line; `config.ts` adds the key and the offending value.
 */
import { z } from "zod";
import { githubConfigIssues, githubConfigSchema, kubeconfigSchema } from "./github/config-schema";
import {
  bool,
  digestRef,
  envName,
  gitSha,
  HIDDEN,
  HOSTNAME,
  intIn,
  label,
  pattern,
  PATH_COMPONENT,
  REGISTRY_SERVER,
  RESERVED_NAMESPACES,
  STACK_NAME,
  text,
} from "./config-fields";
import { cpuMillis, memoryBytes } from "./quantity";
import { backendSchema, frontendSchema } from "./workload-schema";

export { HIDDEN } from "./config-fields";
export { backendSchema, frontendSchema } from "./workload-schema";

const buildSource = z.strictObject(
  {
    context: text("a build context directory (relative to the project)"),
    dockerfile: text("a Dockerfile path (relative to the project)").optional(),
  },
  { error: "a build source {context, dockerfile}" },
);

const pinnedImage = z.strictObject(
  { ref: digestRef, gitSha },
  { error: "a pinned image {ref, gitSha}" },
);

export const imagesSchema = z.discriminatedUnion(
  "mode",
  [
    z.strictObject({
      mode: z.literal("build"),
      backend: buildSource,
      frontend: buildSource,
      allowDirty: bool().default(false),
      builder: label.optional(),
      platform: pattern(/^linux\/(amd64|arm64)$/, '"linux/amd64" or "linux/arm64"').default(
        "linux/amd64",
      ),
    }),
    z.strictObject({
      mode: z.literal("promote"),
      fromStack: pattern(STACK_NAME, "a stack name such as 'dev' or 'org/travel/dev'"),
      gitSha: gitSha.optional(),
      allowUnverified: bool().default(false),
    }),
    z.strictObject({ mode: z.literal("pinned"), backend: pinnedImage, frontend: pinnedImage }),
  ],
  { error: 'an object whose "mode" is "build", "promote" or "pinned"' },
);

const isEmptyObject = (v: unknown) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;

export const stackConfigSchema = z
  .strictObject({
    namespace: label
      .refine((n) => !RESERVED_NAMESPACES.includes(n), {
        error: `a namespace of this app's own (not ${RESERVED_NAMESPACES.join(", ")})`,
      })
      .default("app-travelexample"),
    meshMode: z.enum(["ambient", "none"], { error: '"ambient" or "none"' }).default("ambient"),
    protect: bool().default(false),
    hostnames: z
      .array(pattern(HOSTNAME, "a DNS hostname (lowercase, optional leading '*.')"), {
        error: "a list of 1 to 16 DNS hostnames",
      })
      .min(1, { error: "a list of 1 to 16 DNS hostnames" })
      .max(16, { error: "a list of 1 to 16 DNS hostnames" }),
    gateway: z
      .strictObject({
        name: label.default("default-gateway"),
        namespace: label.default("default"),
        sectionName: label.optional(),
        httpsRedirect: bool().default(false),
        httpSectionName: label.optional(),
        awaitAccepted: bool().default(true),
      })
      .prefault({}),
    registry: z.strictObject(
      {
        server: pattern(REGISTRY_SERVER, "a registry host[:port] in lowercase").default("ghcr.io"),
        owner: pattern(PATH_COMPONENT, "a lowercase registry owner (user or organization)", 100),
        username: text("the registry user name"),
      },
      { error: "an object with owner and username (server defaults to ghcr.io)" },
    ),
    registryToken: text("a registry token set with `pulumi config set --secret`"),
    appSecrets: z.record(envName, text("a non-empty secret value"), {
      error: "an object of app secrets set with `pulumi config set --secret --path`",
    }),
    backend: backendSchema,
    frontend: frontendSchema,
    images: imagesSchema,
    rolloutTimeoutSeconds: intIn(30, 3600).default(600),
    rolloutProgressDeadlineSeconds: intIn(10, 3600).default(120),
    // Pulumi.yaml declares {} and "" as defaults (a declared key without one is
    // required by the engine): both mean "not configured".
    github: z.preprocess((v) => (isEmptyObject(v) ? undefined : v), githubConfigSchema.optional()),
    kubeconfig: z.preprocess((v) => (v === "" ? undefined : v), kubeconfigSchema.optional()),
  })
  .superRefine(
    (cfg, ctx) => {
      const issue = (path: (string | number)[], message: string, input: unknown) =>
        ctx.addIssue({ code: "custom", path, message, input });

      for (const [name, w] of [
        ["backend", cfg.backend],
        ["frontend", cfg.frontend],
      ] as const) {
        const { requests, limits } = w.resources;
        if (cpuMillis(requests.cpu) > cpuMillis(limits.cpu)) {
          issue(
            [name, "resources", "requests", "cpu"],
            `at most the CPU limit "${limits.cpu}"`,
            requests.cpu,
          );
        }
        if (memoryBytes(requests.memory) > memoryBytes(limits.memory)) {
          issue(
            [name, "resources", "requests", "memory"],
            `at most the memory limit "${limits.memory}"`,
            requests.memory,
          );
        }
        if (w.autoscaling && w.autoscaling.minReplicas > w.autoscaling.maxReplicas) {
          issue(
            [name, "autoscaling", "minReplicas"],
            `at most maxReplicas (${w.autoscaling.maxReplicas})`,
            w.autoscaling.minReplicas,
          );
        }
        w.secretEnv.forEach((key, i) => {
          if (!(key in cfg.appSecrets)) {
            issue([name, "secretEnv", i], "a key of appSecrets (set it with --secret --path)", key);
          }
          if (key in w.env) {
            issue([name, "env", key], "no plain value for a name in secretEnv", HIDDEN);
          }
        });
      }
      if ("REMOTE_ACTION_URL" in cfg.frontend.env) {
        issue(
          ["frontend", "env", "REMOTE_ACTION_URL"],
          "no value: REMOTE_ACTION_URL is wired from the Backend service",
          cfg.frontend.env.REMOTE_ACTION_URL,
        );
      }
      const maxBackend = Math.max(cfg.backend.replicas, cfg.backend.autoscaling?.maxReplicas ?? 1);
      if (maxBackend > 1 && !cfg.backend.sharedState) {
        const scaled = cfg.backend.replicas > 1 ? "replicas" : "autoscaling";
        issue(
          ["backend", ...(scaled === "replicas" ? ["replicas"] : ["autoscaling", "maxReplicas"])],
          "1 replica: the backend keeps trip state in memory (set backend.sharedState to true " +
            "once its state is shared)",
          maxBackend,
        );
      }
      if (cfg.backend.serviceName === cfg.frontend.serviceName) {
        issue(
          ["frontend", "serviceName"],
          "a name different from backend.serviceName",
          cfg.frontend.serviceName,
        );
      }
      if (cfg.rolloutProgressDeadlineSeconds > cfg.rolloutTimeoutSeconds) {
        issue(
          ["rolloutProgressDeadlineSeconds"],
          `at most rolloutTimeoutSeconds (${cfg.rolloutTimeoutSeconds})`,
          cfg.rolloutProgressDeadlineSeconds,
        );
      }
      if (cfg.gateway.httpsRedirect && (!cfg.gateway.sectionName || !cfg.gateway.httpSectionName)) {
        issue(
          ["gateway", "httpsRedirect"],
          "false unless gateway.sectionName (HTTPS listener) and gateway.httpSectionName " +
            "(HTTP listener) are both set",
          true,
        );
      }
      if (cfg.images.mode === "pinned") {
        for (const name of ["backend", "frontend"] as const) {
          const ref = cfg.images[name].ref;
          if (!ref.startsWith(`${cfg.registry.server}/`)) {
            issue(
              ["images", name, "ref"],
              `an image in the configured registry ${cfg.registry.server}`,
              ref,
            );
          }
        }
      }
      for (const i of githubConfigIssues(cfg)) issue(i.path, i.message, i.input);
      // Rules across keys assume each key is valid, so they run once no key has a problem.
    },
    { when: (payload) => payload.issues.length === 0 },
  );

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type BackendConfig = ParsedStackConfig["backend"];
export type FrontendConfig = ParsedStackConfig["frontend"];
export type WorkloadConfig = BackendConfig | FrontendConfig;
export type ImagesConfig = ParsedStackConfig["images"];
export type GatewayConfig = ParsedStackConfig["gateway"];

/** Top-level keys whose values are secrets: never echoed in an error message. */
export const SECRET_KEYS = ["registryToken", "appSecrets", "kubeconfig"] as const;

/** Top-level keys whose stack values are plain strings (everything else is parsed as JSON). */
export const STRING_KEYS = ["namespace", "meshMode", "registryToken", "kubeconfig"] as const;
