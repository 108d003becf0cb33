/**
 * The deployer identity on the real API server (issue 18, item 2): the admin step
 * (`npm run bootstrap -- deployer --apply`) makes a namespace, the ServiceAccount, its
 * Role and RoleBinding, and writes a token kubeconfig; `pulumi preview` and `pulumi up`
 * of a stack with `createNamespace: false` and only that kubeconfig succeed and roll the
 * app out; the same identity is refused (403, by the real RBAC authorizer) in another
 * namespace and for cluster-scoped writes. And the switch of a stack that created its
 * namespace: the namespace and everything in it stay.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { unreadNamespaceWarning } from "../../src/components/namespace";
import { clusterScopedName, DEPLOYER } from "../../commands/bootstrap/deployer/rbac";
import { assertDeployed } from "../support/e2e/cluster";
import { type CliResult, pulumiCli } from "../support/e2e/cli";
import { eventually, viaGateway } from "../support/e2e/http";
import { KUBECONFIG, kubectlDelete, kubectlGet } from "../support/e2e/local-env";
import {
  commitSource,
  createProject,
  type E2EProject,
  head,
  hostnameOf,
  ONE_FRONTEND,
  stackNameFor,
  up,
  writeConfig,
} from "../support/e2e/project";

const ROOT = join(__dirname, "..", "..");
const KUBECTL = process.env.TRAVEL_KUBECTL ?? "kubectl";
const FRESH = "travel-deployer";
const MOVED = "travel-deployer-moved";
/** The config of the stack that creates its namespace (protected, as prod's). */
const PROTECTED = { ...ONE_FRONTEND, "travel:protect": true };
const work = mkdtempSync(join(tmpdir(), "travel-deployer-"));

/** `npm run bootstrap -- deployer …` as the cluster admin (the local admin kubeconfig). */
function adminStep(p: E2EProject, kubeconfigOut: string) {
  const r = spawnSync(
    process.execPath,
    [
      "--require",
      "tsx/cjs",
      join(ROOT, "commands/bootstrap/main.ts"),
      "deployer",
      "--stack",
      p.stack.name,
      "--project",
      p.dir,
      "--apply",
      "--kubeconfig",
      kubeconfigOut,
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG, PATH: `${dirname(KUBECTL)}:${process.env.PATH}` },
    },
  );
  assert.equal(r.status, 0, `the admin step failed:\n${r.stderr}`);
  return r.stdout;
}

