/**
 * Pod and container security: the Pod Security Standards "restricted" profile,
 * and a read-only root filesystem unless the workload states why it cannot.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { Container, PodSpec, podObjectOf } from "./k8s";
import { ANNOTATION } from "../../src/names";

/**
 * Pod template annotation that allows `readOnlyRootFilesystem: false`: its
 * (non-empty) value says why the workload needs a writable root filesystem.
 */
const WRITABLE_ROOT_REASON = ANNOTATION.writableRootReason;

/** The restricted-profile problems of one container, each as "what is wrong. Fix: ...". */
export function containerSecurityProblems(c: Container, pod: PodSpec): string[] {
  const sc = c.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  const problems: string[] = [];
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) {
    problems.push("runAsNonRoot is not true. Fix: set securityContext.runAsNonRoot: true");
  }
  if ((sc.runAsUser ?? podSc.runAsUser) === 0) {
    problems.push("runs as UID 0. Fix: set securityContext.runAsUser to a non-zero UID");
  }
  if (sc.allowPrivilegeEscalation !== false) {
    problems.push(
      "allowPrivilegeEscalation is not false. Fix: set securityContext.allowPrivilegeEscalation: false",
    );
  }
  if (sc.privileged === true) {
    problems.push("is privileged. Fix: remove securityContext.privileged");
  }
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
    problems.push(
      'does not drop all capabilities. Fix: set securityContext.capabilities.drop: ["ALL"]',
    );
  }
  const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
  if (added.length > 0) {
    problems.push(
      `adds capabilities ${added.join(", ")}. Fix: add none (NET_BIND_SERVICE at most)`,
    );
  }
  const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault") {
    problems.push(
      `seccomp profile is ${seccomp ?? "unset"}. Fix: set securityContext.seccompProfile.type: ` +
        "RuntimeDefault on the pod or the container",
    );
  }
  return problems;
}

export const podSecurityRestricted: ResourceValidationPolicy = {
  name: "pod-security-restricted",
  description:
    "Pods and containers run as non-root, without privilege escalation or host namespaces, " +
    "drop all capabilities and use the RuntimeDefault seccomp profile.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const object = podObjectOf(args);
    if (object === undefined) return;
    const pod = object.template.spec ?? {};
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (pod[field] === true) {
        reportViolation(`${object.what}: the pod sets ${field}: true. Fix: remove ${field}.`);
      }
    }
    for (const { container, where } of object.containers()) {
      for (const problem of containerSecurityProblems(container, pod)) {
        reportViolation(`${where}: ${problem}.`);
      }
    }
  },
};

export const readOnlyRootFilesystem: ResourceValidationPolicy = {
  name: "read-only-root-filesystem",
  description:
    `Every container has readOnlyRootFilesystem: true, unless the pod template's ` +
    `${WRITABLE_ROOT_REASON} annotation says why it needs a writable one.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const object = podObjectOf(args);
    if (object === undefined) return;
    const reason = object.template.metadata?.annotations?.[WRITABLE_ROOT_REASON];
    if (typeof reason === "string" && reason.trim() !== "") return;
    for (const { container, where } of object.containers()) {
      if (container.securityContext?.readOnlyRootFilesystem !== true) {
        reportViolation(
          `${where}: the root filesystem is writable. Fix: set ` +
            `securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it writes), or ` +
            `keep it writable and give the reason in the pod template annotation ` +
            `${WRITABLE_ROOT_REASON} (travel:<workload>.writableRootFilesystemReason sets both).`,
        );
      }
    }
  },
};
