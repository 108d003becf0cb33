/**
 * Kubeconfigs of the kinds clusters hand out, for the tests of what the deploy jobs can
 * use: each logs in as user "admin" of the current context "prod" (EKS, GKE and AKS
 * through their exec plugins, the dropped gcp auth provider, oidc, a ServiceAccount
 * token, a client certificate). Their secrets say "do-not-leak". No tests of its own.
 */
/** A kubeconfig whose user `admin` of context `prod` logs in with `user`; `other`'s user runs aws. */
export const kubeconfig = (user: string, current = "prod") =>
  [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: c",
    "    cluster: {server: https://c.example:6443, certificate-authority-data: Y2EtZG8tbm90LWxlYWs=}",
    "contexts:",
    "  - name: prod",
    "    context: {cluster: c, user: admin}",
    "  - name: other",
    "    context: {cluster: c, user: plugin}",
    `current-context: ${current}`,
    "users:",
    "  - name: admin",
    `    user: ${user}`,
    "  - name: plugin",
    "    user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1beta1}}",
    "",
  ].join("\n");

export const EKS = kubeconfig(
  "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, " +
    "args: [--region, eu-west-1, eks, get-token, --cluster-name, prod], " +
    "env: [{name: AWS_SESSION_TOKEN, value: aws-token-do-not-leak}]}}",
);
export const GKE = kubeconfig(
  "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gke-gcloud-auth-plugin}}",
);
export const AKS = kubeconfig("{exec: {command: kubelogin, args: [get-token, --server-id, x]}}");
export const GCP = kubeconfig(
  "{auth-provider: {name: gcp, config: {access-token: gcp-token-do-not-leak}}}",
);
export const OIDC = kubeconfig(
  "{auth-provider: {name: oidc, config: {id-token: oidc-do-not-leak}}}",
);
export const TOKEN = kubeconfig("{token: sa-token-do-not-leak}");
export const CERT = kubeconfig(
  "{client-certificate-data: Y2VydA==, client-key-data: a2V5LWRvLW5vdC1sZWFr}",
);