/** kubectl as the deployer: exit code and stderr (never throws). */
function asDeployer(kubeconfig: string, ...args: string[]) {
  const r = spawnSync(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const uidOf = (...args: string[]) => kubectlGet(...args)?.metadata?.uid as string | undefined;

/** Switches the stack to the admin-made namespace and to the deployer's kubeconfig. */
async function useDeployer(p: E2EProject, kubeconfig: string, config: object = ONE_FRONTEND) {
  await writeConfig(p, { ...config, "travel:createNamespace": false });
  p.stack.workspace.envVars.KUBECONFIG = kubeconfig;
}

describe("the deployer identity", { timeout: 20 * 60_000 }, () => {
  let fresh: E2EProject;
  let moved: E2EProject;
  const freshKubeconfig = join(work, "fresh.kubeconfig");
  const movedKubeconfig = join(work, "moved.kubeconfig");
  let adminOutput = "";
  /** A preview of the deployed stack as the workflows run one without a kubeconfig. */
  let clusterless: Promise<CliResult>;
  /** The first `up` of the stack that creates its namespace, run beside the other cases. */
  let movedFirstUp: Promise<unknown>;

  before(async () => {
    fresh = await createProject(stackNameFor("deployer"), { namespace: FRESH });
    moved = await createProject(stackNameFor("moved"), { namespace: MOVED });
    // Protected, as prod is: the namespace is released all the same.
    await writeConfig(moved, PROTECTED);
    movedFirstUp = up(moved).then(
      () => "succeeded",
      (err: unknown) => err,
    );
  });

  after(async () => {
    // The namespaces go with what is in them (no destroy: the state is a throwaway).
    await Promise.all([movedFirstUp, clusterless?.catch(() => undefined)]);
    for (const ns of [FRESH, MOVED]) {
      kubectlDelete("namespace", ns);
      kubectlDelete("clusterrole,clusterrolebinding", clusterScopedName(ns));
    }
  });

  it("the admin step makes the namespace, the deployer and a token kubeconfig", () => {
    assert.equal(kubectlGet("namespace", FRESH), undefined);
    adminOutput = adminStep(fresh, freshKubeconfig);
    const ns = kubectlGet("namespace", FRESH);
    assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(ns.metadata.labels["app.kubernetes.io/instance"], fresh.stack.name);
    for (const kind of ["serviceaccount", "role", "rolebinding"]) {
      assert.ok(kubectlGet(kind, DEPLOYER, "-n", FRESH), `${kind} ${DEPLOYER}`);
    }
    assert.match(
      adminOutput,
      new RegExp(`wrote ${freshKubeconfig}: logs in as ServiceAccount ${FRESH}/${DEPLOYER}`),
    );
    assert.equal(statSync(freshKubeconfig).mode & 0o777, 0o600);
    const config = parse(readFileSync(freshKubeconfig, "utf8"));
    const token = config.users[0].user.token as string;
    assert.match(token, /^ey[\w-]+\.[\w-]+\.[\w-]+$/, "a ServiceAccount JWT");
    assert.ok(!adminOutput.includes(token), "the token is not printed");
    const who = asDeployer(
      freshKubeconfig,
      "auth",
      "whoami",
      "-o",
      "jsonpath={.status.userInfo.username}",
    );
    assert.equal(who.stdout, `system:serviceaccount:${FRESH}:${DEPLOYER}`, who.stderr);
  });

  it("pulumi preview and up with only the deployer's kubeconfig roll the app out", async () => {
    await useDeployer(fresh, freshKubeconfig);
    const preview = await pulumiCli(fresh, ["preview"]);
    assert.equal(preview.code, 0, `preview failed:\n${preview.stdout}\n${preview.stderr}`);
    assert.match(preview.stdout, /read kubernetes:core\/v1:Namespace travel/);
    assert.match(preview.stdout, /\+ 27 to create/);
    await up(fresh);
    await assertDeployed(FRESH, head(fresh));
    // Runs beside the next cases; the last one awaits it.
    const home = mkdtempSync(join(work, "home-"));
    clusterless = pulumiCli(fresh, ["preview"], { KUBECONFIG: "", HOME: home });
    await eventually(
      "the app answers through the Gateway",
      60,
      async () => (await viaGateway(hostnameOf(fresh)))?.status === 200,
    );
  });

  it("the deployer is refused in another namespace and for cluster-scoped writes", () => {
    const sa = `system:serviceaccount:${FRESH}:${DEPLOYER}`;
    const refused: [string[], RegExp][] = [
      [
        ["create", "configmap", "escape", "-n", "default"],
        /cannot create resource "configmaps" in API group "" in the namespace "default"/,
      ],
      [
        ["get", "secrets", "-n", "kube-system"],
        /cannot list resource "secrets" in API group "" in the namespace "kube-system"/,
      ],
      [
        ["create", "namespace", "travel-deployer-escape"],
        /cannot create resource "namespaces" in API group "" at the cluster scope/,
      ],
      [
        ["delete", "namespace", FRESH],
        /cannot delete resource "namespaces" in API group "" in the namespace "travel-deployer"|cannot delete resource "namespaces" in API group "" at the cluster scope/,
      ],
      [
        ["get", "namespace", "default"],
        /cannot get resource "namespaces" in API group "" in the namespace "default"|cannot get resource "namespaces" in API group "" at the cluster scope/,
      ],
      [
        [
          "create",
          "clusterrolebinding",
          "escape",
          "--clusterrole=cluster-admin",
          `--serviceaccount=${FRESH}:${DEPLOYER}`,
        ],
        /cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope/,
      ],
      [
        [
          "create",
          "rolebinding",
          "escape",
          "-n",
          FRESH,
          "--clusterrole=admin",
          `--serviceaccount=${FRESH}:${DEPLOYER}`,
        ],
        /cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "travel-deployer"/,
      ],
    ];
    for (const [args, message] of refused) {
      const r = asDeployer(freshKubeconfig, ...args);
      assert.notEqual(r.status, 0, `kubectl ${args.join(" ")} was allowed`);
      assert.ok(r.stderr.includes(`is forbidden: User "${sa}" cannot`), r.stderr);
      assert.match(r.stderr, message);
    }
    // What it may do, it can: its own namespace.
    assert.equal(asDeployer(freshKubeconfig, "get", "namespace", FRESH).status, 0);
    assert.equal(asDeployer(freshKubeconfig, "get", "secrets", "-n", FRESH).status, 0);
  });

  it("a stack that created its namespace switches to the deployer and keeps it, and all in it", async () => {
    assert.equal(await movedFirstUp, "succeeded", "the first up, with the admin's kubeconfig");
    const before = {
      namespace: uidOf("namespace", MOVED),
      secret: kubectlGet("secrets", "-n", MOVED, "-l", "app.kubernetes.io/part-of=coagents-travel")
        .items.map((s: { metadata: { uid: string } }) => s.metadata.uid)
        .sort(),
      service: uidOf("service", "travel-backend-service", "-n", MOVED),
    };
    assert.ok(before.namespace);
    // A kubeconfig left from before, readable by all: the new token is not.
    writeFileSync(movedKubeconfig, "stale\n", { mode: 0o644 });
    adminStep(moved, movedKubeconfig);
    assert.equal(statSync(movedKubeconfig).mode & 0o777, 0o600);
    await useDeployer(moved, movedKubeconfig, PROTECTED);
    const sha = commitSource(
      moved,
      "backend/message",
      `travel backend fixture, deployer ${Date.now()}\n`,
    );
    const preview = await pulumiCli(moved, ["preview"]);
    assert.equal(preview.code, 0, `preview failed:\n${preview.stdout}\n${preview.stderr}`);
    assert.match(preview.stdout, /read kubernetes:core\/v1:Namespace travel/);
    assert.doesNotMatch(preview.stdout, /delete|replace/, "nothing deleted or replaced");
    assert.match(preview.stdout, /~ 4 to update/, "the two images and their Deployments");
    await up(moved);
    assert.equal(uidOf("namespace", MOVED), before.namespace, "the same namespace");
    assert.equal(uidOf("service", "travel-backend-service", "-n", MOVED), before.service);
    assert.deepEqual(
      kubectlGet("secrets", "-n", MOVED, "-l", "app.kubernetes.io/part-of=coagents-travel")
        .items.map((s: { metadata: { uid: string } }) => s.metadata.uid)
        .sort(),
      before.secret,
    );
    await assertDeployed(MOVED, sha);
    assert.ok(
      !moved.output.some((l) => l.includes("lacks what the stack expects")),
      "the admin step labelled the namespace as the stack expects",
    );
    const state = await moved.stack.exportStack();
    const ns = (state.deployment.resources as { type: string; external?: boolean }[]).find(
      (r) => r.type === "kubernetes:core/v1:Namespace",
    );
    assert.equal(ns?.external, true, "the namespace is read, no longer managed");
  });

  it("a preview without any kubeconfig still passes, and says the namespace was not read", async () => {
    const preview = await clusterless;
    assert.equal(preview.code, 0, `preview failed:\n${preview.stdout}\n${preview.stderr}`);
    assert.ok(preview.stdout.includes(unreadNamespaceWarning(FRESH)), preview.stdout);
    assert.match(preview.stdout, /27 unchanged/);
  });
});
