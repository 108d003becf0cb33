/**
 * The policy pack: each rule against passing and failing resources, then the
 * whole pack against the program's own compositions (the committed stacks and
 * deliberately bad variants).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UnknownValueError } from "@pulumi/policy";
import { compose } from "../support/compose";
import { validRaw } from "../support/fixtures";
import {
  FakeResource,
  fakeUrn,
  policyInputs,
  policyOutputs,
  runPack,
  validateResource,
  validateStack,
} from "../support/policy";
import {
  composeStackFile,
  loadStack,
  STACKS,
  withSecretPlaceholders,
} from "../support/stack-files";
import { travelPolicies } from "../../policy/rules";
import { hpaTargetRequests, routeHostnames } from "../../policy/rules/advisory";
import {
  backendNetworkPolicy,
  backendNotRouted,
  backendServiceClusterIp,
} from "../../policy/rules/backend";
import {
  blocksEviction,
  pdbAllowsEviction,
  pdbForReplicatedDeployments,
} from "../../policy/rules/disruption";
import { imageProblem, imagesPinnedByDigest } from "../../policy/rules/images";
import { namespaceRestricted } from "../../policy/rules/namespaces";
import { containerProbes } from "../../policy/rules/probes";
import { isProduction, prodFrontendReplicas } from "../../policy/rules/production";
import { containerResources } from "../../policy/rules/resources";
import { selects, serviceSelects } from "../../policy/rules/stack-index";
import { looksSecret, noPlainSecretEnv, noSecretsInConfigMaps } from "../../policy/rules/secrets";
import { podSecurityRestricted, readOnlyRootFilesystem } from "../../policy/rules/security";
import type { Container, PodSpec, SecurityContext } from "../../policy/rules/k8s";
import { ANNOTATION, UNKNOWN } from "../../src/names";

const WRITABLE_ROOT_REASON = ANNOTATION.writableRootReason;

/** Loosely typed object fields (a spec, its labels) that a fixture takes as given. */
type Fields = Record<string, unknown>;

/** A container as `container()` builds it: every field the tests edit is present. */
type FixtureContainer = Container & {
  env: NonNullable<Container["env"]>;
  resources: { requests: Fields; limits: Fields };
  securityContext: SecurityContext & {
    capabilities: NonNullable<SecurityContext["capabilities"]>;
  };
};

/** A Deployment as `deployment()` builds it, for `edit` to change. */
type FixtureDeployment = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: PodSpec & { securityContext: SecurityContext; containers: FixtureContainer[] };
    };
  };
};

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const NS = "app-travelexample";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const UNKNOWN_STRING = UNKNOWN;

const selector = (w: string) => ({ "app.kubernetes.io/name": `travel-${w}` });
const podLabels = (w: string) => ({ ...selector(w), "app.kubernetes.io/component": w });

/** A container as the program builds it: compliant with every rule. */
function container(name: string): FixtureContainer {
  const probe = { httpGet: { path: "/", port: "http" } };
  return {
    name,
    image: `ghcr.io/acme/coagents-travel-${name}@${DIGEST}`,
    env: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "s", key: "OPENAI_API_KEY" } } },
    ],
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    startupProbe: probe,
    readinessProbe: probe,
    livenessProbe: probe,
  };
}

/** A compliant Deployment of the backend or frontend; `edit` changes the copy. */
function deployment(
  w: string,
  edit: (d: FixtureDeployment) => void = () => {},
  replicas = 1,
): FakeResource {
  const props: FixtureDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `travel-${w}`, namespace: NS, labels: podLabels(w) },
    spec: {
      replicas,
      selector: { matchLabels: selector(w) },
      template: {
        metadata: { labels: podLabels(w), annotations: {} },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [container(w)],
        },
      },
    },
  };
  edit(props);
  return { type: DEPLOYMENT, name: `travel-${w}`, props };
}
const podSpec = (d: FixtureDeployment) => d.spec.template.spec;
const first = (d: FixtureDeployment) => podSpec(d).containers[0]!;

function service(w: string, spec: Fields = {}, labels: Fields = podLabels(w)): FakeResource {
  const props = {
    metadata: { name: `travel-${w}-service`, namespace: NS, labels },
    spec: { selector: selector(w), ports: [{ port: 80 }], ...spec },
  };
  return { type: SERVICE, name: `travel-${w}`, props };
}

function route(name: string, spec: Fields, namespace = NS): FakeResource {
  return { type: ROUTE, name, props: { metadata: { name, namespace }, spec } };
}

function netpol(spec: Fields, namespace = NS): FakeResource {
  return {
    type: NETPOL,
    name: "travel-backend",
    props: { metadata: { name: "np", namespace }, spec },
  };
}

