/**
 * Where everything of the local environment lives: its state folder, sockets,
 * loopback addresses, the node's networks. One place, read by the components, the
 * tests and `local-env.sh env`.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** ${TRAVEL_LOCAL_STATE:-~/.local/state/travel-local}: logs, data, sockets, PKI. */
export const STATE =
  process.env.TRAVEL_LOCAL_STATE ?? join(homedir(), ".local", "state", "travel-local");
export const LOGS = join(STATE, "logs");
export const PKI = join(STATE, "pki");
export const KUBECONFIG = join(STATE, "kubeconfig");

/** The files and folders of one component. */
export const dirOf = (component: string) => join(STATE, component);
export const logOf = (component: string) => join(LOGS, `${component}.log`);

export const REGISTRY = {
  address: "127.0.0.1:5000",
  /**
   * Where the fault tests put a proxy in front of the registry (test/support/e2e/faults.ts):
   * BuildKit pushes to it over plain HTTP like to the registry itself.
   */
  faultProxy: "127.0.0.1:5001",
  /** The push user and its token (the local stack's registryToken); never printed. */
  user: "travel-ci",
  tokenFile: join(STATE, "registry-token"),
  /**
   * The pull user and its token (registryPullToken), for pull secrets. The registry's
   * htpasswd auth has no read-only users: separate credentials, the same rights.
   */
  pullUser: "travel-pull",
  pullTokenFile: join(STATE, "registry-pull-token"),
} as const;

export const DOCKER = {
  socket: join(STATE, "docker", "docker.sock"),
  /** DOCKER_CONFIG: the buildx builder entry, and never stored credentials. */
  config: join(STATE, "docker-config"),
  /** Debian's CLI (20.10) has the BuildKit client built in. */
  cli: "/usr/bin/docker",
} as const;

export const BUILDKIT = {
  socket: join(STATE, "buildkit", "buildkitd.sock"),
  /** The buildx "remote" builder the local stack names in images.builder. */
  builder: "travel-local",
} as const;

export const KUBE = {
  apiserver: "127.0.0.1:6443",
  etcdClient: "127.0.0.1:2379",
  etcdPeer: "127.0.0.1:2380",
  serviceCidr: "10.96.0.0/16",
  /** The first address of the service range: the `kubernetes` Service. */
  serviceIp: "10.96.0.1",
  clusterCidr: "10.244.0.0/16",
  clusterDomain: "cluster.local",
} as const;

/** The one real node: its bridge, pod subnet, and the host's address on the bridge. */
export const NODE = {
  name: "travel-node",
  bridge: "travel0",
  podCidr: "10.244.0.0/24",
  /** The host's address on the bridge: pods' gateway, kubelet's node IP, cluster DNS. */
  ip: "10.244.0.1",
  prefix: 24,
  containerdSocket: join(STATE, "containerd", "containerd.sock"),
  /** The pod sandbox image, built here (tools/local-env/pause). */
  pauseImage: "travel.local/pause:1",
  /** An iptables chain of our own in FORWARD: pod traffic never leaves the bridge. */
  guardChain: "TRAVEL-LOCAL-GUARD",
} as const;

/**
 * The Gateway (Traefik's Gateway API provider) listens on a loopback address of its own,
 * so ports 80/443 do not collide with anything on 127.0.0.1.
 */
export const GATEWAY = {
  address: "127.0.80.1",
  httpPort: 80,
  httpsPort: 443,
  name: "default-gateway",
  namespace: "default",
  className: "traefik",
  /** The TLS certificate covers these (the stacks' hostnames are under local.test). */
  certHosts: ["*.local.test", "local.test"],
  tlsSecret: "travel-local-tls",
} as const;

/**
 * The "external API" stand-in: an HTTPS server in a network namespace of its own, outside
 * the cluster's networks, on a documentation address (TEST-NET-2) that is public as far as
 * NetworkPolicy is concerned. The node routes only this /30 there (TEST-NET-1 and -3 are
 * this machine's own network and its package proxy's), from the pods' bridge and nowhere
 * else; its certificate, for its IP address (cluster DNS here forwards nothing, so it has
 * no name), comes from a CA of its own, as a public API's would.
 */
export const EXTERNAL = {
  netns: "travel-ext",
  /** The host's end of the veth pair, and its address (the namespace's way back). */
  hostVeth: "travel-ext0",
  hostIp: "198.51.100.9",
  /** The end inside the namespace, and the server's address. */
  peerVeth: "ext0",
  ip: "198.51.100.10",
  cidr: "198.51.100.8/30",
  prefix: 30,
  port: 443,
  /** The CA that signed its certificate (what its clients trust; not the cluster's CA). */
  caCert: join(PKI, "external-ca.crt"),
} as const;

export const CA_CERT = join(PKI, "ca.crt");
