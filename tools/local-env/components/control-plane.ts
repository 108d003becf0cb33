/**
 * The control plane: its certificates, etcd (Debian), kube-apiserver,
 * kube-controller-manager and kube-scheduler (built from k8s.io/kubernetes), all on
 * 127.0.0.1. Host processes reach it with the admin kubeconfig.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { httpOk } from "../checks";
import type { Component, Context } from "../component";
import { CA_CERT, dirOf, EXTERNAL, GATEWAY, KUBE, KUBECONFIG, NODE, PKI } from "../layout";
import { run } from "../sys";
import { render } from "../template";

export const pki = (name: string) => join(PKI, name);
const ADMIN = { cert: pki("admin.crt"), key: pki("admin.key") };

/** A key and a certificate signed by the local CA (again when its extensions changed). */
export function issue(
  ctx: Context,
  name: string,
  subject: string,
  usage: string,
  sans: readonly string[] = [],
  ca: { cert: string; key: string } = { cert: CA_CERT, key: pki("ca.key") },
): void {
  const ext = pki(`${name}.cnf`);
  // Issued again when its extensions (names, addresses) or its CA changed since.
  const changed = render("cert-extensions.cnf", ext, {
    name,
    ca: ca.cert,
    usage,
    san: sans.length ? `subjectAltName = ${sans.join(", ")}` : "",
  });
  if (existsSync(pki(`${name}.crt`)) && !changed) return;
  const log = { log: ctx.log };
  run(["openssl", "genrsa", "-out", pki(`${name}.key`), "2048"], log);
  run(
    [
      "openssl",
      "req",
      "-new",
      "-key",
      pki(`${name}.key`),
      "-subj",
      subject,
      "-out",
      pki(`${name}.csr`),
    ],
    log,
  );
  run(
    [
      "openssl",
      "x509",
      "-req",
      "-in",
      pki(`${name}.csr`),
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-CAcreateserial",
      "-days",
      "3650",
      "-extfile",
      ext,
      "-out",
      pki(`${name}.crt`),
    ],
    log,
  );
}

const EXTERNAL_CA = { cert: EXTERNAL.caCert, key: pki("external-ca.key") };

/** A self-signed CA, unless there is one. */
function makeCa(
  ctx: Context,
  ca: { cert: string; key: string },
  subject: string,
  extensions: readonly string[] = [],
): void {
  if (existsSync(ca.cert)) return;
  const log = { log: ctx.log };
  run(["openssl", "genrsa", "-out", ca.key, "2048"], log);
  run(
    [
      "openssl",
      "req",
      "-x509",
      "-new",
      "-key",
      ca.key,
      "-subj",
      subject,
      ...extensions,
      "-days",
      "3650",
      "-out",
      ca.cert,
    ],
    log,
  );
}