function pdb(matchLabels: Fields, budget: Fields = { maxUnavailable: 1 }): FakeResource {
  const props = {
    metadata: { name: "travel-frontend-pdb", namespace: NS },
    spec: { ...budget, selector: { matchLabels } },
  };
  return { type: PDB, name: "travel-frontend", props };
}

function hpa(target: string, minReplicas: number, metric = "cpu"): FakeResource {
  const props = {
    metadata: { name: `${target}-hpa`, namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
      minReplicas,
      maxReplicas: 5,
      metrics: [{ type: "Resource", resource: { name: metric, target: { type: "Utilization" } } }],
    },
  };
  return { type: HPA, name: target, props };
}

const messages = (r: { violations: { message: string }[] }) => r.violations.map((v) => v.message);

describe("policy images-pinned-by-digest", () => {
  it("passes digest references, with or without a tag", async () => {
    const d = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ ...container("migrate"), image: `ghcr.io/a/m:v1@${DIGEST}` }];
    });
    assert.deepEqual(messages(await validateResource(imagesPinnedByDigest, d)), []);
  });

  it("names the resource, the container and the fix", async () => {
    const d = deployment("backend", (p) => (first(p).image = "ghcr.io/acme/backend:latest"));
    assert.deepEqual(messages(await validateResource(imagesPinnedByDigest, d)), [
      'Deployment "travel-backend", container "backend": the image uses the mutable tag ' +
        '"latest" (ghcr.io/acme/backend:latest). Fix: deploy the digest the push returned, ' +
        '"<registry>/<owner>/<name>@sha256:<64 hex>" (RegistryImage.ref, or images.mode "pinned" ' +
        "with the ref), never a tag.",
    ]);
  });

  it("explains each kind of unpinned reference", () => {
    assert.equal(imageProblem(`a/b@${DIGEST}`), undefined);
    assert.equal(
      imageProblem("localhost:5000/b:1.2"),
      "is pinned by tag only (localhost:5000/b:1.2)",
    );
    assert.equal(
      imageProblem("localhost:5000/b"),
      'has neither tag nor digest, so it means "latest" (localhost:5000/b)',
    );
    assert.equal(imageProblem("a/b@sha256:abc"), "has a malformed digest (a/b@sha256:abc)");
    assert.equal(imageProblem(undefined), "has no image");
  });

  it("checks init containers and every pod-bearing kind", async () => {
    const init = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ ...container("migrate"), image: "busybox:1.36" }];
    });
    assert.equal(messages(await validateResource(imagesPinnedByDigest, init)).length, 1);
    assert.match(
      messages(await validateResource(imagesPinnedByDigest, init))[0]!,
      /init container "migrate"/,
    );
    const template = { spec: { containers: [{ name: "c", image: "x:1" }] } };
    const kinds: [string, Fields][] = [
      ["kubernetes:apps/v1:StatefulSet", { spec: { template } }],
      ["kubernetes:apps/v1:DaemonSet", { spec: { template } }],
      ["kubernetes:core/v1:Pod", template],
      ["kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template } } } }],
    ];
    for (const [type, props] of kinds) {
      const result = await validateResource(imagesPinnedByDigest, { type, name: "w", props });
      assert.equal(result.violations.length, 1, type);
    }
  });

  it("ignores objects without pods", async () => {
    assert.deepEqual(
      messages(await validateResource(imagesPinnedByDigest, service("backend"))),
      [],
    );
  });

  it("defers, like the analyzer, while the pushed digest is unknown in preview", async () => {
    const d = deployment("backend", (p) => (first(p).image = UNKNOWN_STRING));
    await assert.rejects(validateResource(imagesPinnedByDigest, d), UnknownValueError);
  });
});

describe("policy container-resources", () => {
  it("passes requests and limits for CPU and memory", async () => {
    assert.deepEqual(
      messages(await validateResource(containerResources, deployment("backend"))),
      [],
    );
  });

  it("lists what each container misses", async () => {
    const d = deployment("backend", (p) => {
      delete first(p).resources.requests.cpu;
      delete first(p).resources.limits.memory;
      podSpec(p).initContainers = [{ name: "migrate", image: `x@${DIGEST}` }];
    });
    assert.deepEqual(messages(await validateResource(containerResources, d)), [
      'Deployment "travel-backend", container "backend": missing resources.requests.cpu, ' +
        "resources.limits.memory. Fix: set CPU and memory requests and limits " +
        "(travel:<workload>.resources for the app's workloads; requests ≤ limits).",
      'Deployment "travel-backend", init container "migrate": missing resources.requests.cpu, ' +
        "resources.requests.memory, resources.limits.cpu, resources.limits.memory. Fix: set CPU " +
        "and memory requests and limits (travel:<workload>.resources for the app's workloads; " +
        "requests ≤ limits).",
    ]);
  });
});

