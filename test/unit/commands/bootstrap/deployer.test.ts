/**
 * The deployer (commands/bootstrap/deployer/): its manifests and Role rules, exactly; that
 * the Role covers every object the program registers (so a new component cannot ship
 * without its right) and grants nothing to escalate with; the options' exact messages;
 * the token kubeconfig. The rules are proven on a real API server by
 * test/e2e/deployer.test.ts.
 */
import "../../../support/mocks";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { compose } from "../../../support/compose";
import { validRaw } from "../../../support/fixtures";
import { credentialPlugin, kubeconfigRunnerProblem } from "../../../../src/config/kubeconfig";
import { clusterOf, deployerKubeconfig } from "../../../../commands/bootstrap/deployer/kubeconfig";
import { parseDeployerOptions } from "../../../../commands/bootstrap/deployer/options";
import {
  clusterScopedName,
  DEPLOYER,
  DEPLOYER_RULES,
  deployerManifests,
  type PolicyRule,
  READ_VERBS,
  WRITE_VERBS,
} from "../../../../commands/bootstrap/deployer/rbac";

const RBAC = "rbac.authorization.k8s.io";
const TARGET = { namespace: "travel-prod", environment: "prod", meshMode: "none" } as const;

/** `kubernetes:apps/v1:Deployment` -> ["apps", "deployments"]. */
function groupAndResource(type: string): [string, string] {
  const [, groupVersion, kind] = /^kubernetes:([^:]+):(\w+)$/.exec(type)!;
  const parts = groupVersion!.split("/");
  const group = parts.length === 1 || parts[0] === "core" ? "" : parts[0]!;
  const lower = kind!.toLowerCase();
  return [group, lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`];
}

const allows = (rules: readonly PolicyRule[], group: string, resource: string, verb: string) =>
  rules.some(
    (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
  );

describe("the deployer's manifests", () => {
  const [namespace, sa, role, binding, clusterRole, clusterBinding] = deployerManifests(
    TARGET,
  ) as Record<string, unknown>[];

  it("label the namespace as the program labels the ones it creates", () => {
    assert.deepEqual(namespace, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "travel-prod",
        labels: {
          "app.kubernetes.io/part-of": "coagents-travel",
          "app.kubernetes.io/instance": "prod",
          "app.kubernetes.io/managed-by": "pulumi",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    const ambient = deployerManifests({ ...TARGET, meshMode: "ambient" })[0] as {
      metadata: { labels: Record<string, string> };
    };
    assert.equal(ambient.metadata.labels["istio.io/dataplane-mode"], "ambient");
  });

  it("bind the Role in the namespace, and one namespace read cluster-wide, to the ServiceAccount", () => {
    const inNs = { name: "travel-deployer", namespace: "travel-prod" };
    const subjects = [
      { kind: "ServiceAccount", name: "travel-deployer", namespace: "travel-prod" },
    ];
    assert.deepEqual(sa, { apiVersion: "v1", kind: "ServiceAccount", metadata: inNs });
    assert.deepEqual(role, {
      apiVersion: `${RBAC}/v1`,
      kind: "Role",
      metadata: inNs,
      rules: DEPLOYER_RULES,
    });
    assert.deepEqual(binding, {
      apiVersion: `${RBAC}/v1`,
      kind: "RoleBinding",
      metadata: inNs,
      roleRef: { apiGroup: RBAC, kind: "Role", name: "travel-deployer" },
      subjects,
    });
    assert.equal(clusterScopedName("travel-prod"), "travel-deployer:travel-prod");
    assert.deepEqual(clusterRole, {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRole",
      metadata: { name: "travel-deployer:travel-prod" },
      rules: [
        {
          apiGroups: [""],
          resources: ["namespaces"],
          resourceNames: ["travel-prod"],
          verbs: ["get"],
        },
      ],
    });
    assert.deepEqual(clusterBinding, {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: "travel-deployer:travel-prod" },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "travel-deployer:travel-prod" },
      subjects,
    });
  });

  it("has these Role rules, exactly", () => {
    const write = ["get", "list", "watch", "create", "update", "patch", "delete"];
    assert.deepEqual(WRITE_VERBS, write);
    assert.deepEqual(READ_VERBS, ["get", "list", "watch"]);
    assert.deepEqual(DEPLOYER_RULES, [
      {
        apiGroups: [""],
        resources: ["configmaps", "secrets", "services", "serviceaccounts"],
        verbs: write,
      },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: write },
      { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: write },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: write },
      { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: write },
      { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: write },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: [""],
        resources: ["pods", "events", "endpoints"],
        verbs: ["get", "list", "watch"],
      },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
      {
        apiGroups: ["discovery.k8s.io"],
        resources: ["endpointslices"],
        verbs: ["get", "list", "watch"],
      },
    ]);
  });

  it("covers every object the program writes, with every verb preview and up use", async () => {
    const raw = validRaw();
    raw.createNamespace = false;
    raw.gateway = { sectionName: "https", httpSectionName: "http", httpsRedirect: true };
    raw.frontend = { autoscaling: { minReplicas: 2, maxReplicas: 4 } };
    raw.backend = { replicas: 2, sharedState: true };
    const { resources } = await compose(raw, "prod");
    const written = new Set(
      resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.id === undefined)
        .map((r) => groupAndResource(r.type).join("/")),
    );
    assert.deepEqual([...written].sort(), [
      "/configmaps",
      "/secrets",
      "/serviceaccounts",
      "/services",
      "apps/deployments",
      "autoscaling/horizontalpodautoscalers",
      "gateway.networking.k8s.io/httproutes",
      "networking.k8s.io/networkpolicies",
      "policy/poddisruptionbudgets",
    ]);
    for (const gr of written) {
      const [group, resource] = gr.split("/") as [string, string];
      for (const verb of WRITE_VERBS) {
        assert.ok(allows(DEPLOYER_RULES, group, resource, verb), `${verb} ${gr}`);
      }
    }
  });

  it("covers what the rollout await reads", () => {
    for (const [group, resource] of [
      ["apps", "deployments"],
      ["apps", "replicasets"],
      ["", "pods"],
      ["", "events"],
    ] as const) {
      for (const verb of ["list", "watch"]) {
        assert.ok(allows(DEPLOYER_RULES, group, resource, verb), `${verb} ${group}/${resource}`);
      }
    }
    assert.ok(allows(DEPLOYER_RULES, "", "pods/log", "get"));
  });

  it("are the ones docs/delivery.md lists", () => {
    const doc = readFileSync(join(__dirname, "../../../../docs/delivery.md"), "utf8");
    const section = doc.slice(
      doc.indexOf("## The deployer"),
      doc.indexOf("Previews need the write"),
    );
    const rows = [...section.matchAll(/^\| (core|`[\w.]+`) +\| (.+?) +\|/gm)];
    const listed = rows.flatMap(([, group, resources]) =>
      [...resources!.matchAll(/`([\w/]+)`/g)].map(
        (m) => `${group === "core" ? "" : group!.replace(/`/g, "")}/${m[1]}`,
      ),
    );
    const granted = DEPLOYER_RULES.flatMap((r) =>
      r.resources.map((resource) => `${r.apiGroups[0]}/${resource}`),
    );
    assert.deepEqual([...listed].sort(), [...granted].sort());
  });

  it("grants nothing to escalate with, no wildcard, no namespace or pod write", () => {
    for (const r of DEPLOYER_RULES) {
      assert.ok(!r.apiGroups.includes(RBAC), "no RBAC object");
      for (const field of [r.apiGroups, r.resources, r.verbs]) assert.ok(!field.includes("*"));
      assert.ok(!r.verbs.some((v) => ["escalate", "bind", "impersonate"].includes(v)));
      assert.equal(r.resourceNames, undefined);
    }
    for (const resource of ["namespaces", "pods", "pods/exec", "replicasets"]) {
      assert.ok(!allows(DEPLOYER_RULES, "", resource, "create"), `create ${resource}`);
      assert.ok(!allows(DEPLOYER_RULES, "apps", resource, "create"), `create apps/${resource}`);
    }
  });
});

