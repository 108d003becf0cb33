import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapChecksum } from "../../../src/builders/checksum";
import { dockerConfigJson } from "../../../src/builders/docker-config";
import { secretKeyEnv } from "../../../src/builders/env";
import { namespaceLabels, selectorLabels, workloadLabels } from "../../../src/builders/labels";
import { httpProbes } from "../../../src/builders/probes";
import { containerSecurityContext, podSecurityContext } from "../../../src/builders/security";

describe("labels", () => {
  const id = { name: "travel-backend", component: "backend", environment: "prod" } as const;

  it("selects by name and instance only, so descriptive labels can change", () => {
    assert.deepEqual(selectorLabels(id), {
      "app.kubernetes.io/name": "travel-backend",
      "app.kubernetes.io/instance": "prod",
    });
  });

  it("describes workloads with the recommended app.kubernetes.io labels", () => {
    assert.deepEqual(workloadLabels(id), {
      "app.kubernetes.io/name": "travel-backend",
      "app.kubernetes.io/instance": "prod",
      "app.kubernetes.io/component": "backend",
      "app.kubernetes.io/part-of": "coagents-travel",
      "app.kubernetes.io/managed-by": "pulumi",
    });
  });

  it("enforces restricted Pod Security and joins the mesh only in ambient mode", () => {
    assert.equal(namespaceLabels("dev", "ambient")["istio.io/dataplane-mode"], "ambient");
    assert.equal("istio.io/dataplane-mode" in namespaceLabels("dev", "none"), false);
    assert.equal(
      namespaceLabels("dev", "none")["pod-security.kubernetes.io/enforce"],
      "restricted",
    );
  });
});

describe("probes", () => {
  it("probes the named http port at each configured path", () => {
    const p = httpProbes({ startup: "/s", readiness: "/r", liveness: "/l" });
    assert.deepEqual(p.startupProbe.httpGet, { path: "/s", port: "http", scheme: "HTTP" });
    assert.deepEqual(p.readinessProbe.httpGet, { path: "/r", port: "http", scheme: "HTTP" });
    assert.deepEqual(p.livenessProbe.httpGet, { path: "/l", port: "http", scheme: "HTTP" });
    assert.equal(p.startupProbe.failureThreshold, 30);
    assert.equal(p.livenessProbe.periodSeconds, 20);
  });
});

describe("env", () => {
  it("references secrets by name and key, never by value", () => {
    assert.deepEqual(secretKeyEnv("OPENAI_API_KEY", "travel-secrets-x"), {
      name: "OPENAI_API_KEY",
      valueFrom: { secretKeyRef: { name: "travel-secrets-x", key: "OPENAI_API_KEY" } },
    });
  });
});

describe("docker config JSON", () => {
  it("holds the registry's basic auth in the format kubelet reads", () => {
    const json = JSON.parse(dockerConfigJson("ghcr.io", "bot", "t0k"));
    assert.deepEqual(json, {
      auths: { "ghcr.io": { username: "bot", password: "t0k", auth: "Ym90OnQwaw==" } },
    });
  });
});

describe("checksum", () => {
  it("ignores key order and changes with any value", () => {
    assert.equal(mapChecksum({ a: "1", b: "2" }), mapChecksum({ b: "2", a: "1" }));
    assert.notEqual(mapChecksum({ a: "1", b: "2" }), mapChecksum({ a: "1", b: "3" }));
    assert.match(mapChecksum({}), /^[0-9a-f]{64}$/);
  });
});

describe("security contexts", () => {
  it("meet the restricted profile", () => {
    assert.deepEqual(podSecurityContext().seccompProfile, { type: "RuntimeDefault" });
    assert.equal(podSecurityContext().runAsNonRoot, true);
    const c = containerSecurityContext(true);
    assert.equal(c.allowPrivilegeEscalation, false);
    assert.deepEqual(c.capabilities, { drop: ["ALL"] });
    assert.equal(c.readOnlyRootFilesystem, true);
    assert.equal(containerSecurityContext(false).readOnlyRootFilesystem, false);
  });
});
