/**
 * `travel:network`: what the app's pods may reach besides each other. The namespace denies
 * all traffic by default; the frontend takes requests from the Gateway only and calls the
 * backend; the backend takes requests from the frontend only and calls cluster DNS and
 * external HTTPS APIs (OpenAI, Google Maps). Link-local (the cloud metadata address),
 * private and cluster ranges are never "external": a stack that needs one names it in
 * `allowEgress`. src/builders/network-policy.ts turns this into NetworkPolicies.
 */
import { z } from "zod";
import { label, pattern, port, QUALIFIED_KEY } from "./fields";

/** An IPv4 CIDR, `a.b.c.d/n`. */
const IPV4_CIDR =
  /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;
const cidr = pattern(IPV4_CIDR, "an IPv4 CIDR such as 203.0.113.0/24 or 10.0.0.10/32", 18);

/** A label value, as NetworkPolicy selectors take them. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

const ports = (expected: string) =>
  z.array(port, { error: expected }).min(1, { error: expected }).max(16, { error: expected });

export const networkSchema = z
  .strictObject({
    /**
     * where the pods resolve names (UDP and TCP 53): the cluster DNS's pods (`namespace`,
     * `podLabels`) and, when set, `cidrs` besides (a node-local DNS cache, a DNS server on
     * the node)
     */
    dns: z
      .strictObject({
        namespace: label.default("kube-system"),
        podLabels: z
          .record(
            pattern(QUALIFIED_KEY, "a label key ([prefix/]name)", 317),
            pattern(LABEL_VALUE, "a label value (at most 63 of A-Z a-z 0-9 - _ .)", 63),
          )
          .default({ "k8s-app": "kube-dns" }),
        cidrs: z.array(cidr, { error: "a list of IPv4 CIDRs" }).default([]),
      })
      .prefault({}),
    /**
     * TCP ports the backend may reach on public IPv4 addresses: everything but private,
     * shared (100.64/10), loopback, link-local (169.254/16: the metadata address),
     * multicast and reserved ranges
     */
    externalPorts: ports("a list of 1 to 16 ports").default([443]),
    /**
     * public CIDRs the backend must not reach all the same (a cluster or API server on public
     * addresses)
     */
    externalExcept: z.array(cidr, { error: "a list of IPv4 CIDRs" }).default([]),
    /**
     * `[{name, cidr, ports}]`: named exceptions the backend may reach besides (a database in
     * the VPC, a metadata server for workload identity); the name says why
     */
    allowEgress: z
      .array(
        z.strictObject(
          { name: label, cidr, ports: ports("a list of 1 to 16 TCP ports") },
          { error: "an exception {name, cidr, ports}" },
        ),
        { error: "a list of named exceptions {name, cidr, ports}" },
      )
      .max(32, { error: "at most 32 exceptions" })
      .default([])
      .refine((list) => new Set(list.map((e) => e.name)).size === list.length, {
        error: "exceptions with distinct names",
      }),
  })
  .prefault({});

export type NetworkConfig = z.output<typeof networkSchema>;
