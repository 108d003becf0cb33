import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ofType, one, Recorded } from "../../support/mocks";
import { fakeRollouts } from "../../support/rollouts";
import { compose, Composed } from "../../support/compose";
import { BACKEND_REF, FRONTEND_REF, SECRET_VALUES, SHA_A, validRaw } from "../../support/fixtures";
import { mapChecksum } from "../../../src/builders/checksum";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SA = "kubernetes:core/v1:ServiceAccount";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
/** The env ConfigMap's name: the workload's and a hash of its content. */
const ENV_MAP = (name: string, data: Record<string, string>) =>
  `${name}-env-${mapChecksum(data).slice(0, 10)}`;

const APP_SECRET = "travel-secrets-0a1b2c3d"; // the mock's auto-name for "travel-secrets"
const PULL_SECRET = "travel-registry-0a1b2c3d";
const CHECKSUM = mapChecksum({
  OPENAI_API_KEY: SECRET_VALUES.OPENAI_API_KEY,
  GOOGLE_MAPS_API_KEY: SECRET_VALUES.GOOGLE_MAPS_API_KEY,
});

/** Cluster DNS by default: the kube-dns pods of kube-system, UDP and TCP 53. */
const CLUSTER_DNS = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
};
/** Never "external": written out here, so a range dropped from the builder's list fails. */
const NON_PUBLIC = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/4",
  "240.0.0.0/4",
];

const selector = (name: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/instance": "dev",
});
const labels = (name: string, component: string) => ({
  ...selector(name),
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/part-of": "coagents-travel",
  "app.kubernetes.io/managed-by": "pulumi",
});
const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
  httpGet: { path, port: "http", scheme: "HTTP" },
  periodSeconds,
  timeoutSeconds: 2,
  failureThreshold,
});
const secretEnv = (key: string) => ({
  name: key,
  valueFrom: { secretKeyRef: { name: APP_SECRET, key } },
});
const container = (r: Recorded) => r.inputs.spec.template.spec.containers[0];

