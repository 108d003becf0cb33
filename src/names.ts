/**
 * The strings and closed sets the program, the policy pack, the commands, the tools and
 * the tests must agree on: the app's name, its workloads, type tokens, label and
 * annotation keys, formats, the preview's unknown-value marker. Everything imports them
 * from here; defaults of the config live in the schema only.
 */
import { CI_ENVIRONMENTS } from "./config/ci-environments";

/** The app's name: every resource and Kubernetes object name is derived from it. */
export const APP = "travel";

/** The local stack (tools/local-stack.sh): the one stack that is not a real environment. */
export const LOCAL_STACK = "local";

/**
 * The settings-only stack (Pulumi.github.yaml): it manages the repository's GitHub
 * settings and nothing else, in a job of its own that alone holds the admin token. Its
 * GitHub environment has the same name.
 */
export const SETTINGS_STACK = "github";

/** The deploy environments, in deploy order: a stack and a GitHub environment each. */
export const DEPLOY_ENVIRONMENTS = ["dev", "staging", "prod"] as const;

/**
 * The GitHub environments a job runs in only once a required reviewer approved it: those
 * of the workflows' table (config/ci-environments.ts) that have reviewers.
 */
export const GATED_ENVIRONMENTS: readonly string[] = Object.keys(CI_ENVIRONMENTS).filter(
  (name) => CI_ENVIRONMENTS[name]!.reviewers,
);

/**
 * The passphrase the template's stack files (Pulumi.dev/staging/prod.yaml) are encrypted
 * with. It is published in README, so a real stack must never be encrypted with it.
 */
export const PLACEHOLDER_PASSPHRASE = "change-me-placeholder";

/** The app's two workloads, in the order they are deployed. */
export const WORKLOADS = ["backend", "frontend"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/**
 * A workload's component name (`travel-backend`): its RegistryImage, its Backend or
 * Frontend, and the names of their children.
 */
export const componentName = (w: WorkloadName) => `${APP}-${w}`;

/** A workload's `topologySpread` (config/workload-schema.ts says what each means). */
export const TOPOLOGY_SPREAD = ["preferred", "required", "none"] as const;
export type TopologySpread = (typeof TOPOLOGY_SPREAD)[number];

/** `meshMode`: "ambient" puts the namespace in the Istio ambient mesh. */
export const MESH_MODES = ["ambient", "none"] as const;
export type MeshMode = (typeof MESH_MODES)[number];

/** The platforms an image may be built for (`images.platform`). */
export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Resource type tokens (`<package>:<module>:<type>`) of the program's own resources. */
export const TYPE = {
  namespace: "travel:k8s:Namespace",
  secrets: "travel:k8s:Secrets",
  backend: "travel:k8s:Backend",
  frontend: "travel:k8s:Frontend",
  httpRoute: "travel:k8s:HttpRoute",
  registryImage: "travel:image:RegistryImage",
  deletionGuard: "travel:k8s:DeletionGuard",
  githubEnvironment: "travel:github:Environment",
  branchProtection: "travel:github:BranchProtection",
} as const;

const DIGEST = "sha256:[0-9a-f]{64}";
const SERVER = "[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?(?::\\d{1,5})?";
const PATH_COMPONENT = "[a-z0-9]+(?:[._-][a-z0-9]+)*";
const REPOSITORY = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "\\w[\\w.-]{0,127}";

/** Formats shared by the config schema, the registry client, the policy pack and commands. */
export const FORMAT = {
  /** A full git commit SHA: what images are tagged with. */
  gitSha: /^[0-9a-f]{40}$/,
  /** An image digest. */
  digest: new RegExp(`^${DIGEST}$`),
  /** The end of a digest-pinned image reference (`…@sha256:<64 hex>`). */
  pinnedByDigest: new RegExp(`@${DIGEST}$`),
  /** A registry host[:port], lowercase. */
  registryServer: new RegExp(`^${SERVER}$`),
  /** One lowercase component of a repository path (a registry owner). */
  pathComponent: new RegExp(`^${PATH_COMPONENT}$`),
  /** A repository path under a registry. */
  repository: new RegExp(`^${REPOSITORY}$`),
  /** An image tag. */
  tag: new RegExp(`^${TAG}$`),
  /** A GitHub repository, `owner/name`. */
  githubRepository: /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/,
  /** `server[:port]/repository[:tag][@digest]`, as registries name images. */
  imageRef: new RegExp(
    `^(?<server>${SERVER})/(?<repository>${REPOSITORY})(?::(?<tag>${TAG}))?(?:@(?<digest>${DIGEST}))?$`,
  ),
} as const;

/** OCI image annotation keys, set as image labels by the build. */
export const OCI_LABEL = {
  /** The git commit an image was built from: an existing tag is checked against it. */
  revision: "org.opencontainers.image.revision",
  /** The repository the image's code lives in: GHCR links a new package to it. */
  source: "org.opencontainers.image.source",
} as const;

/** GitHub's container registry, the default `registry.server`. */
export const GHCR = "ghcr.io";

/** Where GitHub serves repositories: `<GITHUB_URL>/<owner>/<name>`. */
export const GITHUB_URL = "https://github.com";

/** Label keys on every object the program creates. */
export const LABEL = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  /** On the pod template: the git SHA the image was built from. */
  version: "app.kubernetes.io/version",
  /** Istio ambient mesh membership of the namespace. */
  dataplaneMode: "istio.io/dataplane-mode",
  /** Pod Security Standards admission of the namespace. */
  podSecurityEnforce: "pod-security.kubernetes.io/enforce",
} as const;

/** The value of `app.kubernetes.io/part-of`. */
export const PART_OF = "coagents-travel";

/** Pod template annotations. */
export const ANNOTATION = {
  /** SHA-256 of the app secret values: a changed secret rolls the pods. */
  secretChecksum: "checksum/app-secrets",
  /** Why the root filesystem is writable (the policy pack requires a reason). */
  writableRootReason: "travel.example/writable-root-reason",
} as const;

/** The Deployment annotation the controller sets to the revision (ReplicaSet) it rolled out. */
export const DEPLOYMENT_REVISION = "deployment.kubernetes.io/revision";

/** Annotations the Pulumi kubernetes provider reads. */
export const PULUMI_ANNOTATION = {
  skipAwait: "pulumi.com/skipAwait",
  waitFor: "pulumi.com/waitFor",
  patchForce: "pulumi.com/patchForce",
} as const;

/** What the engine puts in a preview in place of a value not known until the update. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
