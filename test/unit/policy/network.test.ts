/**
 * The egress rules (policy/rules/network.ts): every workload's egress restricted, and the
 * metadata address never admitted but by name.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEPLOYMENT,
  deployment,
  fakeUrn,
  messages,
  NETPOL,
  netpol,
  selector,
  validateStack,
} from "../../support/policy";
import {
  cidrContains,
  egressNoMetadata,
  workloadEgressRestricted,
} from "../../../policy/rules/network";

describe("policy workload-egress-restricted", () => {
  const app = [deployment("backend"), deployment("frontend")];

  it("passes a namespace-wide default-deny", async () => {
    const denyAll = netpol({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    assert.deepEqual(
      messages(await validateStack(workloadEgressRestricted, [...app, denyAll])),
      [],
    );
  });

  it("reports each workload no egress policy selects: ingress-only, other namespace", async () => {
    const resources = [
      ...app,
      netpol({ podSelector: { matchLabels: selector("backend") }, policyTypes: ["Egress"] }),
      netpol({ podSelector: {} }),
      netpol({ podSelector: {}, policyTypes: ["Egress"] }, "other-ns"),
    ];
    const result = await validateStack(workloadEgressRestricted, resources);
    assert.deepEqual(result.violations, [
      {
        policy: "workload-egress-restricted",
        enforcementLevel: "mandatory",
        urn: fakeUrn(DEPLOYMENT, "travel-frontend"),
        message:
          'Deployment "travel-frontend": no NetworkPolicy restricts egress from its pods, so ' +
          "they can reach the API server, the metadata address and every other namespace. Fix: " +
          "add one with policyTypes [Egress] whose podSelector matches them (the Namespace " +
          "component's default-deny policy does).",
      },
    ]);
  });
});

describe("policy egress-no-metadata", () => {
  const egress = (...rules: object[]) =>
    netpol({ podSelector: {}, policyTypes: ["Egress"], egress: rules });

  it("passes public blocks that except link-local, pod selectors, and an exact /32", async () => {
    const ok = egress(
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.0.0/16"] } }] },
      { to: [{ podSelector: {} }] },
      { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ port: 80 }] },
      { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] },
    );
    assert.deepEqual(messages(await validateStack(egressNoMetadata, [ok])), []);
  });

  it("reports a rule to everywhere and a block around the address, by rule", async () => {
    const bad = egress(
      { to: [{ podSelector: {} }] },
      { ports: [{ port: 443 }] },
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] },
    );
    const result = await validateStack(egressNoMetadata, [bad]);
    assert.deepEqual(result.violations, [
      {
        policy: "egress-no-metadata",
        enforcementLevel: "mandatory",
        urn: fakeUrn(NETPOL, "travel-backend"),
        message:
          'NetworkPolicy "np", egress rule 1: a rule without `to` (every destination) admits ' +
          "the cloud metadata address 169.254.169.254 (instance credentials). Fix: except " +
          "169.254.0.0/16 from the block, or, if a workload needs the metadata server, name " +
          "169.254.169.254/32 in travel:network.allowEgress.",
      },
      {
        policy: "egress-no-metadata",
        enforcementLevel: "mandatory",
        urn: fakeUrn(NETPOL, "travel-backend"),
        message:
          'NetworkPolicy "np", egress rule 2: ipBlock 0.0.0.0/0 without excepting ' +
          "169.254.169.254 admits the cloud metadata address 169.254.169.254 (instance " +
          "credentials). Fix: except 169.254.0.0/16 from the block, or, if a workload needs " +
          "the metadata server, name 169.254.169.254/32 in travel:network.allowEgress.",
      },
    ]);
  });

  it("reads IPv4 CIDRs: prefix boundaries, /0, /32, and nothing it cannot parse", () => {
    assert.equal(cidrContains("169.254.0.0/16", "169.254.169.254"), true);
    assert.equal(cidrContains("169.254.168.0/24", "169.254.169.254"), false);
    assert.equal(cidrContains("0.0.0.0/0", "169.254.169.254"), true);
    assert.equal(cidrContains("169.254.169.254/32", "169.254.169.254"), true);
    assert.equal(cidrContains("169.254.169.255/32", "169.254.169.254"), false);
    assert.equal(cidrContains("fd00::/8", "169.254.169.254"), false);
    assert.equal(cidrContains("169.254.0.0/33", "169.254.169.254"), false);
  });
});
