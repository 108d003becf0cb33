/** The Debian packages the environment runs, installed with apt-get when missing. */
import { spawnSync } from "node:child_process";
import { logOf } from "./layout";
import { run } from "./sys";

export interface Package {
  readonly name: string;
  /** What needs it. */
  readonly for: string;
  installed(): boolean;
}

const pkg = (name: string, what: string): Package => ({
  name,
  for: what,
  installed: () =>
    spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" }).stdout.includes(
      "install ok installed",
    ),
});

export const PACKAGES: readonly Package[] = [
  pkg("supervisor", "running the components"),
  pkg("docker.io", "dockerd (the pause image build)"),
  pkg("docker-registry", "the registry"),
  pkg("apache2-utils", "htpasswd for the registry"),
  pkg("etcd-server", "etcd"),
  pkg("containerd", "the node's container runtime"),
  pkg("runc", "containerd and buildkitd"),
  pkg("containernetworking-plugins", "pod networking (bridge, host-local)"),
  pkg("iptables", "kube-proxy, kube-router, the guard chain"),
  pkg("ipset", "kube-router"),
  pkg("openssl", "the environment's certificates"),
  pkg("curl", "the URL check printed by npm run local"),
  pkg("mmdebstrap", "the base images (python, node) from Debian's packages"),
  pkg("socat", "the API server's address for pods (the kubernetes Service's endpoint)"),
];

export function ensurePackages(say: (m: string) => void): void {
  const missing = PACKAGES.filter((p) => !p.installed()).map((p) => p.name);
  if (missing.length === 0) return;
  const log = logOf("apt");
  say(`installing Debian packages: ${missing.join(" ")} (log: ${log})`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["apt-get", "install", "-y", "--no-install-recommends", ...missing];
  if (!run(install, { log, env, allowFail: true }).ok) {
    run(["apt-get", "update"], { log, env });
    run(install, { log, env });
  }
}
