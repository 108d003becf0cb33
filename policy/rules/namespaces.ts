/** Every Namespace enforces the Pod Security Standards "restricted" profile. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeObject, K8sObject, kindOf } from "./k8s";
import { LABEL } from "../../src/names";

const ENFORCE_LABEL = LABEL.podSecurityEnforce;

export const namespaceRestricted: ResourceValidationPolicy = {
  name: "namespace-pod-security-restricted",
  description: `Every Namespace is labelled ${ENFORCE_LABEL}: restricted.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (kindOf(args.type) !== "Namespace") return;
    const props = args.props as K8sObject;
    const level = props.metadata?.labels?.[ENFORCE_LABEL];
    if (level !== "restricted") {
      reportViolation(
        `${describeObject(args.type, args.name, props)}: Pod Security enforce level is ` +
          `${level === undefined ? "unset" : `"${level}"`}. Fix: label it ` +
          `${ENFORCE_LABEL}: restricted (the Namespace component does).`,
      );
    }
  },
};