describe("npm run bootstrap -- deployer: options", () => {
  const root = mkdtempSync(join(tmpdir(), "travel-deployer-opts-"));
  const fails = (argv: string[]) => {
    try {
      parseDeployerOptions(argv, root);
    } catch (err) {
      return (err as Error).message.split("\n");
    }
    assert.fail("accepted");
  };

  it("reads the namespace and mesh mode from the stack file, and defaults", () => {
    writeFileSync(
      join(root, "Pulumi.prod.yaml"),
      "config:\n  travel:namespace: travel-prod\n  travel:meshMode: none\n",
    );
    assert.deepEqual(parseDeployerOptions(["--stack", "prod"], root), {
      target: { namespace: "travel-prod", environment: "prod", meshMode: "none" },
      apply: false,
      tokenDuration: "8760h",
      help: false,
    });
    assert.deepEqual(
      parseDeployerOptions(
        ["--stack=dev", "--apply", "--kubeconfig", "dev.kubeconfig", "--token-duration", "720h"],
        root,
      ),
      {
        target: { namespace: "app-travelexample", environment: "dev", meshMode: "ambient" },
        apply: true,
        kubeconfigOut: "dev.kubeconfig",
        tokenDuration: "720h",
        help: false,
      },
    );
    const other = parseDeployerOptions(["--stack", "prod", "--namespace", "travel-2"], root);
    assert.equal(other.target.namespace, "travel-2", "--namespace wins over the stack file");
  });

  it("names every problem at once, one line each", () => {
    assert.deepEqual(fails([]), ["--stack: expected the stack, e.g. prod"]);
    assert.deepEqual(
      fails([
        "--stack",
        "Prod",
        "--namespace",
        "kube-system",
        "--token-duration",
        "1y",
        "--kubeconfig",
        "x",
        "--force",
      ]),
      [
        "--force: expected one of --apply, --help, --stack, --namespace, --project, --kubeconfig, --token-duration",
        '--stack = "Prod": expected a stack name that is an RFC 1123 label',
        `--namespace = "kube-system": expected a namespace of this app's own (not default or kube-*)`,
        '--token-duration = "1y": expected a whole number of h, m or s, e.g. 720h',
        "--kubeconfig: expected --apply with it (the token is made for the applied ServiceAccount)",
      ],
    );
    writeFileSync(join(root, "Pulumi.odd.yaml"), "config:\n  travel:meshMode: sidecar\n");
    assert.deepEqual(fails(["--stack", "odd"]), [
      'travel:meshMode = "sidecar" (Pulumi.odd.yaml): expected "ambient" or "none"',
    ]);
    assert.deepEqual(fails(["--stack"]), [
      "--stack: expected a value",
      "--stack: expected the stack, e.g. prod",
    ]);
  });
});

