/**
 * The pod security rules (policy/rules/security.ts): the restricted profile
 * and the read-only root filesystem.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deployment,
  first,
  FixtureDeployment,
  messages,
  podSpec,
  validateResource,
} from "../../support/policy";
import { podSecurityRestricted, readOnlyRootFilesystem } from "../../../policy/rules/security";
import { ANNOTATION } from "../../../src/names";

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
      if (reason !== undefined)
        p.spec.template.metadata.annotations[ANNOTATION.writableRootReason] = reason;
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
