/**
 * The node's network on the host: a bridge of its own with the host's address on it
 * (pods' gateway, node IP, cluster DNS), bridged traffic through iptables (for
 * kube-proxy and kube-router), a route for the service range onto the bridge, and a
 * guard chain that drops any pod traffic trying to leave the bridge. Nothing reaches
 * beyond this machine: no masquerade, no default route for pods, no DNS forwarding.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { succeeds } from "../checks";
import type { Component, Context } from "../component";
import { dirOf, KUBE, NODE } from "../layout";
import { run } from "../sys";

const SYSCTLS = ["net/ipv4/ip_forward", "net/bridge/bridge-nf-call-iptables"] as const;
const saved = join(dirOf("network"), "sysctl-before.json");

const readSysctl = (k: string) => readFileSync(`/proc/sys/${k}`, "utf8").trim();
const writeSysctl = (k: string, v: string) => writeFileSync(`/proc/sys/${k}`, `${v}\n`);

/** The guard's rules: pod traffic stays on the bridge, and nothing else enters it. */
const GUARD_RULES = [
  ["-i", NODE.bridge, "!", "-o", NODE.bridge, "-j", "DROP"],
  ["!", "-i", NODE.bridge, "-o", NODE.bridge, "-j", "DROP"],
];
const FORWARD_JUMP = ["FORWARD", "-j", NODE.guardChain];

function ip(ctx: Context, ...args: string[]) {
  return run(["ip", ...args], { log: ctx.log });
}

function bridgeHasAddress(): boolean {
  const res = run(["ip", "-4", "-o", "addr", "show", "dev", NODE.bridge], {
    log: "/dev/null",
    allowFail: true,
  });
  return res.ok && res.stdout.includes(`${NODE.ip}/${NODE.prefix}`);
}

export const network: Component = {
  name: "network",
  summary: `bridge ${NODE.bridge} ${NODE.ip}/${NODE.prefix} (pods ${NODE.podCidr}, services ${KUBE.serviceCidr} routed onto it), guard chain ${NODE.guardChain}`,
  needs: [],
  setup: (ctx) => {
    if (!existsSync(saved)) {
      mkdirSync(dirOf("network"), { recursive: true });
      writeFileSync(
        saved,
        JSON.stringify(Object.fromEntries(SYSCTLS.map((k) => [k, readSysctl(k)]))),
      );
    }
    if (!succeeds(["ip", "link", "show", "dev", NODE.bridge]))
      ip(ctx, "link", "add", NODE.bridge, "type", "bridge");
    if (!bridgeHasAddress())
      ip(ctx, "addr", "add", `${NODE.ip}/${NODE.prefix}`, "dev", NODE.bridge);
    ip(ctx, "link", "set", NODE.bridge, "up");
    // Host processes (tests, Traefik) reach ClusterIPs through kube-proxy's OUTPUT rules;
    // the route keeps those packets on the bridge, never on the host's default route.
    ip(ctx, "route", "replace", KUBE.serviceCidr, "dev", NODE.bridge);
    for (const k of SYSCTLS) writeSysctl(k, "1");
    if (!succeeds(["iptables", "-w", "-n", "-L", NODE.guardChain])) {
      run(["iptables", "-w", "-N", NODE.guardChain], { log: ctx.log });
      for (const r of GUARD_RULES)
        run(["iptables", "-w", "-A", NODE.guardChain, ...r], { log: ctx.log });
    }
    if (!succeeds(["iptables", "-w", "-C", ...FORWARD_JUMP])) {
      run(["iptables", "-w", "-I", ...FORWARD_JUMP.slice(0, 1), "1", ...FORWARD_JUMP.slice(1)], {
        log: ctx.log,
      });
    }
  },
  ready: {
    what: `${NODE.bridge} holds ${NODE.ip} and FORWARD jumps to ${NODE.guardChain}`,
    timeoutSeconds: 5,
    check: () => bridgeHasAddress() && succeeds(["iptables", "-w", "-C", ...FORWARD_JUMP]),
  },
  teardown: (ctx) => {
    const opt = { log: ctx.log, allowFail: true };
    while (run(["iptables", "-w", "-D", ...FORWARD_JUMP], opt).ok);
    run(["iptables", "-w", "-F", NODE.guardChain], opt);
    run(["iptables", "-w", "-X", NODE.guardChain], opt);
    run(["ip", "route", "del", KUBE.serviceCidr, "dev", NODE.bridge], opt);
    run(["ip", "link", "del", NODE.bridge], opt);
    if (existsSync(saved)) {
      const before = JSON.parse(readFileSync(saved, "utf8")) as Record<string, string>;
      for (const [k, v] of Object.entries(before)) writeSysctl(k, v);
      rmSync(saved);
    }
  },
};
