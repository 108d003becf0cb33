/**
 * The "external API" stand-in, reached from the cluster only as the internet would be:
 * outside every cluster network, through the node's routing, over TLS. `external-net` makes
 * a network namespace with a veth pair to the host and lets the pods' bridge (and nothing
 * else) forward to it; `external-api` runs an HTTPS server inside it. NetworkPolicy decides
 * which pods get there: nothing here admits or denies one pod more than another.
 */
import { join } from "node:path";
import { httpOk, succeeds } from "../checks";
import type { Component, Context } from "../component";
import { EXTERNAL, NODE, PKI } from "../layout";
import { run } from "../sys";

/** Guard exceptions: the bridge may forward to this range and hear back from it, no more. */
const GUARD_EXCEPTIONS = [
  ["-i", NODE.bridge, "-o", EXTERNAL.hostVeth, "-d", EXTERNAL.cidr, "-j", "RETURN"],
  ["-i", EXTERNAL.hostVeth, "-o", NODE.bridge, "-s", EXTERNAL.cidr, "-j", "RETURN"],
];

const inNetns = (...argv: string[]) => ["ip", "netns", "exec", EXTERNAL.netns, ...argv];

function peerHasAddress(): boolean {
  const res = run(inNetns("ip", "-4", "-o", "addr", "show", "dev", EXTERNAL.peerVeth), {
    log: "/dev/null",
    allowFail: true,
  });
  return res.ok && res.stdout.includes(`${EXTERNAL.ip}/${EXTERNAL.prefix}`);
}

const guarded = () =>
  GUARD_EXCEPTIONS.every((r) => succeeds(["iptables", "-w", "-C", NODE.guardChain, ...r]));

/** A route of the host's own to the range (another network uses it): the stand-in would hide it. */
function rangeInUse(): string | undefined {
  const routes = run(["ip", "-4", "route", "show", "match", EXTERNAL.ip], {
    log: "/dev/null",
    allowFail: true,
  }).stdout;
  return routes
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("default") && !l.includes(`dev ${EXTERNAL.hostVeth}`));
}

export const externalNet: Component = {
  name: "external-net",
  summary: `network namespace ${EXTERNAL.netns} (${EXTERNAL.cidr}), routed from ${NODE.bridge} only`,
  needs: ["network"],
  setup: (ctx: Context) => {
    const log = { log: ctx.log };
    const taken = rangeInUse();
    if (taken !== undefined)
      throw new Error(
        `${EXTERNAL.cidr} is routed on this host already (${taken}): change EXTERNAL in tools/local-env/layout.ts`,
      );
    if (!succeeds(["ip", "netns", "pids", EXTERNAL.netns]))
      run(["ip", "netns", "add", EXTERNAL.netns], log);
    if (!succeeds(["ip", "link", "show", "dev", EXTERNAL.hostVeth])) {
      run(
        [
          "ip",
          "link",
          "add",
          EXTERNAL.hostVeth,
          "type",
          "veth",
          "peer",
          "name",
          EXTERNAL.peerVeth,
          "netns",
          EXTERNAL.netns,
        ],
        log,
      );
      run(
        ["ip", "addr", "add", `${EXTERNAL.hostIp}/${EXTERNAL.prefix}`, "dev", EXTERNAL.hostVeth],
        log,
      );
    }
    run(["ip", "link", "set", EXTERNAL.hostVeth, "up"], log);
    if (!peerHasAddress())
      run(
        inNetns("ip", "addr", "add", `${EXTERNAL.ip}/${EXTERNAL.prefix}`, "dev", EXTERNAL.peerVeth),
        log,
      );
    run(inNetns("ip", "link", "set", "lo", "up"), log);
    run(inNetns("ip", "link", "set", EXTERNAL.peerVeth, "up"), log);
    // The way back to the pods; the namespace has no other route off its own link.
    run(inNetns("ip", "route", "replace", NODE.podCidr, "via", EXTERNAL.hostIp), log);
    for (const r of GUARD_EXCEPTIONS) {
      if (!succeeds(["iptables", "-w", "-C", NODE.guardChain, ...r]))
        run(["iptables", "-w", "-I", NODE.guardChain, "1", ...r], log);
    }
  },
  ready: {
    what: `${EXTERNAL.netns} holds ${EXTERNAL.ip} and ${NODE.guardChain} lets ${NODE.bridge} reach it`,
    timeoutSeconds: 5,
    check: () => peerHasAddress() && guarded(),
  },
  teardown: (ctx) => {
    const opt = { log: ctx.log, allowFail: true };
    for (const r of GUARD_EXCEPTIONS) {
      while (run(["iptables", "-w", "-D", NODE.guardChain, ...r], opt).ok);
    }
    // Deleting the host's end deletes the pair.
    run(["ip", "link", "del", EXTERNAL.hostVeth], opt);
    run(["ip", "netns", "del", EXTERNAL.netns], opt);
  },
};

export const externalApi: Component = {
  name: "external-api",
  summary: `the external API stand-in, https://${EXTERNAL.ip}:${EXTERNAL.port} in ${EXTERNAL.netns}`,
  needs: ["pki", "external-net"],
  daemon: () => ({
    argv: inNetns(
      process.execPath,
      "--require",
      require.resolve("tsx/cjs"),
      join(__dirname, "..", "external-api.ts"),
    ),
    env: {
      EXTERNAL_API_CERT: join(PKI, "external-api.crt"),
      EXTERNAL_API_KEY: join(PKI, "external-api.key"),
      EXTERNAL_API_PORT: String(EXTERNAL.port),
    },
    stopSeconds: 5,
  }),
  ready: {
    what: `GET https://${EXTERNAL.ip}/v1/ping = 200 from the host`,
    timeoutSeconds: 30,
    check: () => httpOk(`https://${EXTERNAL.ip}:${EXTERNAL.port}/v1/ping`, { ca: EXTERNAL.caCert }),
  },
};