describe("Backend", () => {
  before(() => compose(validRaw()));

  it("registers the exact Deployment the seed describes", () => {
    const d = one(DEPLOYMENT, "travel-backend").inputs;
    assert.deepEqual(d.metadata, {
      namespace: "app-travelexample",
      labels: labels("travel-backend", "backend"),
      // Awaited by its Rollout instead (see src/components/rollout.ts); hand edits of
      // the fields set here are overwritten, not a field conflict.
      annotations: { "pulumi.com/skipAwait": "true", "pulumi.com/patchForce": "true" },
    });
    assert.deepEqual(d.spec, {
      replicas: 1,
      selector: { matchLabels: selector("travel-backend") },
      progressDeadlineSeconds: 120,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...labels("travel-backend", "backend"), "app.kubernetes.io/version": SHA_A },
          annotations: { "checksum/app-secrets": CHECKSUM },
        },
        spec: {
          serviceAccountName: "travel-backend-0a1b2c3d",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          imagePullSecrets: [{ name: PULL_SECRET }],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          // One pod: nothing to spread.
          topologySpreadConstraints: [],
          terminationGracePeriodSeconds: 40,
          containers: [
            {
              name: "backend",
              image: BACKEND_REF,
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: 8000, protocol: "TCP" }],
              envFrom: [{ configMapRef: { name: ENV_MAP("travel-backend", { HOME: "/tmp" }) } }],
              env: [secretEnv("OPENAI_API_KEY"), secretEnv("GOOGLE_MAPS_API_KEY")],
              resources: {
                requests: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "64Mi" },
                limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": "512Mi" },
              },
              startupProbe: probe("/docs", 5, 30),
              readinessProbe: probe("/docs", 10, 3),
              livenessProbe: probe("/docs", 20, 3),
              lifecycle: { preStop: { sleep: { seconds: 10 } } },
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          // /tmp on the node's disk, at most the container's ephemeral-storage limit.
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "512Mi" } }],
        },
      },
    });
  });

  it("lets Kubernetes name the Deployment; only the Service has the seed's fixed name", () => {
    assert.equal(one(DEPLOYMENT, "travel-backend").inputs.metadata.name, undefined);
    const svc = one(SERVICE, "travel-backend").inputs;
    assert.deepEqual(svc, {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "travel-backend-service",
        namespace: "app-travelexample",
        labels: labels("travel-backend", "backend"),
      },
      spec: {
        type: "ClusterIP",
        selector: selector("travel-backend"),
        ports: [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }],
      },
    });
  });

  it("admits only the frontend's pods in, on its port, HBONE's and ambient's probes; out, DNS and public HTTPS", () => {
    assert.deepEqual(one(NETPOL, "travel-backend").inputs.spec, {
      podSelector: { matchLabels: selector("travel-backend") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: selector("travel-frontend") } }],
          ports: [
            { port: 8000, protocol: "TCP" },
            { port: 15008, protocol: "TCP" },
          ],
        },
        {
          from: [{ ipBlock: { cidr: "169.254.7.127/32" } }],
          ports: [{ port: 8000, protocol: "TCP" }],
        },
      ],
      egress: [
        CLUSTER_DNS,
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: NON_PUBLIC } }],
          ports: [{ port: 443, protocol: "TCP" }],
        },
      ],
    });
  });

  it("outside the mesh, on the network the stack names: its DNS, ports, exclusions and exceptions", async () => {
    const raw = validRaw();
    raw.meshMode = "none";
    raw.network = {
      dns: { cidrs: ["10.244.0.1/32"] },
      externalPorts: [443, 8443],
      externalExcept: ["203.0.113.0/24"],
      allowEgress: [{ name: "trips-db", cidr: "10.20.0.5/32", ports: [5432] }],
    };
    await compose(raw);
    assert.deepEqual(one(NETPOL, "travel-backend").inputs.spec, {
      podSelector: { matchLabels: selector("travel-backend") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: selector("travel-frontend") } }],
          ports: [{ port: 8000, protocol: "TCP" }],
        },
      ],
      egress: [
        {
          to: [...CLUSTER_DNS.to, { ipBlock: { cidr: "10.244.0.1/32" } }],
          ports: CLUSTER_DNS.ports,
        },
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC, "203.0.113.0/24"] } }],
          ports: [
            { port: 443, protocol: "TCP" },
            { port: 8443, protocol: "TCP" },
          ],
        },
        { to: [{ ipBlock: { cidr: "10.20.0.5/32" } }], ports: [{ port: 5432, protocol: "TCP" }] },
      ],
    });
    assert.deepEqual(one(NETPOL, "travel-frontend").inputs.spec.ingress, [
      {
        from: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "default" } } },
        ],
        ports: [{ port: 3000, protocol: "TCP" }],
      },
    ]);
    await compose(validRaw());
  });

  it("runs as a ServiceAccount of its own, without an API token", () => {
    assert.deepEqual(one(SA, "travel-backend").inputs, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        namespace: "app-travelexample",
        labels: labels("travel-backend", "backend"),
        annotations: {},
      },
      automountServiceAccountToken: false,
    });
  });

  it("has no PodDisruptionBudget or autoscaler with one replica", () => {
    assert.deepEqual(
      ofType(PDB).map((r) => r.name),
      ["travel-frontend"],
    );
    assert.equal(ofType(HPA).length, 0);
  });

  it("never puts a secret value into a pod spec", () => {
    const specs = JSON.stringify(ofType(DEPLOYMENT).map((d) => d.inputs));
    for (const value of Object.values(SECRET_VALUES)) assert.ok(!specs.includes(value));
  });

  it("never sets privileged or host-level pod fields", () => {
    for (const d of ofType(DEPLOYMENT)) {
      const pod = d.inputs.spec.template.spec;
      for (const field of ["hostNetwork", "hostPID", "hostIPC", "nodeName"]) {
        assert.equal(pod[field], undefined, `${d.name} sets ${field}`);
      }
      assert.equal(container(d).command, undefined);
      assert.match(container(d).image, /@sha256:[0-9a-f]{64}$/);
    }
  });
});

