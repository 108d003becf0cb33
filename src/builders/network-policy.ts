/**
 * The ingress rules of the backend's NetworkPolicy. In Istio's ambient mesh, traffic
 * between meshed pods arrives on the HBONE port (15008) of the secure overlay, and the
 * node agent sends kubelet's probes from a fixed link-local address; Istio's guidance is
 * that a NetworkPolicy for an ambient pod admits both, or the pod is unreachable and its
 * probes fail wherever the CNI enforces policy.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { MeshMode } from "../names";

/** Istio ambient's secure overlay (HBONE) port. */
export const HBONE_PORT = 15008;
/** The source address of kubelet probes rewritten by the ambient node agent. */
export const AMBIENT_PROBE_SOURCE = "169.254.7.127/32";

type Rule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

export function backendIngress(
  clients: Record<string, string>,
  appPort: number,
  meshMode: MeshMode,
): Rule[] {
  const ambient = meshMode === "ambient";
  return [
    {
      from: [{ podSelector: { matchLabels: clients } }],
      ports: [
        { port: appPort, protocol: "TCP" },
        ...(ambient ? [{ port: HBONE_PORT, protocol: "TCP" }] : []),
      ],
    },
    ...(ambient
      ? [
          {
            from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }],
            ports: [{ port: appPort, protocol: "TCP" }],
          },
        ]
      : []),
  ];
}
