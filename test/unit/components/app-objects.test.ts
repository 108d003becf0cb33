import assert from "node:assert/strict";
import { before, describe, it, mock } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
  ofType,
  one,
  recorded,
  resetRecorded,
  secretContent,
  settle,
  valueOf,
} from "../../support/mocks";
import { compose } from "../../support/compose";
import { SECRET_VALUES, validRaw } from "../../support/fixtures";
import {
  driftWarning,
  labelDrift,
  Namespace,
  unreadNamespaceWarning,
} from "../../../src/components/namespace";
import { Secrets } from "../../../src/components/secrets";
import { DeletionGuard, GUARD_NOTE } from "../../../src/components/deletion-guard";
import { ACCEPTED_WAIT_FOR } from "../../../src/components/http-route";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const SECRET = "kubernetes:core/v1:Secret";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const APP_LABELS = {
  "app.kubernetes.io/part-of": "coagents-travel",
  "app.kubernetes.io/instance": "dev",
  "app.kubernetes.io/managed-by": "pulumi",
};

describe("Namespace", () => {
  before(() => compose(validRaw()));

  it("labels the namespace for the ambient mesh and restricted Pod Security", () => {
    assert.deepEqual(one(NAMESPACE, "travel").inputs.metadata, {
      name: "app-travelexample",
      labels: {
        ...APP_LABELS,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "istio.io/dataplane-mode": "ambient",
      },
    });
  });

  it("denies every pod of the namespace all ingress and egress its workload's policy does not admit", () => {
    assert.deepEqual(one(NETPOL, "travel-default-deny").inputs, {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { namespace: "app-travelexample", labels: APP_LABELS },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
  });

  it("has no mesh label when the mesh is off", async () => {
    const raw = validRaw();
    raw.meshMode = "none";
    raw.namespace = "travel-dev";
    await compose(raw);
    const ns = one(NAMESPACE, "travel").inputs.metadata;
    assert.equal(ns.name, "travel-dev");
    assert.equal(ns.labels["istio.io/dataplane-mode"], undefined);
    assert.equal(ns.labels["pod-security.kubernetes.io/enforce"], "restricted");
  });

  it("with createNamespace false, only reads the namespace and puts everything in it", async () => {
    const raw = validRaw();
    raw.createNamespace = false;
    raw.namespace = "travel-prod";
    const warn = mock.method(pulumi.log, "warn", () => Promise.resolve());
    await compose(raw, "prod");
    warn.mock.restore();
    // The mocked read returns a namespace without labels: every expected one is named.
    assert.deepEqual(
      warn.mock.calls.map((c) => c.arguments[0]),
      [
        driftWarning("travel-prod", [
          "app.kubernetes.io/part-of=coagents-travel",
          "app.kubernetes.io/instance=prod",
          "app.kubernetes.io/managed-by=pulumi",
          "pod-security.kubernetes.io/enforce=restricted",
          "pod-security.kubernetes.io/enforce-version=latest",
          "pod-security.kubernetes.io/audit=restricted",
          "pod-security.kubernetes.io/warn=restricted",
          "istio.io/dataplane-mode=ambient",
        ]),
      ],
    );
    const namespaces = ofType(NAMESPACE);
    assert.equal(namespaces.length, 1);
    assert.equal(namespaces[0]!.name, "travel", "the same name (so the same URN) as when created");
    assert.equal(namespaces[0]!.id, "travel-prod", "a read of the admin's namespace");
    assert.deepEqual(namespaces[0]!.inputs, {}, "nothing of it is written");
    const placed = recorded.filter((r) => r.type.startsWith("kubernetes:") && r.type !== NAMESPACE);
    assert.ok(placed.length > 10, `${placed.length} namespaced objects`);
    for (const r of placed) assert.equal(r.inputs.metadata.namespace, "travel-prod", r.name);
  });

  it("in a preview without a kubeconfig, uses the admin's namespace unread", async () => {
    resetRecorded();
    const ns = new Namespace("unread", {
      name: "travel-prod",
      environment: "prod",
      meshMode: "none",
      create: false,
      read: false,
    });
    assert.equal(await valueOf(ns.name), "travel-prod");
    await settle();
    assert.deepEqual(ofType(NAMESPACE), [], "neither created nor read");
    assert.equal(
      one(NETPOL, "unread-default-deny").inputs.metadata.namespace,
      "travel-prod",
      "the default-deny policy all the same",
    );
    assert.equal(
      unreadNamespaceWarning("travel-prod"),
      "createNamespace is false and this preview has no kubeconfig: namespace travel-prod is not read (a stack that created it shows it as deleted here; `pulumi up`, with the cluster, reads it and keeps it)",
    );
  });

  it("names the labels an admin-made namespace lacks, and the step that fixes them", () => {
    const expected = { a: "1", "istio.io/dataplane-mode": "ambient" };
    assert.deepEqual(
      labelDrift(expected, { a: "1", "istio.io/dataplane-mode": "ambient" }, "ambient"),
      [],
    );
    assert.deepEqual(labelDrift(expected, { a: "2" }, "ambient"), [
      "a=1",
      "istio.io/dataplane-mode=ambient",
    ]);
    assert.deepEqual(
      labelDrift({ a: "1" }, { a: "1", "istio.io/dataplane-mode": "ambient" }, "none"),
      ["no istio.io/dataplane-mode"],
    );
    assert.equal(
      driftWarning("travel-prod", ["a=1", "no istio.io/dataplane-mode"]),
      "namespace travel-prod lacks what the stack expects of it: a=1, no istio.io/dataplane-mode (the stack does not write it: run npm run bootstrap -- deployer --stack <stack> --apply)",
    );
  });

  it("creates the namespace by default (no read)", async () => {
    await compose(validRaw());
    assert.equal(one(NAMESPACE, "travel").id, undefined);
  });

  it("protects the namespace only when asked", () => {
    const seen = new Map<string, boolean | undefined>();
    const capture: pulumi.ResourceTransformation = (args) => {
      seen.set(args.name, args.opts.protect);
      return undefined;
    };
    new Namespace(
      "prod-ns",
      { name: "a", environment: "prod", meshMode: "none", protect: true },
      { transformations: [capture] },
    );
    new Namespace(
      "dev-ns",
      { name: "b", environment: "dev", meshMode: "none" },
      { transformations: [capture] },
    );
    assert.equal(seen.get("prod-ns"), true);
    assert.equal(seen.get("dev-ns"), false);
  });
});

describe("DeletionGuard", () => {
  it("puts a ConfigMap with a constant note in the app's namespace", async () => {
    await compose(validRaw());
    const guard = one(CONFIG_MAP, "travel-deletion-guard").inputs;
    assert.deepEqual(guard.metadata, {
      name: "travel-deletion-guard",
      namespace: "app-travelexample",
      labels: APP_LABELS,
    });
    assert.deepEqual(guard.data, { note: GUARD_NOTE });
  });

  it("depends on everything it guards and is protected only when asked", () => {
    const seen = new Map<string, pulumi.ResourceOptions>();
    const capture: pulumi.ResourceTransformation = (args) => {
      seen.set(args.name, args.opts);
      return undefined;
    };
    const guarded = new Namespace("guarded", { name: "g", environment: "prod", meshMode: "none" });
    for (const [name, protect] of [
      ["prod", true],
      ["dev", undefined],
    ] as const) {
      new DeletionGuard(
        name,
        { namespace: "g", labels: {}, guards: [guarded], protect },
        { transformations: [capture] },
      );
    }
    assert.equal(seen.get("prod-deletion-guard")?.protect, true);
    assert.equal(seen.get("dev-deletion-guard")?.protect, false);
    assert.deepEqual(seen.get("prod-deletion-guard")?.dependsOn, [guarded]);
  });
});

describe("Secrets", () => {
  before(() => compose(validRaw()));

  it("creates the app Secret from secret config, auto-named after the seed's travel-secrets", () => {
    const app = one(SECRET, "travel-secrets").inputs;
    assert.equal(app.type, "Opaque");
    assert.equal(app.metadata.name, undefined);
    assert.deepEqual(app.metadata.labels, APP_LABELS);
    assert.deepEqual(secretContent(app.stringData), {
      OPENAI_API_KEY: SECRET_VALUES.OPENAI_API_KEY,
      GOOGLE_MAPS_API_KEY: SECRET_VALUES.GOOGLE_MAPS_API_KEY,
    });
  });

  it("creates a dockerconfigjson pull secret from the read-only pull token, sent as a secret", () => {
    const pull = one(SECRET, "travel-registry").inputs;
    assert.equal(pull.type, "kubernetes.io/dockerconfigjson");
    const data = secretContent(pull.stringData) as Record<string, string>;
    assert.ok(data, "stringData must be a secret");
    const auth = Buffer.from(`ci-bot:${SECRET_VALUES.registryPullToken}`).toString("base64");
    assert.deepEqual(JSON.parse(data[".dockerconfigjson"]!), {
      auths: { "ghcr.io": { username: "ci-bot", password: SECRET_VALUES.registryPullToken, auth } },
    });
  });

  it("puts no pull secret into the cluster for a public registry, and never the push token", async () => {
    const raw = validRaw();
    raw.registry.public = true;
    delete raw.registryPullToken;
    await compose(raw);
    assert.deepEqual(
      ofType(SECRET).map((s) => s.name),
      ["travel-secrets"],
    );
    assert.equal(
      one(DEPLOYMENT, "travel-backend").inputs.spec.template.spec.imagePullSecrets,
      undefined,
    );

    const build = validRaw();
    build.images = { mode: "build", backend: { context: "b" }, frontend: { context: "f" } };
    build.registryToken = SECRET_VALUES.registryToken;
    build.registry.pullUsername = "reader";
    await compose(build);
    const pullData = secretContent(one(SECRET, "travel-registry").inputs.stringData) as Record<
      string,
      string
    >;
    const dockerConfig = JSON.parse(pullData[".dockerconfigjson"]!);
    assert.equal(dockerConfig.auths["ghcr.io"].username, "reader");
    assert.equal(dockerConfig.auths["ghcr.io"].password, SECRET_VALUES.registryPullToken);
    assert.ok(
      !JSON.stringify(recorded.filter((r) => r.type.startsWith("kubernetes:"))).includes(
        SECRET_VALUES.registryToken,
      ),
    );
  });

  it("refuses an env reference to a key it does not hold, naming the keys it has", () => {
    resetRecorded();
    const secrets = new Secrets("t", {
      namespace: "ns",
      labels: {},
      appSecrets: pulumi.secret({ A: "1" }),
      appSecretKeys: ["A", "B_KEY"],
      pull: { server: "ghcr.io", username: "u", token: pulumi.secret("t") },
    });
    assert.throws(() => secrets.envVar("OPENAI_API_KEY"), {
      message: 'Secrets: "OPENAI_API_KEY" is not an app secret key; expected one of A, B_KEY',
    });
  });

  it("gives a checksum of the keys asked for: not a secret, changed only by their values", async () => {
    const make = (openai: string, maps: string) =>
      new Secrets(`c-${openai}-${maps}`, {
        namespace: "ns",
        labels: {},
        appSecrets: pulumi.secret({ OPENAI_API_KEY: openai, GOOGLE_MAPS_API_KEY: maps }),
        appSecretKeys: ["OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY"],
        pull: { server: "ghcr.io", username: "u", token: pulumi.secret("t") },
      }).checksumOf(["OPENAI_API_KEY"]);
    const [a, b, c] = [make("one", "m"), make("two", "m"), make("one", "other")];
    assert.notEqual(await valueOf(a), await valueOf(b));
    assert.equal(await valueOf(a), await valueOf(c));
    assert.equal(await (a as unknown as { isSecret: Promise<boolean> }).isSecret, false);
    await settle();
  });
});

describe("HttpRoute", () => {
  it("routes / on the stack's hostnames to the frontend service and awaits acceptance", async () => {
    await compose(validRaw());
    const routes = ofType(ROUTE);
    assert.equal(routes.length, 1);
    const route = routes[0]!.inputs;
    assert.equal(route.apiVersion, "gateway.networking.k8s.io/v1");
    assert.equal(route.kind, "HTTPRoute");
    assert.deepEqual(route.metadata, {
      namespace: "app-travelexample",
      labels: APP_LABELS,
      annotations: { "pulumi.com/waitFor": ACCEPTED_WAIT_FOR },
    });
    assert.deepEqual(route.spec, {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "default-gateway",
          namespace: "default",
        },
      ],
      hostnames: ["travel.example.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ name: "travel-frontend-service", port: 3000 }],
        },
      ],
    });
  });

  it("never routes to the backend", async () => {
    await compose(validRaw());
    assert.ok(!JSON.stringify(ofType(ROUTE)).includes("travel-backend-service"));
  });

  it("adds an HTTP listener route that redirects to HTTPS, and can skip the await", async () => {
    const raw = validRaw();
    raw.gateway = {
      sectionName: "https",
      httpSectionName: "http",
      httpsRedirect: true,
      awaitAccepted: false,
    };
    await compose(raw);
    const main = one(ROUTE, "travel-frontend").inputs;
    const redirect = one(ROUTE, "travel-frontend-https-redirect").inputs;
    assert.deepEqual(main.metadata.annotations, {});
    assert.equal(main.spec.parentRefs[0].sectionName, "https");
    assert.deepEqual(redirect.spec, {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "default-gateway",
          namespace: "default",
          sectionName: "http",
        },
      ],
      hostnames: ["travel.example.com"],
      rules: [
        {
          filters: [
            { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
          ],
        },
      ],
    });
  });
});
