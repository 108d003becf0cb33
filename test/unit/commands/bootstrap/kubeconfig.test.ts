/**
 * The kubeconfigs bootstrap would hand the GitHub environments, checked with the
 * program's rule before anything changes: the file a KUBECONFIG_<STACK> variable names; an
 * exec plugin the settings stack accepts for that environment passes; nothing is checked
 * without GitHub, and no secret of a kubeconfig shows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  kubeconfigAnswerProblem,
  kubeconfigProblems,
} from "../../../../commands/bootstrap/kubeconfig-check";
import type { Observed } from "../../../../commands/bootstrap/plan";
import { parseStackFile } from "../../../../commands/bootstrap/stack-file";
import { fresh } from "../../../support/bootstrap";
import { EKS, GKE, TOKEN } from "../../../support/kubeconfigs";

const EXPECTED_EKS =
  'expected credentials the deploy and rollback jobs can use: the current context "prod" logs in as user "admin" through the exec plugin aws, which those jobs neither install nor sign in for; use a kubeconfig with a ServiceAccount token (docs/delivery.md#a-kubeconfig-for-the-jobs), or set the plugin up in the jobs and accept it with github.environments.prod.kubeconfigPlugin: aws (Pulumi.github.yaml)';

/** The stacks as bootstrap finds them; `settings` is the settings stack's file text. */
function observed(settings?: string): Observed {
  const base = fresh();
  return settings === undefined
    ? base
    : {
        ...base,
        settings: {
          file: parseStackFile("Pulumi.github.yaml", settings, "travel"),
          exists: true,
          secrets: {},
        },
      };
}
const given = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([k, value]) => [k, { value, from: "a file" }]));

describe("the kubeconfigs bootstrap hands the GitHub environments", () => {
  it("refuses each given file the jobs cannot use, naming its variable", () => {
    const problems = kubeconfigProblems({
      project: "travel",
      observed: observed(),
      given: given({ "prod:KUBECONFIG": GKE, "staging:KUBECONFIG": EKS, "dev:KUBECONFIG": TOKEN }),
      env: {
        KUBECONFIG_PROD: "/home/me/prod.kubeconfig",
        KUBECONFIG_STAGING: "/home/me/staging.kubeconfig",
        KUBECONFIG_DEV: "/home/me/dev.kubeconfig",
      },
      github: true,
    });
    assert.deepEqual(problems, [
      'KUBECONFIG_STAGING = "/home/me/staging.kubeconfig": ' +
        EXPECTED_EKS.replace("environments.prod", "environments.staging"),
      'KUBECONFIG_PROD = "/home/me/prod.kubeconfig": ' +
        EXPECTED_EKS.replace(/aws/g, "gke-gcloud-auth-plugin"),
    ]);
    assert.doesNotMatch(problems.join("\n"), /do-not-leak/);
  });

  it("takes the exec plugin the settings stack accepts for that environment, and anything without GitHub", () => {
    const input = {
      project: "travel",
      observed: observed(
        "config:\n  travel:github:\n    environments:\n      staging:\n        kubeconfigPlugin: aws\n",
      ),
      given: given({ "staging:KUBECONFIG": EKS, "prod:KUBECONFIG": TOKEN }),
      env: { KUBECONFIG_STAGING: "/s", KUBECONFIG_PROD: "/k" },
      github: true,
    };
    assert.deepEqual(kubeconfigProblems(input), []);
    assert.deepEqual(
      kubeconfigProblems({ ...input, given: given({ "prod:KUBECONFIG": EKS }) }),
      [`KUBECONFIG_PROD = "/k": ${EXPECTED_EKS}`],
      "accepted for staging only",
    );
    assert.deepEqual(kubeconfigProblems({ ...input, github: false }), []);
  });

  it("checks an answer at the kubeconfig prompt the same way", () => {
    const need = {
      into: "environment",
      stack: "prod",
      path: "KUBECONFIG",
      env: ["KUBECONFIG_PROD"],
      kind: "file",
      what: "",
    } as const;
    assert.equal(
      kubeconfigAnswerProblem(observed(), need, EKS),
      EXPECTED_EKS.slice("expected ".length),
    );
    assert.equal(kubeconfigAnswerProblem(observed(), need, TOKEN), undefined);
    assert.equal(
      kubeconfigAnswerProblem(observed(), { ...need, into: "config", path: "registryToken" }, EKS),
      undefined,
    );
  });
});