describe("Frontend", () => {
  let stack: Composed;
  before(async () => {
    stack = await compose(validRaw());
  });

  it("admits the Gateway's namespace in (and ambient's HBONE and probes); out, only DNS and the backend", () => {
    assert.deepEqual(one(NETPOL, "travel-frontend").inputs, {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        namespace: "app-travelexample",
        labels: labels("travel-frontend", "frontend"),
      },
      spec: {
        podSelector: { matchLabels: selector("travel-frontend") },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "default" } } },
            ],
            ports: [
              { port: 3000, protocol: "TCP" },
              { port: 15008, protocol: "TCP" },
            ],
          },
          {
            from: [{ ipBlock: { cidr: "169.254.7.127/32" } }],
            ports: [{ port: 3000, protocol: "TCP" }],
          },
        ],
        egress: [
          CLUSTER_DNS,
          {
            to: [{ podSelector: { matchLabels: selector("travel-backend") } }],
            ports: [
              { port: 8000, protocol: "TCP" },
              { port: 15008, protocol: "TCP" },
            ],
          },
        ],
      },
    });
  });

  it("takes REMOTE_ACTION_URL from the Backend's service, in its env ConfigMap", () => {
    const data = {
      HOME: "/tmp",
      REMOTE_ACTION_URL: "http://travel-backend-service:8000/copilotkit",
    };
    const map = one(CONFIGMAP, "travel-frontend-env").inputs;
    assert.deepEqual(map.data, data);
    assert.equal(map.immutable, true);
    assert.deepEqual(container(one(DEPLOYMENT, "travel-frontend")).envFrom, [
      { configMapRef: { name: ENV_MAP("travel-frontend", data) } },
    ]);
    assert.deepEqual(container(one(DEPLOYMENT, "travel-frontend")).env, []);
    assert.ok(stack.resources.length > 0);
  });

  it("reads no app secret, so rotating one never rolls its pods", () => {
    const annotations = one(DEPLOYMENT, "travel-frontend").inputs.spec.template.metadata
      .annotations;
    assert.deepEqual(annotations, {});
  });

  it("rolls with the secrets it reads, and only those", async () => {
    const raw = validRaw();
    (raw.frontend as Record<string, unknown>) = {
      ...(raw.frontend as object),
      secretEnv: ["GOOGLE_MAPS_API_KEY"],
    };
    await compose(raw);
    assert.deepEqual(one(DEPLOYMENT, "travel-frontend").inputs.spec.template.metadata.annotations, {
      "checksum/app-secrets": mapChecksum({
        GOOGLE_MAPS_API_KEY: SECRET_VALUES.GOOGLE_MAPS_API_KEY,
      }),
    });
    assert.equal(
      one(DEPLOYMENT, "travel-backend").inputs.spec.template.metadata.annotations[
        "checksum/app-secrets"
      ],
      CHECKSUM,
    );
    stack = await compose(validRaw());
  });

  it("runs two replicas of the frontend image with the seed's resources", () => {
    const d = one(DEPLOYMENT, "travel-frontend").inputs;
    assert.equal(d.spec.replicas, 2);
    assert.equal(container({ inputs: d } as Recorded).image, FRONTEND_REF);
    assert.deepEqual(container({ inputs: d } as Recorded).resources, {
      requests: { cpu: "200m", memory: "256Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "512Mi" },
    });
    // Two pods: spread over nodes and zones, preferably, counted per revision.
    const spread = (key: string) => ({
      maxSkew: 1,
      topologyKey: key,
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: selector("travel-frontend") },
      matchLabelKeys: ["pod-template-hash"],
    });
    assert.deepEqual(d.spec.template.spec.topologySpreadConstraints, [
      spread("kubernetes.io/hostname"),
      spread("topology.kubernetes.io/zone"),
    ]);
    assert.deepEqual(container({ inputs: d } as Recorded).readinessProbe, probe("/", 10, 3));
  });

  it("keeps serving for drainSeconds once told to stop, then has the usual 30 s after SIGTERM", () => {
    const d = one(DEPLOYMENT, "travel-frontend").inputs;
    assert.deepEqual(container({ inputs: d } as Recorded).lifecycle, {
      preStop: { sleep: { seconds: 10 } },
    });
    assert.equal(d.spec.template.spec.terminationGracePeriodSeconds, 40);
  });

  it("gets a PodDisruptionBudget that keeps one pod up", () => {
    assert.deepEqual(one(PDB, "travel-frontend").inputs.spec, {
      maxUnavailable: 1,
      selector: { matchLabels: selector("travel-frontend") },
    });
  });

  it("exposes the seed's service on port 3000", () => {
    const svc = one(SERVICE, "travel-frontend").inputs;
    assert.equal(svc.metadata.name, "travel-frontend-service");
    assert.deepEqual(svc.spec.ports, [
      { name: "http", port: 3000, targetPort: "http", protocol: "TCP" },
    ]);
  });
});

