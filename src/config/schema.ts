/**
 * The zod schema of one stack's configuration: every key under the project's
 * namespace, its default and its constraints. Each message is the "expected"
 * half of an error line; `config.ts` adds the key and the offending value.
 */
import { z } from "zod";
import * as path from "node:path";
import {
  bool,
  digestRef,
  envName,
  gitSha,
  HOSTNAME,
  intIn,
  IPV4,
  isReservedNamespace,
  label,
  oneOf,
  pattern,
  STACK_NAME,
  text,
} from "./fields";
import { backendSchema, frontendSchema } from "./workload-schema";
import { networkSchema } from "./network-schema";
import { verifySchema } from "./verify-schema";
import { FORMAT, GHCR, MESH_MODES, PLATFORMS } from "../names";

export { HIDDEN } from "./fields";
export { backendSchema, frontendSchema } from "./workload-schema";

const buildSource = z
  .strictObject(
    {
      context: text("a build context directory (relative to the project)"),
      dockerfile: text("a Dockerfile path (relative to the project)").optional(),
    },
    { error: "a build source {context, dockerfile}" },
  )
  .transform((s) => ({
    context: s.context,
    dockerfile: s.dockerfile ?? path.join(s.context, "Dockerfile"),
  }));

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
      // Layers are read from and written to <repository>:<cacheTag> (BuildKit's registry cache).
      cacheTag: pattern(
        FORMAT.tag,
        "a tag for the registry build cache, e.g. buildcache",
        128,
      ).optional(),
      platform: oneOf(PLATFORMS).default("linux/amd64"),
      /**
       * BuildKit secrets by id, each the path of a file read when the program runs (a
       * corporate proxy's CA bundle, a package index token): a Dockerfile mounts one with
       * `RUN --mount=type=secret,id=<id>`; it is never in a layer, the cache key or the state
       * in plaintext
       */
      buildSecrets: z
        .record(
          pattern(/^[A-Za-z0-9_.-]+$/, "a BuildKit secret id ([A-Za-z0-9_.-], e.g. proxy-ca)", 64),
          text("the path of a file"),
          { error: "an object of secret ids and file paths" },
        )
        .default({}),
    }),
    z.strictObject({
      mode: z.literal("promote"),
      fromStack: pattern(STACK_NAME, "a stack name such as 'dev' or 'org/travel/dev'"),
      gitSha: gitSha.optional(),
      refs: z
        .strictObject(
          { backend: digestRef, frontend: digestRef },
          { error: "the approved images {backend, frontend}, each a digest-pinned reference" },
        )
        .optional(),
      allowUnverified: bool().default(false),
      soakMinutes: intIn(0, 10080).default(0),
    }),
    z.strictObject({ mode: z.literal("pinned"), backend: pinnedImage, frontend: pinnedImage }),
  ],
  { error: 'an object whose "mode" is "build", "promote" or "pinned"' },
);

