/**
 * `travel:network`: the defaults when unset, and each bad value refused before any
 * resource is registered, with the key, the value and what was expected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import "../../support/mocks";
import { itRefuses, type BadConfig } from "../../support/config-cases";
import { validRaw } from "../../support/fixtures";
import { parseStackConfig } from "../../../src/config/load";

const CASES: BadConfig[] = [
  [
    "a CIDR with a host part out of range, and one without a prefix",
    (r) => (r.network = { dns: { cidrs: ["10.244.0.256/32"] }, externalExcept: ["203.0.113.7"] }),
    [
      'travel:network.dns.cidrs[0] = "10.244.0.256/32": expected an IPv4 CIDR such as 203.0.113.0/24 or 10.0.0.10/32',
      'travel:network.externalExcept[0] = "203.0.113.7": expected an IPv4 CIDR such as 203.0.113.0/24 or 10.0.0.10/32',
    ],
  ],
  [
    "no external port, and an exception without ports or a name",
    (r) =>
      (r.network = {
        externalPorts: [],
        allowEgress: [{ name: "db", cidr: "10.0.0.5/32", ports: [] }, { cidr: "10.0.0.6/32" }],
      }),
    [
      "travel:network.externalPorts = []: expected a list of 1 to 16 ports",
      "travel:network.allowEgress[0].ports = []: expected a list of 1 to 16 TCP ports",
      "travel:network.allowEgress[1].name is missing: expected an RFC 1123 label (lowercase a-z, 0-9, '-'; max 63)",
      "travel:network.allowEgress[1].ports is missing: expected a list of 1 to 16 TCP ports",
    ],
  ],
  [
    "two exceptions of one name",
    (r) =>
      (r.network = {
        allowEgress: [
          { name: "db", cidr: "10.0.0.5/32", ports: [5432] },
          { name: "db", cidr: "10.0.0.6/32", ports: [5432] },
        ],
      }),
    [
      'travel:network.allowEgress = [{"name":"db","cidr":"10.0.0.5/32","ports":[5432]},{"name":"db","cidr":"10.0.0.6/32","ports":[5432]}]: expected exceptions with distinct names',
    ],
  ],
  [
    "a DNS pod label that is no label",
    (r) => (r.network = { dns: { podLabels: { "k8s-app": "kube dns" } } }),
    [
      'travel:network.dns.podLabels.k8s-app = "kube dns": expected a label value (at most 63 of A-Z a-z 0-9 - _ .)',
    ],
  ],
];

describe("network config", () => {
  it("defaults to cluster DNS pods, HTTPS to public addresses, and no exceptions", () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.network, {
      dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, cidrs: [] },
      externalPorts: [443],
      externalExcept: [],
      allowEgress: [],
    });
  });

  itRefuses(CASES);
});
