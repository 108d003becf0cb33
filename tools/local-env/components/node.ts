/**
 * The one real node: containerd (Debian) with runc and the CNI bridge, kubelet and
 * kube-proxy (built from k8s.io/kubernetes), cluster DNS (CoreDNS). They run on the
 * host and talk to the API server on 127.0.0.1; pods reach DNS on the bridge address.
 */
import { cpSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { grpcOk, httpOk } from "../checks";
import type { Component, Context } from "../component";
import { CA_CERT, dirOf, DOCKER, EXTERNAL, KUBE, KUBECONFIG, NODE } from "../layout";
import { run } from "../sys";
import { render } from "../template";
import { removeChains } from "./firewall";

const containerdDir = dirOf("containerd");
const cniConfDir = join(dirOf("cni"), "net.d");
const ipamDir = join(dirOf("cni"), "ipam");
const ctr = (...args: string[]) => [
  "ctr",
  "--address",
  NODE.containerdSocket,
  "--namespace",
  "k8s.io",
  ...args,
];

/** The pod sandbox image, built here (a static binary FROM scratch) when containerd lacks it. */
function ensurePauseImage(ctx: Context): void {
  const listed = run(ctr("images", "ls", "-q"), { log: ctx.log }).stdout.split("\n");
  if (listed.includes(NODE.pauseImage)) return;
  const dir = dirOf("pause");
  mkdirSync(dir, { recursive: true });
  const src = join(__dirname, "..", "pause");
  run(["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", join(dir, "pause"), "."], {
    log: ctx.log,
    cwd: src,
    env: { CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-buildvcs=false" },
  });
  cpSync(join(src, "Dockerfile"), join(dir, "Dockerfile"));
  const docker = {
    log: ctx.log,
    env: {
      DOCKER_HOST: `unix://${DOCKER.socket}`,
      DOCKER_CONFIG: DOCKER.config,
      DOCKER_BUILDKIT: "1",
    },
  };
  run([DOCKER.cli, "build", "-q", "-t", NODE.pauseImage, dir], docker);
  run([DOCKER.cli, "save", "-o", join(dir, "pause.tar"), NODE.pauseImage], docker);
  run(ctr("images", "import", join(dir, "pause.tar")), { log: ctx.log });
}

export const containerd: Component = {
  name: "containerd",
  summary: `containerd (Debian) for the node, unix://${NODE.containerdSocket}, CNI bridge ${NODE.bridge}`,
  needs: ["network", "dockerd"],
  prepare: () => {
    const a = render("containerd.toml", join(containerdDir, "config.toml"), {
      root: join(containerdDir, "root"),
      state: join(containerdDir, "state"),
      socket: NODE.containerdSocket,
      pauseImage: NODE.pauseImage,
      cniConfDir,
    });
    const b = render("cni.conflist", join(cniConfDir, "10-travel-local.conflist"), {
      bridge: NODE.bridge,
      podCidr: NODE.podCidr,
      nodeIp: NODE.ip,
      serviceCidr: KUBE.serviceCidr,
      externalCidr: EXTERNAL.cidr,
      ipamDir,
    });
    return a || b;
  },
  daemon: () => ({ argv: ["/usr/bin/containerd", "--config", join(containerdDir, "config.toml")] }),
  ready: {
    what: "its CRI answers RuntimeService/Version (state recovered)",
    timeoutSeconds: 60,
    check: () => grpcOk(NODE.containerdSocket, "/runtime.v1.RuntimeService/Version"),
  },
  setup: ensurePauseImage,
  // Pods' containers outlive containerd (their shims are reparented): stop them first.
  beforeStop: (ctx) => {
    const opt = { log: ctx.log, allowFail: true };
    for (const id of run(ctr("tasks", "ls", "-q"), opt)
      .stdout.split("\n")
      .filter(Boolean)) {
      run(ctr("tasks", "kill", "--signal", "SIGKILL", id), opt);
    }
    for (const id of run(ctr("tasks", "ls", "-q"), opt)
      .stdout.split("\n")
      .filter(Boolean)) {
      run(ctr("tasks", "delete", "--force", id), opt);
    }
    for (const id of run(ctr("containers", "ls", "-q"), opt)
      .stdout.split("\n")
      .filter(Boolean)) {
      run(ctr("containers", "delete", id), opt);
    }
  },
  // Address leases of sandboxes that are gone (CNI DEL never ran for them).
  teardown: () => rmSync(ipamDir, { recursive: true, force: true }),
};

const kubeletDir = dirOf("kubelet");

/** The empty cgroups kubelet made under every v1 hierarchy, deepest first. */
function removeKubepodsCgroups(): void {
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(dir, e.name));
    try {
      rmdirSync(dir);
    } catch {
      // still in use, or not ours to remove
    }
  };
  for (const h of readdirSync("/sys/fs/cgroup", { withFileTypes: true })) {
    const root = join("/sys/fs/cgroup", h.name, "kubepods");
    try {
      walk(root);
    } catch {
      // no such hierarchy
    }
  }
}

