/**
 * The kubeconfigs bootstrap would hand the GitHub environments, checked with the
 * program's rule before anything changes: the file a KUBECONFIG_<STACK> variable names,
 * else the one the stack stores; an exec plugin the stack file accepts passes; nothing is
 * checked without GitHub, and no secret of a kubeconfig shows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  kubeconfigAnswerProblem,
  kubeconfigProblems,
} from "../../../../commands/bootstrap/kubeconfig-check";
import type { Observed } from "../../../../commands/bootstrap/plan";
import { parseStackFile } from "../../../../commands/bootstrap/stack-file";
import { committed, fresh, STACKS, text } from "../../../support/bootstrap";
import { EKS, GKE, TOKEN } from "../../../support/kubeconfigs";

const EXPECTED_EKS =
  'expected credentials the deploy and rollback jobs can use: the current context "prod" logs in as user "admin" through the exec plugin aws, which those jobs neither install nor sign in for; use a kubeconfig with a ServiceAccount token (docs/delivery.md#a-kubeconfig-for-the-jobs), or set the plugin up in the jobs and accept it with github.environment.kubeconfigPlugin: aws';

/** The stacks exist; `stored` is each one's kubeconfig. */
function observed(
  stored: Partial<Record<(typeof STACKS)[number], string>>,
  files = STACKS.map(committed),
): Observed {
  const base = fresh(files);
  return {
    ...base,
    stacks: Object.fromEntries(
      STACKS.map((s) => [
        s,
        { ...base.stacks[s], exists: true, secrets: stored[s] ? { kubeconfig: stored[s] } : {} },
      ]),
    ) as unknown as Observed["stacks"],
  };
}
const given = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([k, value]) => [k, { value, from: "a file" }]));

describe("the kubeconfigs bootstrap hands the GitHub environments", () => {
  it("refuses a given file and a stored one the jobs cannot use, naming each", () => {
    const problems = kubeconfigProblems({
      project: "travel",
      observed: observed({ dev: TOKEN, staging: EKS, prod: TOKEN }),
      given: given({ "prod:kubeconfig": GKE, "dev:kubeconfig": TOKEN }),
      env: {
        KUBECONFIG_PROD: "/home/me/prod.kubeconfig",
        KUBECONFIG_DEV: "/home/me/dev.kubeconfig",
      },
      github: true,
    });
    assert.deepEqual(problems, [
      `Pulumi.staging.yaml: travel:kubeconfig = [secret]: ${EXPECTED_EKS}`,
      'KUBECONFIG_PROD = "/home/me/prod.kubeconfig": ' +
        EXPECTED_EKS.replace(/aws/g, "gke-gcloud-auth-plugin"),
    ]);
    assert.doesNotMatch(problems.join("\n"), /do-not-leak/);
  });

  it("takes the exec plugin the stack file accepts, a replaced one, and anything without GitHub", () => {
    const accepting = parseStackFile(
      "Pulumi.staging.yaml",
      text("staging").replace(
        "config:\n",
        "config:\n  travel:github:\n    environment:\n      kubeconfigPlugin: aws\n",
      ),
      "travel",
    );
    const input = {
      project: "travel",
      observed: observed({ staging: EKS, prod: EKS }, [
        committed("dev"),
        accepting,
        committed("prod"),
      ]),
      given: given({ "prod:kubeconfig": TOKEN }),
      env: { KUBECONFIG_PROD: "/k" },
      github: true,
    };
    assert.deepEqual(kubeconfigProblems(input), []);
    assert.deepEqual(
      kubeconfigProblems({
        ...input,
        observed: observed({ prod: EKS }),
        given: given({}),
        github: false,
      }),
      [],
    );
  });

  it("checks an answer at the kubeconfig prompt the same way", () => {
    const need = {
      stack: "prod",
      path: "kubeconfig",
      env: ["KUBECONFIG_PROD"],
      kind: "file",
      what: "",
    } as const;
    assert.equal(
      kubeconfigAnswerProblem(observed({}), need, EKS),
      EXPECTED_EKS.slice("expected ".length),
    );
    assert.equal(kubeconfigAnswerProblem(observed({}), need, TOKEN), undefined);
    assert.equal(
      kubeconfigAnswerProblem(observed({}), { ...need, path: "registryToken" }, EKS),
      undefined,
    );
  });
});
