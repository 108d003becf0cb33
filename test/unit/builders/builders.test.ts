import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { mapChecksum } from "../../../src/builders/checksum";
import { dockerConfigJson } from "../../../src/builders/docker-config";
import { secretKeyEnv } from "../../../src/builders/env";
import { namespaceLabels, selectorLabels, workloadLabels } from "../../../src/builders/labels";
import { httpProbes } from "../../../src/builders/probes";
import { containerSecurityContext, podSecurityContext } from "../../../src/builders/security";
import { cpuMillis, memoryBytes } from "../../../src/config/quantity";
import { sourceRevision } from "../../../src/images/source-revision";

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

describe("quantities", () => {
  it("parses CPU and memory in every form Kubernetes accepts", () => {
    assert.equal(cpuMillis("500m"), 500);
    assert.equal(cpuMillis("1.5"), 1500);
    assert.equal(cpuMillis(".5"), 500);
    assert.equal(cpuMillis("2"), 2000);
    assert.equal(cpuMillis("1e-3"), 1);
    assert.equal(cpuMillis("+1"), 1000);
    assert.equal(memoryBytes("256Mi"), 256 * 2 ** 20);
    assert.equal(memoryBytes("1G"), 1e9);
    assert.equal(memoryBytes("1e9"), 1e9);
    assert.equal(memoryBytes("1E"), 1e18);
    assert.equal(memoryBytes("1.5Gi"), 1.5 * 2 ** 30);
    assert.ok(memoryBytes("1Gi") > memoryBytes("1G"));
    for (const bad of ["1 core", "1GB", "-1", "1.5.5", "Mi", "", "1e3m"]) {
      assert.throws(() => memoryBytes(bad), { message: `"${bad}" is not a Kubernetes quantity` });
    }
  });
});

describe("source revision", () => {
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  const git = (dir: string, ...args: string[]) =>
    execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
  const repo = () => {
    const dir = mkdtempSync(join(tmpdir(), "travel-src-"));
    git(dir, "init", "-q");
    git(dir, "config", "user.email", "t@example.invalid");
    git(dir, "config", "user.name", "t");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    git(dir, "add", ".");
    git(dir, "commit", "-qm", "init");
    return dir;
  };

  it("takes CI's commit for a context that is not a git checkout", () => {
    const dir = mkdtempSync(join(tmpdir(), "travel-nogit-"));
    assert.equal(sourceRevision(dir, { allowDirty: false, env: { GITHUB_SHA: SHA } }), SHA);
  });

  it("tags with the checkout's HEAD, and refuses a CI commit of another repository", () => {
    const dir = repo();
    const head = git(dir, "rev-parse", "HEAD");
    assert.equal(sourceRevision(dir, { allowDirty: false, env: { GITHUB_SHA: head } }), head);
    assert.throws(() => sourceRevision(dir, { allowDirty: false, env: { GITHUB_SHA: SHA } }), {
      message:
        `GITHUB_SHA=${SHA} names another commit than the build context's checkout ("${dir}" is at ${head}): ` +
        `refusing to label its image with a commit it was not built from; check out ${SHA} there, or unset GITHUB_SHA`,
    });
  });

  it("refuses an abbreviated CI SHA", () => {
    assert.throws(() => sourceRevision(".", { allowDirty: false, env: { GITHUB_SHA: "abc123" } }), {
      message: 'GITHUB_SHA="abc123" is not a full 40-character lowercase git SHA',
    });
  });

  it("uses the context's HEAD when clean", () => {
    const dir = repo();
    assert.equal(
      sourceRevision(dir, { allowDirty: false, env: {} }),
      git(dir, "rev-parse", "HEAD"),
    );
  });

  it("refuses a dirty context, or marks the tag when allowed", () => {
    const dir = repo();
    const head = git(dir, "rev-parse", "HEAD");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nLABEL x=y\n");
    assert.throws(() => sourceRevision(dir, { allowDirty: false, env: {} }), {
      message: `the build context "${dir}" has uncommitted changes at ${head}; commit them, or set images.allowDirty to true to tag the image "${head}-dirty-<hash>"`,
    });
    const tag = sourceRevision(dir, { allowDirty: true, env: {} });
    assert.match(tag, new RegExp(`^${head}-dirty-[0-9a-f]{12}$`));
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\nLABEL x=z\n");
    assert.notEqual(sourceRevision(dir, { allowDirty: true, env: {} }), tag);
  });

  it("explains a context outside git", () => {
    const dir = mkdtempSync(join(tmpdir(), "travel-nogit-"));
    assert.throws(
      () => sourceRevision(dir, { allowDirty: false, env: {} }),
      (err: Error) =>
        err.message.startsWith(
          `cannot tag the image built from "${dir}": it is not inside a git checkout`,
        ),
    );
  });
});