describe("policy pod-security-restricted", () => {
  it("passes with pod-level non-root and seccomp", async () => {
    assert.deepEqual(
      messages(await validateResource(podSecurityRestricted, deployment("backend"))),
      [],
    );
  });

  it("passes with container-level non-root and seccomp only", async () => {
    const d = deployment("backend", (p) => {
      podSpec(p).securityContext = {};
      Object.assign(first(p).securityContext, {
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
    });
    assert.deepEqual(messages(await validateResource(podSecurityRestricted, d)), []);
  });

  const cases: [string, (d: FixtureDeployment) => void, string][] = [
    [
      "a container overriding runAsNonRoot",
      (d) => (first(d).securityContext.runAsNonRoot = false),
      "runAsNonRoot is not true. Fix: set securityContext.runAsNonRoot: true",
    ],
    [
      "UID 0",
      (d) => (podSpec(d).securityContext.runAsUser = 0),
      "runs as UID 0. Fix: set securityContext.runAsUser to a non-zero UID",
    ],
    [
      "privilege escalation left unset",
      (d) => delete first(d).securityContext.allowPrivilegeEscalation,
      "allowPrivilegeEscalation is not false. Fix: set securityContext.allowPrivilegeEscalation: false",
    ],
    [
      "a privileged container",
      (d) => (first(d).securityContext.privileged = true),
      "is privileged. Fix: remove securityContext.privileged",
    ],
    [
      "capabilities not dropped",
      (d) => (first(d).securityContext.capabilities = { drop: ["NET_RAW"] }),
      'does not drop all capabilities. Fix: set securityContext.capabilities.drop: ["ALL"]',
    ],
    [
      "an added capability",
      (d) => (first(d).securityContext.capabilities.add = ["NET_BIND_SERVICE", "SYS_ADMIN"]),
      "adds capabilities SYS_ADMIN. Fix: add none (NET_BIND_SERVICE at most)",
    ],
    [
      "an unconfined container seccomp profile",
      (d) => (first(d).securityContext.seccompProfile = { type: "Unconfined" }),
      "seccomp profile is Unconfined. Fix: set securityContext.seccompProfile.type: " +
        "RuntimeDefault on the pod or the container",
    ],
  ];
  for (const [what, edit, problem] of cases) {
    it(`reports ${what}`, async () => {
      const result = await validateResource(podSecurityRestricted, deployment("backend", edit));
      assert.deepEqual(messages(result), [
        `Deployment "travel-backend", container "backend": ${problem}.`,
      ]);
    });
  }

  it("reports host namespaces", async () => {
    const d = deployment("backend", (p) => (podSpec(p).hostNetwork = true));
    assert.deepEqual(messages(await validateResource(podSecurityRestricted, d)), [
      'Deployment "travel-backend": the pod sets hostNetwork: true. Fix: remove hostNetwork.',
    ]);
  });
});

describe("policy read-only-root-filesystem", () => {
  const writable = (reason?: string) =>
    deployment("backend", (p) => {
      first(p).securityContext.readOnlyRootFilesystem = false;
      if (reason !== undefined) p.spec.template.metadata.annotations[WRITABLE_ROOT_REASON] = reason;
    });

  it("passes a read-only root filesystem", async () => {
    assert.deepEqual(
      messages(await validateResource(readOnlyRootFilesystem, deployment("backend"))),
      [],
    );
  });

  it("refuses a writable root filesystem without a reason", async () => {
    assert.deepEqual(messages(await validateResource(readOnlyRootFilesystem, writable())), [
      'Deployment "travel-backend", container "backend": the root filesystem is writable. Fix: ' +
        "set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it writes), or " +
        "keep it writable and give the reason in the pod template annotation " +
        "travel.example/writable-root-reason (travel:<workload>.writableRootFilesystemReason " +
        "sets both).",
    ]);
  });

  it("accepts it with a reason on the pod template", async () => {
    const result = await validateResource(readOnlyRootFilesystem, writable("uvicorn writes .pyc"));
    assert.deepEqual(messages(result), []);
  });

  it("refuses a blank reason and an unset field", async () => {
    assert.equal(
      (await validateResource(readOnlyRootFilesystem, writable("  "))).violations.length,
      1,
    );
    const unset = deployment(
      "backend",
      (p) => delete first(p).securityContext.readOnlyRootFilesystem,
    );
    assert.equal((await validateResource(readOnlyRootFilesystem, unset)).violations.length, 1);
  });
});

describe("policy container-probes", () => {
  it("passes three probes; init containers need none", async () => {
    const d = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ name: "migrate", image: `x@${DIGEST}` }];
    });
    assert.deepEqual(messages(await validateResource(containerProbes, d)), []);
  });

  it("lists the missing probes", async () => {
    const d = deployment("frontend", (p) => {
      delete first(p).startupProbe;
      delete first(p).livenessProbe;
    });
    assert.deepEqual(messages(await validateResource(containerProbes, d)), [
      'Deployment "travel-frontend", container "frontend": missing startupProbe, livenessProbe. ' +
        "Fix: add the probes (travel:<workload>.probes sets their HTTP paths for the app's workloads).",
    ]);
  });
});

