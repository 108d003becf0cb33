/**
 * A kubeconfig the deploy and rollback jobs can use as it is: the current context's user
 * logging in through an exec credential plugin (EKS, GKE, AKS) or a dropped auth provider
 * is refused with the plugin's name and the remedy, unless `travel:github` accepts that
 * exec plugin; a token, a client certificate or oidc passes, and no secret of the
 * kubeconfig (token, key, the plugin's env) ever shows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  credentialPlugin,
  kubeconfigFiles,
  kubeconfigRunnerProblem,
} from "../../../src/config/kubeconfig";
import { parseStackConfig } from "../../../src/config/load";
import { itRefuses, type BadConfig } from "../../support/config-cases";
import { validRaw } from "../../support/fixtures";
import { PROD } from "../../support/github";
import { AKS, CERT, EKS, GCP, GKE, kubeconfig, OIDC, TOKEN } from "../../support/kubeconfigs";

const EKS_LINE =
  'travel:kubeconfig = [secret]: expected credentials the deploy and rollback jobs can use: the current context "prod" logs in as user "admin" through the exec plugin aws, which those jobs neither install nor sign in for; use a kubeconfig with a ServiceAccount token (docs/delivery.md#a-kubeconfig-for-the-jobs), or set the plugin up in the jobs and accept it with github.environment.kubeconfigPlugin: aws';
const GCP_LINE =
  'travel:kubeconfig = [secret]: expected credentials the deploy and rollback jobs can use: the current context "prod" logs in as user "admin" through the auth provider gcp, which kubectl and the kubernetes provider no longer have (of the auth providers, only oidc is left since Kubernetes 1.26); use a kubeconfig with a ServiceAccount token (docs/delivery.md#a-kubeconfig-for-the-jobs), or the exec plugin that replaced it (gke-gcloud-auth-plugin for gcp, kubelogin for azure), set up in the jobs and accepted with github.environment.kubeconfigPlugin';

/** The stack with `github` (prod's gate) and this kubeconfig; `plugin` accepted, if given. */
const withKubeconfig =
  (text: string, plugin?: string): BadConfig[1] =>
  (r) => {
    r.github = {
      ...PROD,
      environment: { ...PROD.environment, ...(plugin ? { kubeconfigPlugin: plugin } : {}) },
    };
    r.kubeconfig = text;
  };

describe("a kubeconfig for the deploy jobs", () => {
  it("names the current context's credential plugin, if any, and nothing of its secrets", () => {
    const plugin = (text: string) => {
      const p = credentialPlugin(text);
      return p && `${p.kind} ${p.name} (${p.context}/${p.user})`;
    };
    assert.equal(plugin(EKS), "exec aws (prod/admin)");
    assert.equal(plugin(GKE), "exec gke-gcloud-auth-plugin (prod/admin)");
    assert.equal(plugin(AKS), "exec kubelogin (prod/admin)");
    assert.equal(plugin(GCP), "auth-provider gcp (prod/admin)");
    assert.equal(plugin(kubeconfig("{token: t}", "other")), "exec aws (other/plugin)");
    for (const ok of [OIDC, TOKEN, CERT, kubeconfig("{token: t}", "gone"), "k", "a: [", ""]) {
      assert.equal(plugin(ok), undefined, ok);
    }
    for (const text of [EKS, GKE, AKS, GCP]) {
      const problem = kubeconfigRunnerProblem(text) ?? "";
      assert.ok(problem.startsWith("credentials the deploy"), text);
      assert.doesNotMatch(problem, /do-not-leak|eu-west-1|--cluster-name|get-token|Y2/);
    }
  });

  it("takes an exec plugin travel:github accepts, only that one", () => {
    assert.equal(kubeconfigRunnerProblem(EKS, "aws"), undefined);
    assert.equal(kubeconfigRunnerProblem(GKE, "gke-gcloud-auth-plugin"), undefined);
    assert.match(kubeconfigRunnerProblem(EKS, "kubelogin")!, /accept it with .*: aws$/);
    assert.match(kubeconfigRunnerProblem(GCP, "gcp")!, /the auth provider gcp/);
  });

  it("lets a stack through with the exec plugin its travel:github accepts", () => {
    const raw = validRaw();
    withKubeconfig(EKS, "aws")(raw);
    const cfg = parseStackConfig(raw, { namespace: "travel", environment: "prod" });
    assert.equal(cfg.github?.environment.kubeconfigPlugin, "aws");
  });

  itRefuses([
    ["a kubeconfig whose user logs in through an exec plugin", withKubeconfig(EKS), [EKS_LINE]],
    ["an exec plugin other than the one accepted", withKubeconfig(EKS, "kubelogin"), [EKS_LINE]],
    ["a kubeconfig with the dropped gcp auth provider", withKubeconfig(GCP, "gcp"), [GCP_LINE]],
    [
      "an accepted plugin that is not a command",
      withKubeconfig(TOKEN, "aws eks get-token"),
      [
        'travel:github.environment.kubeconfigPlugin = "aws eks get-token": expected the command ' +
          "of the kubeconfig's exec credential plugin, such as aws, gke-gcloud-auth-plugin or kubelogin",
      ],
    ],
  ]);
});

describe("kubeconfigFiles: what the provider would load", () => {
  const exists = (present: string[]) => (f: string) => present.includes(f);

  it("takes KUBECONFIG's list, keeping the files that exist", () => {
    assert.deepEqual(
      kubeconfigFiles({ KUBECONFIG: "/a:/b::/c" }, "/home/u", exists(["/b", "/c"])),
      ["/b", "/c"],
    );
  });

  it("falls back to ~/.kube/config when KUBECONFIG is unset or empty", () => {
    const home = exists(["/home/u/.kube/config"]);
    assert.deepEqual(kubeconfigFiles({}, "/home/u", home), ["/home/u/.kube/config"]);
    assert.deepEqual(kubeconfigFiles({ KUBECONFIG: "" }, "/home/u", home), [
      "/home/u/.kube/config",
    ]);
  });

  it("finds none on a runner without the secret", () => {
    assert.deepEqual(kubeconfigFiles({}, "/home/runner", exists([])), []);
    assert.deepEqual(kubeconfigFiles({ KUBECONFIG: "/gone" }, "/home/u", exists([])), []);
  });
});
