/**
 * The backend rules (policy/rules/backend.ts): ClusterIP Services, no route
 * to the backend, a NetworkPolicy in front of its pods.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEPLOYMENT,
  deployment,
  FakeResource,
  fakeUrn,
  messages,
  netpol,
  NS,
  route,
  ROUTE,
  selector,
  service,
  SERVICE,
  validateStack,
} from "../../support/policy";
import {
  backendNetworkPolicy,
  backendNotRouted,
  backendServiceClusterIp,
} from "../../../policy/rules/backend";

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