export const kubelet: Component = {
  name: "kubelet",
  summary: `kubelet, node ${NODE.name} (${NODE.ip}), cgroup v1 with cgroupfs`,
  needs: ["kube-apiserver", "containerd"],
  prepare: () => {
    const resolvConf = join(kubeletDir, "resolv.conf");
    mkdirSync(kubeletDir, { recursive: true });
    writeFileSync(resolvConf, "");
    return render("kubelet.yaml", join(kubeletDir, "config.yaml"), {
      nodeIp: NODE.ip,
      ca: CA_CERT,
      containerdSocket: NODE.containerdSocket,
      dns: NODE.ip,
      clusterDomain: KUBE.clusterDomain,
      resolvConf,
      podLogsDir: join(kubeletDir, "pod-logs"),
    });
  },
  daemon: (ctx) => ({
    argv: [
      ctx.bin("kubelet"),
      "--config",
      join(kubeletDir, "config.yaml"),
      "--kubeconfig",
      KUBECONFIG,
      "--hostname-override",
      NODE.name,
      "--node-ip",
      NODE.ip,
      "--root-dir",
      join(kubeletDir, "root"),
      "--cert-dir",
      join(kubeletDir, "pki"),
    ],
  }),
  ready: {
    what: `healthz ok and node ${NODE.name} Ready`,
    timeoutSeconds: 90,
    check: async (ctx) =>
      (await httpOk("http://127.0.0.1:10248/healthz")) &&
      ctx.kubectl(
        [
          "get",
          "node",
          NODE.name,
          "-o",
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ],
        { allowFail: true },
      ) === "True",
  },
  teardown: removeKubepodsCgroups,
};

const proxyDir = dirOf("kube-proxy");

export const kubeProxy: Component = {
  name: "kube-proxy",
  summary: "kube-proxy (iptables mode): Service IPs on the node and the host",
  needs: ["kube-apiserver", "network"],
  prepare: () =>
    render("kube-proxy.yaml", join(proxyDir, "config.yaml"), {
      kubeconfig: KUBECONFIG,
      node: NODE.name,
      podCidr: NODE.podCidr,
      nodeIp: NODE.ip,
    }),
  daemon: (ctx) => ({ argv: [ctx.bin("kube-proxy"), "--config", join(proxyDir, "config.yaml")] }),
  ready: {
    what: "GET http://127.0.0.1:10256/healthz = 200",
    timeoutSeconds: 60,
    check: () => httpOk("http://127.0.0.1:10256/healthz"),
  },
  // `kube-proxy --cleanup` leaves the (empty) KUBE-FIREWALL chain and its jumps behind.
  teardown: (ctx) => {
    run([ctx.bin("kube-proxy"), "--cleanup"], { log: ctx.log, allowFail: true });
    for (const table of ["filter", "nat", "mangle"]) removeChains(ctx, table, /^KUBE-/);
  },
};

const dnsPorts = { healthPort: 10053, readyPort: 10054 };

export const coredns: Component = {
  name: "coredns",
  summary: `cluster DNS (CoreDNS) for ${KUBE.clusterDomain} on ${NODE.ip}:53, forwarding nothing`,
  needs: ["kube-apiserver", "network"],
  prepare: () =>
    render("Corefile", join(dirOf("coredns"), "Corefile"), {
      clusterDomain: KUBE.clusterDomain,
      nodeIp: NODE.ip,
      kubeconfig: KUBECONFIG,
      ...dnsPorts,
    }),
  daemon: (ctx) => ({ argv: [ctx.bin("coredns"), "-conf", join(dirOf("coredns"), "Corefile")] }),
  ready: {
    what: `GET http://127.0.0.1:${dnsPorts.readyPort}/ready = 200 (synced with the API server)`,
    timeoutSeconds: 60,
    check: () => httpOk(`http://127.0.0.1:${dnsPorts.readyPort}/ready`),
  },
};
