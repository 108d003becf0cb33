/**
 * NetworkPolicy enforcement on the node: kube-router v2.1.0 in firewall-only mode
 * (no routing, no service proxy, no BGP), with iptables and ipsets on the host.
 * Its own `--cleanup-config` does nothing for policies in this version and then
 * crashes (cloudnativelabs/kube-router#1649), so `down` removes its chains and sets.
 */
import { succeeds } from "../checks";
import type { Component, Context } from "../component";
import { KUBE, KUBECONFIG, NODE } from "../layout";
import { run } from "../sys";

const TOP = ["INPUT", "FORWARD", "OUTPUT"] as const;
const ROUTER_CHAIN = /^KUBE-(ROUTER-(INPUT|FORWARD|OUTPUT)|POD-FW-|NWPLCY-)/;
const ROUTER_SET = /^(inet6:)?KUBE-(SRC|DST)-/;

/**
 * Deletes the chains of `table` whose names match, and every rule that jumps to them
 * (from the built-in chains or any other).
 */
export function removeChains(ctx: Pick<Context, "log">, table: string, own: RegExp): void {
  const opt = { log: ctx.log, allowFail: true };
  const ipt = (...args: string[]) => run(["iptables", "-w", "-t", table, ...args], opt);
  const lines = ipt("-S").stdout.split("\n").map(splitRule);
  const chains = lines.filter((w) => w[0] === "-N" && own.test(w[1] ?? "")).map((w) => w[1]!);
  for (const w of lines) {
    // `-S` prints a rule as its `-A` arguments; the same words after -D delete it.
    if (w[0] === "-A" && !own.test(w[1] ?? "") && chains.includes(w[w.indexOf("-j") + 1] ?? "")) {
      ipt("-D", ...w.slice(1));
    }
  }
  for (const c of chains) ipt("-F", c);
  for (const c of chains) ipt("-X", c);
}

/** Removes every iptables chain, jump and ipset kube-router's policy controller made. */
export function removeKubeRouterState(ctx: Pick<Context, "log">): void {
  removeChains(ctx, "filter", ROUTER_CHAIN);
  const opt = { log: ctx.log, allowFail: true };
  for (const set of run(["ipset", "list", "-n"], opt).stdout.split("\n")) {
    if (ROUTER_SET.test(set)) run(["ipset", "destroy", set], opt);
  }
}

/** Splits an `iptables -S` line into words, keeping quoted comments whole. */
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

export const kubeRouter: Component = {
  name: "kube-router",
  summary: "NetworkPolicy enforcement (kube-router, firewall only; iptables + ipset)",
  needs: ["kube-apiserver", "network", "kubelet"],
  daemon: (ctx) => ({
    argv: [
      ctx.bin("kube-router"),
      "--kubeconfig",
      KUBECONFIG,
      "--hostname-override",
      NODE.name,
      "--run-firewall=true",
      "--run-router=false",
      "--run-service-proxy=false",
      "--run-loadbalancer=false",
      "--enable-cni=false",
      "--enable-ipv6=false",
      "--service-cluster-ip-range",
      KUBE.serviceCidr,
      "--iptables-sync-period=1m",
      "--cache-sync-timeout=1m",
      // Its health and metrics servers would listen on every interface (with pprof).
      "--health-port=0",
      "--metrics-port=0",
      "--v=1",
    ],
    // It finds its node by NODE_NAME before the host name.
    env: { NODE_NAME: NODE.name },
  }),
  ready: {
    what: "INPUT, FORWARD and OUTPUT jump to its KUBE-ROUTER-* chains",
    timeoutSeconds: 90,
    check: () => TOP.every((c) => succeeds(["iptables", "-w", "-n", "-L", `KUBE-ROUTER-${c}`])),
  },
  teardown: removeKubeRouterState,
};
