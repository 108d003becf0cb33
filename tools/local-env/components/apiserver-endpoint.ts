/**
 * The API server as pods see it in a real cluster: the `kubernetes` Service (its first
 * service address) leads to it. The API server listens on loopback only, which an
 * endpoint may not hold, so socat (Debian) forwards the node's bridge address to it and an
 * EndpointSlice of ours names that address. Pods then reach it unless a NetworkPolicy
 * stops them, which is what the egress tests need to show.
 */
import { portOpen } from "../checks";
import type { Component } from "../component";
import { KUBE, NODE } from "../layout";

const PORT = Number(KUBE.apiserver.split(":")[1]);

/** The `kubernetes` Service's endpoints: the forwarder on the node's bridge address. */
const ENDPOINTS = {
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: {
    name: "kubernetes-travel-local",
    namespace: "default",
    labels: {
      "kubernetes.io/service-name": "kubernetes",
      "endpointslice.kubernetes.io/managed-by": "travel-local",
    },
  },
  addressType: "IPv4",
  endpoints: [{ addresses: [NODE.ip], conditions: { ready: true } }],
  ports: [{ name: "https", port: PORT, protocol: "TCP" }],
};

export const apiserverEndpoint: Component = {
  name: "apiserver-endpoint",
  summary: `the kubernetes Service's endpoint: ${NODE.ip}:${PORT} forwarded to ${KUBE.apiserver}`,
  needs: ["kube-apiserver", "network"],
  daemon: () => ({
    argv: ["socat", `TCP-LISTEN:${PORT},bind=${NODE.ip},reuseaddr,fork`, `TCP:${KUBE.apiserver}`],
    stopSeconds: 5,
  }),
  ready: {
    what: `${NODE.ip}:${PORT} accepts connections`,
    timeoutSeconds: 10,
    check: () => portOpen(NODE.ip, PORT),
  },
  setup: (ctx) => {
    ctx.kubectl(["apply", "-f", "-"], { input: JSON.stringify(ENDPOINTS) });
  },
};