describe("label selectors", () => {
  const labels = { app: "web", tier: "front" };

  it("match labels and every expression operator", () => {
    assert.equal(selects({ matchLabels: { app: "web" } }, labels), true);
    assert.equal(selects({ matchLabels: { app: "api" } }, labels), false);
    assert.equal(selects({}, labels), true);
    const expr = (operator: string, values?: string[]) =>
      selects(
        { matchExpressions: [{ key: "tier", operator, ...(values ? { values } : {}) }] },
        labels,
      );
    assert.deepEqual(
      [
        expr("In", ["front"]),
        expr("In", ["back"]),
        expr("NotIn", ["front"]),
        expr("NotIn", ["back"]),
      ],
      [true, false, false, true],
    );
    assert.deepEqual([expr("Exists"), expr("DoesNotExist"), expr("Bogus")], [true, false, false]);
  });

  it("treat an empty Service selector as selecting nothing", () => {
    assert.equal(serviceSelects({ spec: {} }, labels), false);
    assert.equal(serviceSelects({ spec: { selector: { app: "web" } } }, labels), true);
  });
});

describe("policy backend-service-cluster-ip", () => {
  const app = [deployment("backend"), deployment("frontend")];

  it("passes ClusterIP (explicit or default) and a published frontend", async () => {
    const resources = [
      ...app,
      service("backend", { type: "ClusterIP" }),
      service("frontend", { type: "LoadBalancer" }),
      { ...service("backend"), name: "travel-backend-headless" },
    ];
    assert.deepEqual(messages(await validateStack(backendServiceClusterIp, resources)), []);
  });

  it("finds a backend Service by its selector, without the component label", async () => {
    const exposed = service("backend", { type: "LoadBalancer" }, {});
    const result = await validateStack(backendServiceClusterIp, [...app, exposed]);
    assert.deepEqual(result.violations, [
      {
        policy: "backend-service-cluster-ip",
        enforcementLevel: "mandatory",
        urn: fakeUrn(SERVICE, "travel-backend"),
        message:
          'Service "travel-backend-service" selects backend pods and is exposed outside the ' +
          "cluster (type LoadBalancer). Fix: make it type ClusterIP without externalIPs; only " +
          "the frontend is published, through the HTTPRoute.",
      },
    ]);
  });

  it("finds one by its label alone, and reports externalIPs", async () => {
    const nodePort = service("backend", { type: "NodePort", selector: { other: "x" } });
    const external = { ...service("backend", { externalIPs: ["203.0.113.7"] }), name: "ext" };
    assert.deepEqual(
      (await validateStack(backendServiceClusterIp, [nodePort, external])).violations.map((v) =>
        v.message.slice(0, v.message.indexOf(". Fix")),
      ),
      [
        'Service "travel-backend-service" selects backend pods and is exposed outside the cluster (type NodePort)',
        'Service "travel-backend-service" selects backend pods and is exposed outside the cluster (externalIPs)',
      ],
    );
  });
});