export const certificates: Component = {
  name: "pki",
  summary: `a CA of its own, API server, admin, Gateway and external API certificates in ${PKI}`,
  needs: [],
  setup: (ctx) => {
    mkdirSync(PKI, { recursive: true, mode: 0o700 });
    makeCa(ctx, { cert: CA_CERT, key: pki("ca.key") }, "/CN=travel-local-ca");
    // The external API's, as a public API's certificate comes from a CA of its own. With
    // the key usage Python 3.13's strict verification requires of a CA (the cluster's CA
    // predates that and has none).
    makeCa(ctx, EXTERNAL_CA, "/CN=travel-external-ca", [
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    issue(ctx, "apiserver", "/CN=kube-apiserver", "serverAuth", [
      "IP:127.0.0.1",
      `IP:${KUBE.serviceIp}`,
      `IP:${NODE.ip}`,
      "DNS:localhost",
      "DNS:kubernetes",
      "DNS:kubernetes.default",
      "DNS:kubernetes.default.svc",
      `DNS:kubernetes.default.svc.${KUBE.clusterDomain}`,
    ]);
    issue(ctx, "admin", "/O=system:masters/CN=travel-admin", "clientAuth");
    issue(
      ctx,
      "gateway",
      "/CN=travel-local-gateway",
      "serverAuth",
      GATEWAY.certHosts.map((h) => `DNS:${h}`),
    );
    issue(
      ctx,
      "external-api",
      "/CN=travel-external-api",
      "serverAuth",
      [`IP:${EXTERNAL.ip}`],
      EXTERNAL_CA,
    );
    if (!existsSync(pki("sa.key"))) {
      const log = { log: ctx.log };
      run(["openssl", "genrsa", "-out", pki("sa.key"), "2048"], log);
      run(["openssl", "rsa", "-in", pki("sa.key"), "-pubout", "-out", pki("sa.pub")], log);
    }
    render(
      "kubeconfig.yaml",
      KUBECONFIG,
      { apiserver: KUBE.apiserver, ca: CA_CERT, ...ADMIN },
      0o600,
    );
  },
  ready: {
    what: "every certificate and the admin kubeconfig exist",
    timeoutSeconds: 1,
    check: () =>
      ["ca.crt", "apiserver.crt", "admin.crt", "gateway.crt", "external-api.crt", "sa.pub"].every(
        (f) => existsSync(pki(f)),
      ) && existsSync(KUBECONFIG),
  },
};

export const etcd: Component = {
  name: "etcd",
  summary: `etcd (Debian etcd-server) on http://${KUBE.etcdClient}`,
  needs: [],
  daemon: () => ({
    argv: [
      "/usr/bin/etcd",
      "--name",
      "travel",
      "--data-dir",
      join(dirOf("etcd"), "data"),
      "--listen-client-urls",
      `http://${KUBE.etcdClient}`,
      "--advertise-client-urls",
      `http://${KUBE.etcdClient}`,
      "--listen-peer-urls",
      `http://${KUBE.etcdPeer}`,
      "--initial-advertise-peer-urls",
      `http://${KUBE.etcdPeer}`,
      "--initial-cluster",
      `travel=http://${KUBE.etcdPeer}`,
      // The API server's watch cache of a resource moves on with its events or with
      // etcd's progress notifications (every 10 min by default; kube-apiserver does not
      // request them from an etcd this old). After an API server restart a client that
      // re-watches from a newer revision got "Too large resource version" until then:
      // controllers, kube-proxy and Traefik lagged 13 s or more behind pod changes.
      "--experimental-watch-progress-notify-interval",
      "1s",
      "--logger",
      "zap",
    ],
  }),
  ready: {
    what: `GET http://${KUBE.etcdClient}/health reports health true`,
    timeoutSeconds: 30,
    check: () => httpOk(`http://${KUBE.etcdClient}/health`, { body: '"health":"true"' }),
  },
};

/**
 * A controller process: a client of the API server with the admin kubeconfig
 * (system:masters), serving its healthz on 127.0.0.1:port, the only instance (no election).
 */
function controllerArgs(port: number): string[] {
  return [
    "--kubeconfig",
    KUBECONFIG,
    "--authentication-kubeconfig",
    KUBECONFIG,
    "--authorization-kubeconfig",
    KUBECONFIG,
    "--bind-address",
    "127.0.0.1",
    "--secure-port",
    String(port),
    "--leader-elect=false",
    "--profiling=false",
  ];
}

const healthz = (port: number) => ({
  what: `GET https://127.0.0.1:${port}/healthz = 200`,
  timeoutSeconds: 60,
  check: () => httpOk(`https://127.0.0.1:${port}/healthz`, { insecure: true }),
});

export const apiserver: Component = {
  name: "kube-apiserver",
  summary: `kube-apiserver on https://${KUBE.apiserver}`,
  needs: ["pki", "etcd"],
  daemon: (ctx) => ({
    argv: [
      ctx.bin("kube-apiserver"),
      "--etcd-servers",
      `http://${KUBE.etcdClient}`,
      "--bind-address",
      "127.0.0.1",
      "--advertise-address",
      "127.0.0.1",
      "--secure-port",
      KUBE.apiserver.split(":")[1]!,
      // Its address is loopback, which a `kubernetes` Endpoints object may not hold.
      "--endpoint-reconciler-type",
      "none",
      "--service-cluster-ip-range",
      KUBE.serviceCidr,
      "--client-ca-file",
      CA_CERT,
      "--tls-cert-file",
      pki("apiserver.crt"),
      "--tls-private-key-file",
      pki("apiserver.key"),
      "--kubelet-client-certificate",
      ADMIN.cert,
      "--kubelet-client-key",
      ADMIN.key,
      // The node's name does not resolve here; its address does (logs, exec, port-forward).
      "--kubelet-preferred-address-types",
      "InternalIP",
      "--service-account-issuer",
      `https://kubernetes.default.svc.${KUBE.clusterDomain}`,
      "--service-account-key-file",
      pki("sa.pub"),
      "--service-account-signing-key-file",
      pki("sa.key"),
      "--authorization-mode",
      "Node,RBAC",
      // Debian's etcd (3.4.23) lacks the progress notifications streaming lists need;
      // with WatchList off every client falls back to LIST+WATCH at once.
      "--feature-gates",
      "WatchList=false",
      "--profiling=false",
    ],
    // On SIGTERM it stops listening at once (its log says so), then its process lingered
    // until supervisord killed it: 30 s of every `down` and of the fault test's stop,
    // with nothing left to serve.
    stopSeconds: 5,
  }),
  ready: {
    what: `GET https://${KUBE.apiserver}/readyz = 200`,
    timeoutSeconds: 90,
    check: () => httpOk(`https://${KUBE.apiserver}/readyz`, { ca: CA_CERT, ...ADMIN }),
  },
};

export const controllerManager: Component = {
  name: "kube-controller-manager",
  summary: "kube-controller-manager (every default controller; node CIDR allocation)",
  needs: ["kube-apiserver"],
  daemon: (ctx) => ({
    argv: [
      ctx.bin("kube-controller-manager"),
      ...controllerArgs(10257),
      "--service-account-private-key-file",
      pki("sa.key"),
      "--root-ca-file",
      CA_CERT,
      "--allocate-node-cidrs=true",
      // One node: the cluster's pod range is that node's range.
      "--cluster-cidr",
      NODE.podCidr,
      "--node-cidr-mask-size",
      String(NODE.prefix),
      "--service-cluster-ip-range",
      KUBE.serviceCidr,
    ],
  }),
  ready: healthz(10257),
};

export const scheduler: Component = {
  name: "kube-scheduler",
  summary: "kube-scheduler",
  needs: ["kube-apiserver"],
  daemon: (ctx) => ({ argv: [ctx.bin("kube-scheduler"), ...controllerArgs(10259)] }),
  ready: healthz(10259),
};
