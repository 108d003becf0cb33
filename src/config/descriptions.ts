/**
 * What each config key means, for people: the README's configuration table and the
 * descriptions in Pulumi.yaml are rendered from this and from the schema
 * (tools/config-docs.ts), so a key's default is written only in the schema. A unit test keeps
 * this list and the schema's keys the same.
 */

/** Top-level keys: Pulumi.yaml's descriptions, and README's rows for keys without sub-rows. */
export const TOP_LEVEL: Readonly<Record<string, string>> = {
  namespace: "Kubernetes namespace of the app (an RFC 1123 label; not default or kube-*).",
  meshMode: '"ambient" puts the namespace in the Istio ambient mesh; "none" does not.',
  protect: "Protect the namespace (and so the app) from deletion.",
  hostnames: "Hostnames the HTTPRoute serves; the first is the stack's url output.",
  gateway: "The parent Gateway of the route, its listeners, the HTTPS redirect and the await.",
  registry: "The image registry: images are <server>/<owner>/<imageName>:<git sha>.",
  registryToken:
    "Secret. The push token, required (and used) only when images.mode is build; the cluster never gets it.",
  registryPullToken:
    "Secret. A read-only registry token for the pods' pull secret (not needed with registry.public).",
  appSecrets:
    "Secrets of the app by environment variable name (set each with --secret --path appSecrets.NAME).",
  backend:
    "The backend workload: replicas, port, Service, image name, resources, probes, env, autoscaling.",
  frontend: "The frontend workload: the backend's keys but sharedState and actionPath.",
  images: "Where the images come from: build, promote from another stack, or pinned digests.",
  rolloutTimeoutSeconds: "Seconds a rollout may take in all before pulumi up fails.",
  rolloutProgressDeadlineSeconds:
    "Seconds a rollout may go without progress before pulumi up fails (the Deployments' progressDeadlineSeconds).",
  github:
    "GitHub settings this stack manages: environment, reviewers, secrets, branch protection (docs/delivery.md).",
  kubeconfig:
    "Secret. This environment's kubeconfig, stored as its GitHub environment secret KUBECONFIG (only with github).",
};

/** The rows README's table gives the keys of the object-valued top-level keys. */
export const ROWS: Readonly<Record<string, string>> = {
  "gateway.name": "parent Gateway",
  "gateway.namespace": "its namespace",
  "gateway.sectionName": "HTTPS listener to attach to",
  "gateway.httpsRedirect":
    "add an HTTP-listener route answering 301 → https (needs both section names)",
  "gateway.httpSectionName": "HTTP listener of the redirect route",
  "gateway.awaitAccepted":
    "`pulumi up` waits for the parent's `Accepted` condition (`pulumi.com/waitFor`)",
  "registry.server": "registry host[:port]",
  "registry.owner": "lowercase owner; images are `<server>/<owner>/<imageName>`",
  "registry.username": "registry user of the push token",
  "registry.pullUsername": "registry user of the pull token",
  "registry.public": "the images are public: no pull secret, no pull token",
  "backend.replicas":
    "more than 1 is refused unless `backend.sharedState: true` (trip state is in memory)",
  "backend.port": "container and Service port",
  "backend.serviceName": "Service name",
  "backend.imageName": "repository name under the owner",
  "backend.resources": "Kubernetes quantities; requests ≤ limits",
  "backend.probes": "HTTP paths of the startup, readiness and liveness probes",
  "backend.env":
    "plain env vars, held in a ConfigMap named after its content (a name listed in `secretEnv` is refused; so is a secret value)",
  "backend.secretEnv": "`appSecrets` keys exposed as env by reference",
  "backend.autoscaling":
    "`{minReplicas, maxReplicas, targetCpuUtilization}`: an HPA owns the replica count",
  "backend.serviceAccount":
    "the workload's own ServiceAccount: `annotations` (e.g. cloud workload identity) and `automountToken` (mount an API token into the pods)",
  "backend.drainSeconds":
    "seconds a stopping pod keeps serving before SIGTERM (a preStop sleep), so the Gateway and Service proxies stop sending it requests first; 0 turns it off",
  "backend.writableRootFilesystemReason":
    "make the root filesystem writable; the reason is recorded as the pod annotation `travel.example/writable-root-reason` (the policy pack requires it)",
  "backend.sharedState": "declare that the backend's state is shared, allowing replicas > 1",
  "backend.actionPath": "path of the endpoint the frontend calls",
  "frontend.replicas": "frontend pods",
  "frontend.port": "container and Service port",
  "frontend.serviceName": "Service name",
  "frontend.imageName": "repository name under the owner",
  "frontend.resources": "Kubernetes quantities; requests ≤ limits",
  "frontend.probes": "HTTP paths of the startup, readiness and liveness probes",
  "frontend.env":
    "plain env vars, as for the backend; `REMOTE_ACTION_URL` is refused (it is wired from the Backend)",
  "frontend.secretEnv": "`appSecrets` keys exposed as env by reference",
  "frontend.autoscaling": "as for the backend",
  "frontend.serviceAccount": "as for the backend",
  "frontend.drainSeconds": "as for the backend",
  "frontend.writableRootFilesystemReason": "as for the backend",
};