describe("policy backend-not-routed", () => {
  const base = [
    deployment("backend"),
    deployment("frontend"),
    service("backend"),
    service("frontend"),
  ];
  const to = (name: string, namespace?: string) => ({
    rules: [{ backendRefs: [{ name, port: 80, ...(namespace ? { namespace } : {}) }] }],
  });

  it("passes a route to the frontend", async () => {
    const r = route("travel-frontend", to("travel-frontend-service"));
    assert.deepEqual(messages(await validateStack(backendNotRouted, [...base, r])), []);
  });

  it("reports a route to the backend Service, on the route", async () => {
    const r = route("travel-frontend", to("travel-backend-service"));
    const result = await validateStack(backendNotRouted, [...base, r]);
    assert.deepEqual(result.violations, [
      {
        policy: "backend-not-routed",
        enforcementLevel: "mandatory",
        urn: fakeUrn(ROUTE, "travel-frontend"),
        message:
          'HTTPRoute "travel-frontend" routes to the backend Service "travel-backend-service". ' +
          "Fix: route only to the frontend Service; the frontend calls the backend inside the " +
          "cluster (REMOTE_ACTION_URL).",
      },
    ]);
  });

  it("matches the namespace of the reference", async () => {
    const elsewhere = route("other", to("travel-backend-service"), "other-ns");
    const crossNs = route("cross", to("travel-backend-service", NS), "other-ns");
    const result = await validateStack(backendNotRouted, [...base, elsewhere, crossNs]);
    assert.deepEqual(
      result.violations.map((v) => v.urn),
      [fakeUrn(ROUTE, "cross")],
    );
  });

  it("reports mirrors and Ingress backends too", async () => {
    const mirror = route("mirror", {
      rules: [
        {
          backendRefs: [{ name: "travel-frontend-service" }],
          filters: [
            {
              type: "RequestMirror",
              requestMirror: { backendRef: { name: "travel-backend-service" } },
            },
          ],
        },
      ],
    });
    const ingress: FakeResource = {
      type: "kubernetes:networking.k8s.io/v1:Ingress",
      name: "legacy",
      props: {
        metadata: { name: "legacy", namespace: NS },
        spec: {
          rules: [
            { http: { paths: [{ backend: { service: { name: "travel-backend-service" } } }] } },
          ],
        },
      },
    };
    const result = await validateStack(backendNotRouted, [...base, mirror, ingress]);
    assert.deepEqual(
      result.violations.map((v) => v.message.slice(0, v.message.indexOf(". Fix"))),
      [
        'HTTPRoute "mirror" routes to the backend Service "travel-backend-service"',
        'Ingress "legacy" routes to the backend Service "travel-backend-service"',
      ],
    );
  });
});

describe("policy backend-network-policy", () => {
  const ingressOnly = {
    podSelector: { matchLabels: selector("backend") },
    policyTypes: ["Ingress"],
  };

  it("passes a policy selecting the backend pods, or a namespace-wide one", async () => {
    const backend = deployment("backend");
    assert.deepEqual(
      messages(await validateStack(backendNetworkPolicy, [backend, netpol(ingressOnly)])),
      [],
    );
    const denyAll = netpol({ podSelector: {} });
    assert.deepEqual(messages(await validateStack(backendNetworkPolicy, [backend, denyAll])), []);
  });

  it("reports backend pods no ingress policy selects", async () => {
    const resources = [
      deployment("backend"),
      deployment("frontend"),
      netpol({ ...ingressOnly, policyTypes: ["Egress"] }),
      netpol(ingressOnly, "other-ns"),
      netpol({ podSelector: { matchLabels: selector("frontend") } }),
    ];
    const result = await validateStack(backendNetworkPolicy, resources);
    assert.deepEqual(result.violations, [
      {
        policy: "backend-network-policy",
        enforcementLevel: "mandatory",
        urn: fakeUrn(DEPLOYMENT, "travel-backend"),
        message:
          'Deployment "travel-backend": no NetworkPolicy restricts ingress to its pods. Fix: add ' +
          "one whose podSelector matches them and that admits only the frontend (the Backend " +
          "component creates it).",
      },
    ]);
  });
});

describe("policy pdb-for-replicated-deployments", () => {
  it("needs no budget for one replica", async () => {
    assert.deepEqual(
      messages(await validateStack(pdbForReplicatedDeployments, [deployment("frontend")])),
      [],
    );
  });

  it("reports two replicas without a matching budget", async () => {
    const d = deployment("frontend", () => {}, 2);
    const unrelated = pdb(selector("backend"));
    assert.deepEqual(messages(await validateStack(pdbForReplicatedDeployments, [d, unrelated])), [
      'Deployment "travel-frontend" runs 2 pods but no PodDisruptionBudget selects them. Fix: ' +
        "add a PodDisruptionBudget (maxUnavailable: 1) whose selector matches its pod labels " +
        "(the workload component creates one when replicas ≥ 2).",
    ]);
    const matching = pdb(selector("frontend"));
    assert.deepEqual(messages(await validateStack(pdbForReplicatedDeployments, [d, matching])), []);
  });

  it("counts an HPA's minReplicas instead of the live replica count", async () => {
    const scaled = deployment("frontend", (p) => delete p.spec.replicas);
    const two = await validateStack(pdbForReplicatedDeployments, [
      scaled,
      hpa("travel-frontend", 2),
    ]);
    assert.equal(two.violations.length, 1);
    const live = deployment("frontend", () => {}, 4);
    const one = await validateStack(pdbForReplicatedDeployments, [live, hpa("travel-frontend", 1)]);
    assert.deepEqual(one.violations, []);
  });
});