export const stackConfigSchema = z.strictObject({
  /** Kubernetes namespace of the app (an RFC 1123 label; not default or kube-*). */
  namespace: label
    .refine((n) => !isReservedNamespace(n), {
      error: "a namespace of this app's own (not default or kube-*)",
    })
    .default("app-travelexample"),
  /** "ambient" puts the namespace in the Istio ambient mesh; "none" does not. */
  meshMode: oneOf(MESH_MODES).default("ambient"),
  /** Protect the namespace (and so the app) from deletion. */
  protect: bool().default(false),
  /**
   * false: the namespace is made by the cluster admin (`npm run bootstrap -- deployer`) and
   * only read; the stack writes nothing cluster-scoped (one it made before is kept).
   */
  createNamespace: bool().default(true),
  /** Hostnames the HTTPRoute serves; the first is the stack's url output. */
  hostnames: z
    .array(
      pattern(
        HOSTNAME,
        "a DNS hostname (lowercase labels of at most 63, optional leading '*.')",
      ).refine((h) => !IPV4.test(h), {
        error: "a DNS hostname, not an IP address (Gateway API routes by name)",
      }),
      { error: "a list of 1 to 16 DNS hostnames" },
    )
    .min(1, { error: "a list of 1 to 16 DNS hostnames" })
    .max(16, { error: "a list of 1 to 16 DNS hostnames" }),
  /** The parent Gateway of the route, its listeners, the HTTPS redirect and the await. */
  gateway: z
    .strictObject({
      /** parent Gateway */
      name: label.default("default-gateway"),
      /** its namespace */
      namespace: label.default("default"),
      /** HTTPS listener to attach to */
      sectionName: label.optional(),
      /** add an HTTP-listener route answering 301 → https (needs both section names) */
      httpsRedirect: bool().default(false),
      /** HTTP listener of the redirect route */
      httpSectionName: label.optional(),
      /** `pulumi up` waits for the parent's `Accepted` condition (`pulumi.com/waitFor`) */
      awaitAccepted: bool().default(true),
    })
    .prefault({}),
  /** The image registry: images are <server>/<owner>/<imageName>:<git sha>. */
  registry: z
    .strictObject(
      {
        /** registry host[:port] */
        server: pattern(FORMAT.registryServer, "a registry host[:port] in lowercase").default(GHCR),
        /** lowercase owner; images are `<server>/<owner>/<imageName>` */
        owner: pattern(
          FORMAT.pathComponent,
          "a lowercase registry owner (user or organization)",
          100,
        ),
        /** registry user of the push token */
        username: text("the registry user name"),
        /** registry user of the pull token (unset: `registry.username`) */
        pullUsername: text("the user name of the pull credentials").optional(),
        /** the images are public: no pull secret, no pull token */
        public: bool().default(false),
        /**
         * the environment variable that holds the push token, read when the program runs,
         * instead of `registryToken` (GitHub Actions: `GITHUB_TOKEN`, the job's token with
         * `packages: write`)
         */
        pushTokenEnv: envName.optional(),
        /**
         * the GitHub repository (`owner/name`) whose workflows push the images: their
         * `org.opencontainers.image.source` label, which links a new GHCR package to it
         * (required to build for ghcr.io)
         */
        repository: pattern(
          FORMAT.githubRepository,
          "the GitHub repository 'owner/name' whose workflows push the images",
          140,
        ).optional(),
      },
      { error: "an object with owner and username (server defaults to ghcr.io)" },
    )
    // The pull credentials' user is the push user unless said otherwise.
    .transform((r) => ({ ...r, pullUsername: r.pullUsername ?? r.username })),
  /**
   * Secret. The push token, required (and used) only when images.mode is build, unless
   * registry.pushTokenEnv names where it is; the cluster never gets it.
   */
  registryToken: text("a push token set with `pulumi config set --secret`").optional(),
  /**
   * Secret. A read-only registry token for the pods' pull secret (not needed with
   * registry.public).
   */
  registryPullToken: text("a read-only token set with `pulumi config set --secret`").optional(),
  /**
   * Secrets of the app by environment variable name (set each with --secret --path
   * appSecrets.NAME).
   */
  appSecrets: z.record(envName, text("a non-empty secret value"), {
    error: "an object of app secrets set with `pulumi config set --secret --path`",
  }),
  /**
   * The backend workload: replicas, port, Service, image name, resources, probes, env,
   * autoscaling.
   */
  backend: backendSchema,
  /** The frontend workload: the backend's keys but sharedState and actionPath. */
  frontend: frontendSchema,
  /** Where the images come from: build, promote from another stack, or pinned digests. */
  images: imagesSchema,
  /**
   * What the pods may reach: the namespace denies all traffic but the Gateway to the
   * frontend, the frontend to the backend, cluster DNS, and the backend to external HTTPS.
   */
  network: networkSchema,
  /** Seconds a rollout may take in all before pulumi up fails. */
  rolloutTimeoutSeconds: intIn(30, 3600).default(600),
  /**
   * Seconds a rollout may go without progress before pulumi up fails (the Deployments'
   * progressDeadlineSeconds).
   */
  rolloutProgressDeadlineSeconds: intIn(10, 3600).default(120),
  /**
   * Crashes a container of a new pod may have before pulumi up fails at once, with its log
   * (werf's budget is two errors per resource; one tolerates a single crash at start).
   */
  rolloutMaxRestarts: intIn(0, 100).default(1),
  /** Seconds a new pod may wait for a node before pulumi up fails at once. */
  rolloutUnschedulableSeconds: intIn(10, 3600).default(60),
  /**
   * The checks `pulumi up` makes through the first hostname and the Gateway (HTTPS) before
   * it sets verifiedImages: paths, the frontend-to-backend path, time budget, retries, TLS.
   */
  verify: verifySchema,
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type BackendConfig = ParsedStackConfig["backend"];
export type FrontendConfig = ParsedStackConfig["frontend"];
export type WorkloadConfig = BackendConfig | FrontendConfig;
export type ImagesConfig = ParsedStackConfig["images"];
export type GatewayConfig = ParsedStackConfig["gateway"];
export type { VerifyConfig } from "./verify-schema";

/** Top-level keys whose values are secrets: never echoed in an error message. */
export const SECRET_KEYS = [
  "registryToken",
  "registryPullToken",
  "appSecrets",
  "kubeconfig",
] as const;

/** Top-level keys whose stack values are plain strings (everything else is parsed as JSON). */
export const STRING_KEYS = [
  "namespace",
  "meshMode",
  "registryToken",
  "registryPullToken",
  "kubeconfig",
] as const;
