/**
 * How a workload's pods spread over nodes and zones (its `topologySpread`): two
 * constraints of maxSkew 1 on the well-known node labels, counted per revision
 * (`pod-template-hash`), so that a rollout's new pods spread among themselves rather than
 * around the old ones they replace.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { TopologySpread } from "../names";

/** The node labels the kubelet and cloud providers set (well-known labels). */
export const TOPOLOGY_KEY = {
  hostname: "kubernetes.io/hostname",
  zone: "topology.kubernetes.io/zone",
} as const;

type Constraint = k8s.types.input.core.v1.TopologySpreadConstraint;

/**
 * The constraints for pods selected by `selector`, of a workload that may run
 * `maxReplicas`; none for a single pod or `none`. `required` makes the hostname constraint
 * hard; the zone one stays soft, since with DoNotSchedule a node without a zone label is
 * not eligible at all.
 */
export function topologySpread(
  spread: TopologySpread,
  maxReplicas: number,
  selector: Record<string, string>,
): Constraint[] {
  if (spread === "none" || maxReplicas < 2) return [];
  const constraint = (topologyKey: string, hard: boolean): Constraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: hard ? "DoNotSchedule" : "ScheduleAnyway",
    labelSelector: { matchLabels: { ...selector } },
    matchLabelKeys: ["pod-template-hash"],
  });
  return [
    constraint(TOPOLOGY_KEY.hostname, spread === "required"),
    constraint(TOPOLOGY_KEY.zone, false),
  ];
}