describe("workload options", () => {
  it("has no preStop hook with drainSeconds 0", async () => {
    const raw = validRaw();
    raw.backend = { drainSeconds: 0 };
    await compose(raw);
    const d = one(DEPLOYMENT, "travel-backend").inputs;
    assert.equal(container({ inputs: d } as Recorded).lifecycle, undefined);
    assert.equal(d.spec.template.spec.terminationGracePeriodSeconds, 30);
  });

  it("hands replicas to an HPA when autoscaling is configured", async () => {
    const raw = validRaw();
    raw.frontend = { autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 70 } };
    await compose(raw);
    const d = one(DEPLOYMENT, "travel-frontend").inputs;
    assert.equal("replicas" in d.spec, false);
    assert.deepEqual(d.metadata.annotations, {
      "pulumi.com/skipAwait": "true",
      "pulumi.com/patchForce": "true",
    });
    assert.deepEqual(one(HPA, "travel-frontend").inputs.spec, {
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "travel-frontend-0a1b2c3d",
      },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
        },
      ],
    });
    assert.equal(one(PDB, "travel-frontend").inputs.spec.maxUnavailable, 1);
  });

  it("puts plain env in a ConfigMap named after its content; a writable root needs a reason, recorded on the pods", async () => {
    const raw = validRaw();
    const env = { LOG_LEVEL: "debug", A_FLAG: "1" };
    raw.backend = { env, writableRootFilesystemReason: "writes its cache under /app" };
    await compose(raw);
    const c = container(one(DEPLOYMENT, "travel-backend"));
    assert.deepEqual(
      one(CONFIGMAP, "travel-backend-env").inputs.metadata.name,
      ENV_MAP("travel-backend", env),
    );
    assert.deepEqual(c.envFrom, [{ configMapRef: { name: ENV_MAP("travel-backend", env) } }]);
    assert.notEqual(
      ENV_MAP("travel-backend", env),
      ENV_MAP("travel-backend", { ...env, LOG_LEVEL: "info" }),
    );
    assert.deepEqual(
      c.env.map((e: { name: string }) => e.name),
      ["OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY"],
    );
    assert.equal(c.securityContext.readOnlyRootFilesystem, false);
    assert.equal(
      one(DEPLOYMENT, "travel-backend").inputs.spec.template.metadata.annotations[
        "travel.example/writable-root-reason"
      ],
      "writes its cache under /app",
    );
    // Neither /tmp's emptyDir nor HOME: the image's own filesystem is writable.
    assert.deepEqual(c.volumeMounts, []);
    assert.deepEqual(one(DEPLOYMENT, "travel-backend").inputs.spec.template.spec.volumes, []);
  });

  it("points HOME into /tmp unless env sets it; sizes /tmp and the writable paths by the ephemeral-storage limit", async () => {
    const raw = validRaw();
    raw.frontend = {
      env: { HOME: "/home/app" },
      resources: { limits: { "ephemeral-storage": "2Gi" } },
    };
    await compose(raw);
    const map = one(CONFIGMAP, "travel-frontend-env").inputs.data as Record<string, string>;
    assert.equal(map.HOME, "/home/app");
    const front = one(DEPLOYMENT, "travel-frontend").inputs.spec.template.spec;
    assert.deepEqual(front.volumes, [
      { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
      { name: "writable-0", emptyDir: { sizeLimit: "2Gi" } },
    ]);
    // Next.js's cache in its standalone layout, by default; the backend writes only to /tmp.
    assert.deepEqual(front.containers[0].volumeMounts, [
      { name: "tmp", mountPath: "/tmp" },
      { name: "writable-0", mountPath: "/app/.next/cache" },
    ]);
    assert.deepEqual(
      one(DEPLOYMENT, "travel-backend").inputs.spec.template.spec.containers[0].volumeMounts,
      [{ name: "tmp", mountPath: "/tmp" }],
    );
  });

  it("spreads by topologySpread: required on nodes, never on zones; none; by maxReplicas", async () => {
    const spreadOf = async (frontend: Record<string, unknown>, backend = {}) => {
      const raw = validRaw();
      raw.frontend = frontend;
      raw.backend = backend;
      await compose(raw);
      const specOf = (name: string) => one(DEPLOYMENT, name).inputs.spec.template.spec;
      const whens = (name: string) =>
        (
          specOf(name).topologySpreadConstraints as {
            topologyKey: string;
            whenUnsatisfiable: string;
          }[]
        ).map((c) => `${c.topologyKey}=${c.whenUnsatisfiable}`);
      return { frontend: whens("travel-frontend"), backend: whens("travel-backend") };
    };
    assert.deepEqual((await spreadOf({ topologySpread: "required" })).frontend, [
      "kubernetes.io/hostname=DoNotSchedule",
      "topology.kubernetes.io/zone=ScheduleAnyway",
    ]);
    assert.deepEqual((await spreadOf({ topologySpread: "none" })).frontend, []);
    assert.deepEqual((await spreadOf({ replicas: 1 })).frontend, []);
    // An autoscaled backend that may run 3 pods spreads them, even while it runs 1.
    const scaled = await spreadOf(
      {},
      { sharedState: true, autoscaling: { minReplicas: 1, maxReplicas: 3 } },
    );
    assert.deepEqual(scaled.backend, [
      "kubernetes.io/hostname=ScheduleAnyway",
      "topology.kubernetes.io/zone=ScheduleAnyway",
    ]);
  });

  it("awaits each Deployment's rollout with the stack's limits, and puts the progress deadline on it", async () => {
    const raw = validRaw();
    raw.rolloutTimeoutSeconds = 90;
    raw.rolloutProgressDeadlineSeconds = 45;
    raw.rolloutMaxRestarts = 3;
    raw.rolloutUnschedulableSeconds = 20;
    fakeRollouts.reset();
    await compose(raw);
    const d = one(DEPLOYMENT, "travel-backend").inputs;
    assert.equal(d.spec.progressDeadlineSeconds, 45);
    assert.equal(d.metadata.annotations["pulumi.com/skipAwait"], "true");
    assert.deepEqual(fakeRollouts.awaited.map((a) => a.target.name).sort(), [
      "travel-backend-0a1b2c3d",
      "travel-frontend-0a1b2c3d",
    ]);
    for (const { target, limits } of fakeRollouts.awaited) {
      assert.equal(target.namespace, "app-travelexample");
      assert.equal(
        target.selector["app.kubernetes.io/name"],
        target.name.replace(/-0a1b2c3d$/, ""),
      );
      assert.deepEqual(
        { ...limits },
        {
          timeoutSeconds: 90,
          progressDeadlineSeconds: 45,
          maxRestarts: 3,
          unschedulableSeconds: 20,
        },
      );
    }
  });
});
