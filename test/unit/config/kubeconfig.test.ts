/**
 * A kubeconfig the deploy and rollback jobs can use as it is (bootstrap checks the one it
 * sets as an environment's KUBECONFIG secret): the current context's user logging in
 * through an exec credential plugin (EKS, GKE, AKS) or a dropped auth provider is refused
 * with the plugin's name and the remedy, unless the settings stack accepts that exec plugin
 * for the environment; a token, a client certificate or oidc passes, and no secret of the
 * kubeconfig (token, key, the plugin's env) ever shows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  credentialPlugin,
  kubeconfigFiles,
  kubeconfigRunnerProblem,
} from "../../../src/config/kubeconfig";
import { AKS, CERT, EKS, GCP, GKE, kubeconfig, OIDC, TOKEN } from "../../support/kubeconfigs";

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
      const problem = kubeconfigRunnerProblem(text, "prod") ?? "";
      assert.ok(problem.startsWith("credentials the deploy"), text);
      assert.doesNotMatch(problem, /do-not-leak|eu-west-1|--cluster-name|get-token|Y2/);
    }
  });

  it("says what to do, naming the environment's key of the settings stack", () => {
    assert.equal(
      kubeconfigRunnerProblem(EKS, "prod"),
      'credentials the deploy and rollback jobs can use: the current context "prod" logs in as ' +
        'user "admin" through the exec plugin aws, which those jobs neither install nor sign in ' +
        "for; use a kubeconfig with a ServiceAccount token " +
        "(docs/delivery.md#a-kubeconfig-for-the-jobs), or set the plugin up in the jobs and " +
        "accept it with github.environments.prod.kubeconfigPlugin: aws (Pulumi.github.yaml)",
    );
    assert.match(
      kubeconfigRunnerProblem(GCP, "staging")!,
      /the auth provider gcp, .* accepted with github\.environments\.staging\.kubeconfigPlugin \(Pulumi\.github\.yaml\)$/,
    );
  });

  it("takes an exec plugin the settings stack accepts, only that one", () => {
    assert.equal(kubeconfigRunnerProblem(EKS, "prod", "aws"), undefined);
    assert.equal(kubeconfigRunnerProblem(GKE, "prod", "gke-gcloud-auth-plugin"), undefined);
    assert.match(kubeconfigRunnerProblem(EKS, "prod", "kubelogin")!, /accept it with .*: aws /);
    assert.match(kubeconfigRunnerProblem(GCP, "prod", "gcp")!, /the auth provider gcp/);
  });
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
