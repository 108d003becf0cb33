/**
 * Gateway API on the local cluster: the standard-channel CRDs (from the pinned
 * sigs.k8s.io/gateway-api module), a TLS certificate the environment issued, and the
 * shared Gateway default/default-gateway, served by Traefik's kubernetesgateway
 * provider on the host. Traefik, not this script, writes the Gateway's and the
 * routes' status (Accepted, ResolvedRefs, Programmed).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { httpOk } from "../checks";
import type { Component } from "../component";
import { GATEWAY, KUBECONFIG, logOf } from "../layout";
import { fillFile } from "../template";
import { pki } from "./control-plane";

const CONTROLLER = "traefik.io/gateway-controller";
const PING = "127.0.0.1:10090";

export const gatewayApi: Component = {
  name: "gateway-api",
  summary: `Gateway API standard CRDs, GatewayClass ${GATEWAY.className}, Gateway ${GATEWAY.namespace}/${GATEWAY.name} (http :${GATEWAY.httpPort}, https :${GATEWAY.httpsPort})`,
  needs: ["kube-apiserver", "pki"],
  setup: (ctx) => {
    const dir = ctx.files("gateway-api");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    ctx.kubectl([
      "apply",
      "--server-side",
      "--force-conflicts",
      ...files.flatMap((f) => ["-f", join(dir, f)]),
    ]);
    // gateway.networking.k8s.io_httproutes.yaml holds the CRD httproutes.gateway.networking.k8s.io
    // (vap_*.yaml files hold admission policies).
    const crds = files.flatMap((f) => {
      const m = /^([a-z0-9.]+)_([a-z]+)\.yaml$/.exec(f);
      return m ? [`crd/${m[2]}.${m[1]}`] : [];
    });
    ctx.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...crds]);
    const secret = ctx.kubectl([
      "-n",
      GATEWAY.namespace,
      "create",
      "secret",
      "tls",
      GATEWAY.tlsSecret,
      "--cert",
      pki("gateway.crt"),
      "--key",
      pki("gateway.key"),
      "--dry-run=client",
      "-o",
      "yaml",
    ]);
    ctx.kubectl(["apply", "-f", "-"], { input: secret });
    ctx.kubectl(["apply", "-f", "-"], {
      input: fillFile("manifests/gateway.yaml", {
        className: GATEWAY.className,
        controller: CONTROLLER,
        name: GATEWAY.name,
        namespace: GATEWAY.namespace,
        httpPort: GATEWAY.httpPort,
        httpsPort: GATEWAY.httpsPort,
        tlsSecret: GATEWAY.tlsSecret,
      }),
    });
  },
  ready: {
    what: `Gateway ${GATEWAY.namespace}/${GATEWAY.name} exists`,
    timeoutSeconds: 10,
    check: (ctx) =>
      ctx.kubectl(["-n", GATEWAY.namespace, "get", "gateway", GATEWAY.name, "-o", "name"], {
        allowFail: true,
      }) !== "",
  },
};

export const traefik: Component = {
  name: "traefik",
  summary: `Traefik (Gateway API provider) on ${GATEWAY.address}:${GATEWAY.httpPort}/${GATEWAY.httpsPort}`,
  needs: ["gateway-api", "kube-proxy"],
  daemon: (ctx) => ({
    argv: [
      ctx.bin("traefik"),
      // Nothing leaves this machine: no version check, no usage statistics.
      "--global.checknewversion=false",
      "--global.sendanonymoususage=false",
      // Gateway listeners attach to the entry point with their port number.
      `--entrypoints.web.address=${GATEWAY.address}:${GATEWAY.httpPort}`,
      `--entrypoints.websecure.address=${GATEWAY.address}:${GATEWAY.httpsPort}`,
      `--entrypoints.traefik.address=${PING}`,
      "--ping=true",
      "--ping.entrypoint=traefik",
      "--providers.kubernetesgateway=true",
      `--providers.kubernetesgateway.statusaddress.ip=${GATEWAY.address}`,
      "--log.level=INFO",
      "--log.nocolor=true",
      "--accesslog=true",
      `--accesslog.filepath=${logOf("traefik-access")}`,
    ],
    // Out of a cluster, its Kubernetes client reads the kubeconfig named here.
    env: { KUBECONFIG },
  }),
  ready: {
    what: `ping answers and Gateway ${GATEWAY.name} is Programmed`,
    timeoutSeconds: 90,
    check: async (ctx) =>
      (await httpOk(`http://${PING}/ping`)) &&
      ctx.kubectl(
        [
          "-n",
          GATEWAY.namespace,
          "get",
          "gateway",
          GATEWAY.name,
          "-o",
          'jsonpath={.status.conditions[?(@.type=="Programmed")].status}',
        ],
        { allowFail: true },
      ) === "True",
  },
};
