/**
 * What the stack policies correlate: the stack's pod-bearing workloads (with
 * their pod labels, namespace and effective minimum replicas), Services and
 * label-selector matching, built once from `validateStack` resources.
 */
import type { PolicyResource } from "@pulumi/policy";
import { K8sObject, kindOf, LabelSelector, namespaceOf, podTemplateOf } from "./k8s";
import { LABEL } from "../../src/names";

/** A pod-bearing object of the stack. */
export interface PodWorkload {
  resource: PolicyResource;
  kind: string;
  name: string;
  namespace: string;
  /** Labels of the pods it creates. */
  podLabels: Record<string, string>;
  /** The fewest pods it runs: the HPA's minReplicas when an HPA targets it, else spec.replicas (default 1). */
  minReplicas: number;
  /** The HPA that owns its replica count, if any. */
  autoscaler?: PolicyResource;
}

/** Whether a label selector selects an object with `labels`. An empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>) {
  const byLabels = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector?.matchExpressions ?? []).every((e) => {
    const value = e.key === undefined ? undefined : labels[e.key];
    switch (e.operator) {
      case "In":
        return value !== undefined && (e.values ?? []).includes(value);
      case "NotIn":
        return value === undefined || !(e.values ?? []).includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

/** A Service's `spec.selector` (a plain map); an absent or empty one selects no pods. */
export function serviceSelects(service: K8sObject, labels: Record<string, string>): boolean {
  const selector = (service.spec?.selector ?? {}) as Record<string, string>;
  return Object.keys(selector).length > 0 && selects({ matchLabels: selector }, labels);
}

/** The resources of one Kind. */
export function ofKind(resources: PolicyResource[], kind: string): PolicyResource[] {
  return resources.filter((r) => kindOf(r.type) === kind);
}

/** The stack's pod-bearing workloads, with HPAs folded into their minimum replicas. */
export function workloadsOf(resources: PolicyResource[]): PodWorkload[] {
  const hpas = ofKind(resources, "HorizontalPodAutoscaler");
  const workloads: PodWorkload[] = [];
  for (const resource of resources) {
    const props = resource.props as K8sObject;
    const template = podTemplateOf(resource.type, props);
    const kind = kindOf(resource.type);
    if (template === undefined || kind === undefined) continue;
    const name = props.metadata?.name ?? resource.name;
    const namespace = namespaceOf(props);
    const autoscaler = hpas.find((h) => {
      const spec = (h.props as K8sObject).spec as
        { scaleTargetRef?: { kind?: string; name?: string } } | undefined;
      return (
        spec?.scaleTargetRef?.kind === kind &&
        spec.scaleTargetRef.name === name &&
        namespaceOf(h.props as K8sObject) === namespace
      );
    });
    const replicas = autoscaler
      ? ((autoscaler.props as K8sObject).spec?.minReplicas as number | undefined)
      : (props.spec?.replicas as number | undefined);
    workloads.push({
      resource,
      kind,
      name,
      namespace,
      podLabels: { ...(template.metadata?.labels ?? {}) },
      minReplicas: replicas ?? 1,
      ...(autoscaler ? { autoscaler } : {}),
    });
  }
  return workloads;
}

/** Workloads whose pods carry `app.kubernetes.io/component: <component>`. */
export function workloadsWithComponent(workloads: PodWorkload[], component: string): PodWorkload[] {
  return workloads.filter((w) => w.podLabels[LABEL.component] === component);
}