describe("policy prod-frontend-replicas", () => {
  const prod = { production: true };

  it("applies to the stack named prod, or when the config says so", () => {
    assert.equal(isProduction({}, "prod"), true);
    assert.equal(isProduction({}, "acme/travel/prod"), true);
    assert.equal(isProduction({}, "staging"), false);
    assert.equal(isProduction({ production: true }, "qa"), true);
    assert.equal(isProduction({ production: false }, "prod"), false);
  });

  it("is not applicable outside production (the mocks' stack is dev)", async () => {
    const result = await validateStack(prodFrontendReplicas, [deployment("frontend")]);
    assert.deepEqual(result, { violations: [], notApplicable: "not a production stack" });
  });

  it("requires 2 frontend pods in production", async () => {
    const result = await validateStack(
      prodFrontendReplicas,
      [deployment("frontend"), deployment("backend")],
      prod,
    );
    assert.deepEqual(messages(result), [
      'Deployment "travel-frontend": the production frontend runs 1 pod(s) (replicas); at least 2 ' +
        "are required. Fix: set travel:frontend.replicas (or autoscaling.minReplicas) to 2 or more.",
    ]);
    const two = await validateStack(
      prodFrontendReplicas,
      [deployment("frontend", () => {}, 2)],
      prod,
    );
    assert.deepEqual(messages(two), []);
  });

  it("reads the HPA's minReplicas and the configured minimum", async () => {
    const resources = [deployment("frontend", () => {}, 3), hpa("travel-frontend", 2)];
    const result = await validateStack(prodFrontendReplicas, resources, {
      ...prod,
      minFrontendReplicas: 3,
    });
    assert.match(messages(result)[0]!, /runs 2 pod\(s\) \(its HPA's minReplicas\); at least 3/);
  });
});

describe("policy namespace-pod-security-restricted", () => {
  const ns = (labels: Fields): FakeResource => ({
    type: "kubernetes:core/v1:Namespace",
    name: "travel",
    props: { metadata: { name: NS, labels } },
  });

  it("passes restricted", async () => {
    const result = await validateResource(
      namespaceRestricted,
      ns({ "pod-security.kubernetes.io/enforce": "restricted" }),
    );
    assert.deepEqual(messages(result), []);
  });

  it("reports a weaker or missing level", async () => {
    const baseline = await validateResource(
      namespaceRestricted,
      ns({ "pod-security.kubernetes.io/enforce": "baseline" }),
    );
    assert.deepEqual(messages(baseline), [
      'Namespace "app-travelexample": Pod Security enforce level is "baseline". Fix: label it ' +
        "pod-security.kubernetes.io/enforce: restricted (the Namespace component does).",
    ]);
    assert.match(
      messages(await validateResource(namespaceRestricted, ns({})))[0]!,
      /level is unset/,
    );
  });
});

describe("policy no-secrets-in-configmaps", () => {
  const configMap = (props: Fields): FakeResource => ({
    type: "kubernetes:core/v1:ConfigMap",
    name: "settings",
    props: { metadata: { name: "settings", namespace: NS }, ...props },
  });

  it("tells secret-looking names by whole segments", () => {
    const secret = [
      "OPENAI_API_KEY",
      "apiKey",
      "db.password",
      "GITHUB_TOKEN",
      "client-secret",
      "APIKEY",
    ];
    const plain = ["LOG_LEVEL", "KEYCLOAK_URL", "MONKEY", "TOKENIZER_MODEL", "REMOTE_ACTION_URL"];
    assert.deepEqual(secret.filter(looksSecret), secret);
    assert.deepEqual(plain.filter(looksSecret), []);
  });

  it("passes plain settings", async () => {
    const cm = configMap({ data: { LOG_LEVEL: "info", KEYCLOAK_URL: "https://id" } });
    assert.deepEqual(messages(await validateResource(noSecretsInConfigMaps, cm)), []);
  });

  it("reports each secret-looking key", async () => {
    const cm = configMap({
      data: { LOG_LEVEL: "info", OPENAI_API_KEY: "sk" },
      binaryData: { "db.password": "cw==" },
    });
    assert.deepEqual(messages(await validateResource(noSecretsInConfigMaps, cm)), [
      'ConfigMap "settings": key "OPENAI_API_KEY" looks like a secret. Fix: move it to a Secret ' +
        "(travel:appSecrets, set with --secret) and read it with secretKeyRef.",
      'ConfigMap "settings": key "db.password" looks like a secret. Fix: move it to a Secret ' +
        "(travel:appSecrets, set with --secret) and read it with secretKeyRef.",
    ]);
  });
});

describe("policy no-plain-secret-env", () => {
  const plainKey = deployment("frontend", (p) => {
    first(p).env.push({ name: "GOOGLE_MAPS_API_KEY", value: "AIza-public" });
  });

  it("passes secretKeyRef and plain non-secret values", async () => {
    assert.deepEqual(messages(await validateResource(noPlainSecretEnv, deployment("backend"))), []);
  });

  it("reports a plain value for a secret-looking name", async () => {
    assert.deepEqual(messages(await validateResource(noPlainSecretEnv, plainKey)), [
      'Deployment "travel-frontend", container "frontend": env "GOOGLE_MAPS_API_KEY" has a plain ' +
        'value. Fix: put the value in travel:appSecrets (--secret) and list "GOOGLE_MAPS_API_KEY" ' +
        "in travel:<workload>.secretEnv so it is read with valueFrom.secretKeyRef.",
    ]);
  });

  it("allows names the policy config lists", async () => {
    const result = await validateResource(noPlainSecretEnv, plainKey, {
      allowNames: ["GOOGLE_MAPS_API_KEY"],
    });
    assert.deepEqual(messages(result), []);
  });
});

describe("advisory policies", () => {
  it("route-hostnames: reports a route without hostnames", async () => {
    const named = route("r", { hostnames: ["travel.example.com"], rules: [] });
    assert.deepEqual(messages(await validateResource(routeHostnames, named)), []);
    const result = await validateResource(routeHostnames, route("r", { rules: [] }));
    assert.deepEqual(
      result.violations.map((v) => [v.enforcementLevel, v.message]),
      [
        [
          "advisory",
          'HTTPRoute "r" has no hostnames, so it answers every host the Gateway listener accepts. ' +
            "Fix: list the stack's hostnames (travel:hostnames).",
        ],
      ],
    );
  });

  it("pdb-allows-eviction: reports budgets that block every eviction", async () => {
    assert.equal(blocksEviction({ maxUnavailable: 1 }, 2), false);
    assert.equal(blocksEviction({ maxUnavailable: "0%" }, 2), true);
    assert.equal(blocksEviction({ minAvailable: 1 }, 2), false);
    assert.equal(blocksEviction({ minAvailable: 2 }, 2), true);
    assert.equal(blocksEviction({ minAvailable: "100%" }, 3), true);
    const d = deployment("frontend", () => {}, 2);
    const result = await validateStack(pdbAllowsEviction, [
      d,
      pdb(selector("frontend"), { maxUnavailable: 0 }),
    ]);
    assert.deepEqual(result.violations, [
      {
        policy: "pdb-allows-eviction",
        enforcementLevel: "advisory",
        urn: fakeUrn(PDB, "travel-frontend"),
        message:
          'PodDisruptionBudget "travel-frontend-pdb" allows no eviction of Deployment ' +
          '"travel-frontend" (2 pod(s)): node drains will hang. Fix: use maxUnavailable: 1, or a ' +
          "minAvailable below the replica count.",
      },
    ]);
  });

  it("hpa-target-requests: reports a target without the scaled resource's request", async () => {
    const ok = [deployment("frontend"), hpa("travel-frontend", 2)];
    assert.deepEqual(messages(await validateStack(hpaTargetRequests, ok)), []);
    const noCpu = deployment("frontend", (p) => delete first(p).resources.requests.cpu);
    const result = await validateStack(hpaTargetRequests, [
      noCpu,
      hpa("travel-frontend", 2),
      hpa("gone", 1),
    ]);
    assert.deepEqual(messages(result), [
      'HorizontalPodAutoscaler "travel-frontend-hpa" scales Deployment "travel-frontend" on cpu ' +
        'utilization, but its container "frontend" requests no cpu, so the utilization is ' +
        "undefined. Fix: set resources.requests.cpu.",
      'HorizontalPodAutoscaler "gone-hpa" targets Deployment "gone", which is not in this stack, ' +
        "so its resource requests cannot be checked. Fix: point scaleTargetRef at the Deployment " +
        "it scales.",
    ]);
  });
});

describe("the pack", () => {
  it("declares these mandatory and advisory policies, each in the README", () => {
    const level = (l: string) =>
      travelPolicies.filter((p) => p.enforcementLevel === l).map((p) => p.name);
    assert.deepEqual(level("mandatory"), [
      "images-pinned-by-digest",
      "container-resources",
      "pod-security-restricted",
      "read-only-root-filesystem",
      "container-probes",
      "backend-service-cluster-ip",
      "backend-not-routed",
      "backend-network-policy",
      "pdb-for-replicated-deployments",
      "prod-frontend-replicas",
      "namespace-pod-security-restricted",
      "no-secrets-in-configmaps",
      "no-plain-secret-env",
    ]);
    assert.deepEqual(level("advisory"), [
      "route-hostnames",
      "pdb-allows-eviction",
      "hpa-target-requests",
    ]);
    const readme = readFileSync(join(__dirname, "..", "..", "policy", "README.md"), "utf8");
    for (const p of travelPolicies) assert.ok(readme.includes(`\`${p.name}\``), p.name);
  });

  it("passes the program's composition with every optional object", async () => {
    const raw = validRaw();
    raw.gateway = { sectionName: "https", httpSectionName: "http", httpsRedirect: true };
    raw.backend = {
      replicas: 2,
      sharedState: true,
      autoscaling: { minReplicas: 2, maxReplicas: 4 },
    };
    raw.frontend = { autoscaling: { minReplicas: 2, maxReplicas: 6 } };
    const { resources } = await compose(raw);
    const violations = await runPack(travelPolicies, policyInputs(resources), {
      outputs: policyOutputs(resources),
    });
    assert.deepEqual(violations, []);
  });

  for (const stack of STACKS) {
    it(`passes the committed ${stack} stack`, async () => {
      const { resources } = await composeStackFile(
        stack,
        withSecretPlaceholders(loadStack(stack).raw),
      );
      const production = { production: stack === "prod" };
      const violations = await runPack(travelPolicies, policyInputs(resources), {
        outputs: policyOutputs(resources),
        config: { "prod-frontend-replicas": production },
      });
      assert.deepEqual(violations, []);
      const prodRule = await validateStack(
        prodFrontendReplicas,
        policyOutputs(resources),
        production,
      );
      assert.equal(prodRule.notApplicable, stack === "prod" ? undefined : "not a production stack");
    });
  }

  it("catches a production frontend of one replica", async () => {
    const raw = withSecretPlaceholders(loadStack("prod").raw);
    raw.frontend = { ...(raw.frontend as Fields), replicas: 1 };
    const { resources } = await composeStackFile("prod", raw);
    const violations = await runPack(travelPolicies, policyInputs(resources), {
      outputs: policyOutputs(resources),
      config: { "prod-frontend-replicas": { production: true } },
    });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.urn]),
      [["prod-frontend-replicas", fakeUrn(DEPLOYMENT, "travel-frontend")]],
    );
  });

  it("accepts a writable root filesystem with its reason, and catches one without", async () => {
    const raw = validRaw();
    raw.backend = { writableRootFilesystemReason: "uvicorn writes bytecode caches" };
    const { resources } = await compose(raw);
    const inputs = policyInputs(resources);
    const backend = inputs.find((r) => r.type === DEPLOYMENT && r.name === "travel-backend");
    const template = (backend?.props as FixtureDeployment).spec.template;
    assert.equal(template.spec.containers[0]?.securityContext.readOnlyRootFilesystem, false);
    assert.deepEqual(
      await runPack(travelPolicies, inputs, { outputs: policyOutputs(resources) }),
      [],
    );

    delete template.metadata.annotations[WRITABLE_ROOT_REASON];
    const violations = await runPack(travelPolicies, inputs, { outputs: policyOutputs(resources) });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.urn]),
      [["read-only-root-filesystem", fakeUrn(DEPLOYMENT, "travel-backend")]],
    );
  });

  it("catches a backend Service made public and routed", async () => {
    const { resources } = await compose(validRaw());
    const outputs = policyOutputs(resources).map((r): FakeResource => {
      if (r.type === SERVICE && r.name === "travel-backend") {
        return {
          ...r,
          props: { ...r.props, spec: { ...(r.props.spec as Fields), type: "LoadBalancer" } },
        };
      }
      if (r.type === ROUTE) {
        const spec = r.props.spec as { rules: Fields[] };
        const rules = [
          { ...spec.rules[0], backendRefs: [{ name: "travel-backend-service", port: 8000 }] },
        ];
        return { ...r, props: { ...r.props, spec: { ...spec, rules } } };
      }
      return r;
    });
    const violations = await runPack(travelPolicies, policyInputs(resources), { outputs });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.urn]),
      [
        ["backend-service-cluster-ip", fakeUrn(SERVICE, "travel-backend")],
        ["backend-not-routed", fakeUrn(ROUTE, "travel-frontend")],
      ],
    );
  });
});
