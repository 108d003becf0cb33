/**
 * The rules of the app's NetworkPolicies. The namespace denies all ingress and egress
 * (`defaultDenySpec`); each workload's policy then admits only what it needs:
 *
 * - frontend: in from the Gateway's namespace; out to cluster DNS and the backend;
 * - backend: in from the frontend; out to cluster DNS, public addresses on the external
 *   ports, and the stack's named exceptions (`network.allowEgress`).
 *
 * In Istio's ambient mesh, traffic between meshed pods travels to the HBONE port (15008) of
 * the destination pod, and the node agent sends kubelet's probes from a fixed link-local
 * address; Istio's guidance is that a NetworkPolicy for an ambient pod admits both, or the
 * pod is unreachable and its probes fail wherever the CNI enforces policy.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { NetworkConfig } from "../config/network-schema";
import type { MeshMode } from "../names";

/** Istio ambient's secure overlay (HBONE) port. */
export const HBONE_PORT = 15008;
/** The source address of kubelet probes rewritten by the ambient node agent. */
export const AMBIENT_PROBE_SOURCE = "169.254.7.127/32";
/** The label every namespace carries with its own name (Kubernetes sets it). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * IPv4 ranges that are never "external": this network (0/8), private (RFC 1918), shared
 * (100.64/10, some clusters' pods), loopback, link-local (169.254/16: cloud metadata at
 * 169.254.169.254), multicast and reserved. A stack reaches one only through a named
 * `network.allowEgress` exception.
 */
export const NON_PUBLIC_IPV4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/4",
  "240.0.0.0/4",
] as const;

type Ingress = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type Egress = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Labels = Record<string, string>;

const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: "TCP" }));

/** Every pod of the namespace: nothing in, nothing out, until a workload's policy admits it. */
export const defaultDenySpec: Spec = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };

/** A meshed pod's ports: the app's, and HBONE's in ambient mode. */
const meshPorts = (appPort: number, meshMode: MeshMode) =>
  tcp(appPort, ...(meshMode === "ambient" ? [HBONE_PORT] : []));

/** Ingress from `from` on the app's port, and the ambient node agent's probes. */
function ingressFrom(
  from: k8s.types.input.networking.v1.NetworkPolicyPeer[],
  appPort: number,
  meshMode: MeshMode,
): Ingress[] {
  return [
    { from, ports: meshPorts(appPort, meshMode) },
    ...(meshMode === "ambient"
      ? [{ from: [{ ipBlock: { cidr: AMBIENT_PROBE_SOURCE } }], ports: tcp(appPort) }]
      : []),
  ];
}

/** Cluster DNS over UDP and TCP: its pods, and any addresses the stack names. */
export function dnsEgress(dns: NetworkConfig["dns"]): Egress {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } },
        podSelector: { matchLabels: dns.podLabels },
      },
      ...dns.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ],
    ports: [
      { port: 53, protocol: "UDP" },
      { port: 53, protocol: "TCP" },
    ],
  };
}

export interface FrontendPolicyArgs {
  /** The Gateway's namespace: its pods alone may reach the frontend. */
  readonly gatewayNamespace: string;
  readonly appPort: number;
  /** The backend's selector labels and port: the one workload the frontend calls. */
  readonly backend: { readonly labels: Labels; readonly port: number };
  readonly meshMode: MeshMode;
  readonly network: NetworkConfig;
}

/** The frontend's policy: in from the Gateway, out to DNS and the backend. */
export function frontendPolicySpec(pods: Labels, a: FrontendPolicyArgs): Spec {
  return {
    podSelector: { matchLabels: pods },
    policyTypes: ["Ingress", "Egress"],
    ingress: ingressFrom(
      [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: a.gatewayNamespace } } }],
      a.appPort,
      a.meshMode,
    ),
    egress: [
      dnsEgress(a.network.dns),
      {
        to: [{ podSelector: { matchLabels: a.backend.labels } }],
        ports: meshPorts(a.backend.port, a.meshMode),
      },
    ],
  };
}

export interface BackendPolicyArgs {
  /** The frontend's selector labels: the only pods that may reach the backend. */
  readonly clients: Labels;
  readonly appPort: number;
  readonly meshMode: MeshMode;
  readonly network: NetworkConfig;
}

/** The backend's policy: in from the frontend, out to DNS, external APIs and the exceptions. */
export function backendPolicySpec(pods: Labels, a: BackendPolicyArgs): Spec {
  const n = a.network;
  return {
    podSelector: { matchLabels: pods },
    policyTypes: ["Ingress", "Egress"],
    ingress: ingressFrom([{ podSelector: { matchLabels: a.clients } }], a.appPort, a.meshMode),
    egress: [
      dnsEgress(n.dns),
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_IPV4, ...n.externalExcept] } }],
        ports: tcp(...n.externalPorts),
      },
      ...n.allowEgress.map((e) => ({
        to: [{ ipBlock: { cidr: e.cidr } }],
        ports: tcp(...e.ports),
      })),
    ],
  };
}