describe("the deployer's kubeconfig", () => {
  const view = {
    clusters: [
      {
        name: "admin",
        cluster: { server: "https://k8s.example:6443", "certificate-authority-data": "Q0E=" },
      },
    ],
    users: [{ name: "admin", user: { exec: { command: "aws" } } }],
  };

  it("logs in with the token to the admin's current cluster, in the namespace", () => {
    const text = deployerKubeconfig(clusterOf(view), "travel-prod", "tok.en.value");
    const name = `${DEPLOYER}@travel-prod`;
    assert.deepEqual(parse(text), {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name,
          cluster: { server: "https://k8s.example:6443", "certificate-authority-data": "Q0E=" },
        },
      ],
      users: [{ name, user: { token: "tok.en.value" } }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: "travel-prod" } }],
      "current-context": name,
    });
    assert.ok(!text.includes("aws"), "nothing of the admin's user");
    assert.equal(credentialPlugin(text), undefined);
    assert.equal(kubeconfigRunnerProblem(text, "prod"), undefined, "the jobs can use it as it is");
  });

  it("refuses a view without a server", () => {
    assert.throws(() => clusterOf({ clusters: [] }), {
      message:
        "kubeconfig: expected a current context whose cluster has a server (kubectl config view --minify)",
    });
  });
});
