/**
 * The component table, in start order (`down` walks it in reverse). Each entry is
 * described once in its own module; runner.ts is the one loop over them.
 */
import type { Component } from "../component";
import { apiserverEndpoint } from "./apiserver-endpoint";
import { baseImages } from "./base-images";
import { apiserver, certificates, controllerManager, etcd, scheduler } from "./control-plane";
import { kubeRouter } from "./firewall";
import { gatewayApi, traefik } from "./gateway";
import { buildkitd, dockerd, registry } from "./images";
import { externalApi, externalNet } from "./external";
import { network } from "./network";
import { containerd, coredns, kubelet, kubeProxy } from "./node";

export const COMPONENTS: readonly Component[] = [
  dockerd,
  buildkitd,
  registry,
  baseImages,
  certificates,
  etcd,
  apiserver,
  controllerManager,
  scheduler,
  network,
  apiserverEndpoint,
  externalNet,
  externalApi,
  containerd,
  kubelet,
  kubeProxy,
  coredns,
  kubeRouter,
  gatewayApi,
  traefik,
];
