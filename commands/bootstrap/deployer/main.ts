/**
 * `npm run bootstrap -- deployer …`: prints or applies the deployer of one stack and,
 * with --kubeconfig, writes its token kubeconfig. kubectl runs with the caller's own
 * kubeconfig (KUBECONFIG or ~/.kube/config); the token travels from kubectl's stdout to
 * the file, never through a command line or this command's output.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { clusterOf, deployerKubeconfig } from "./kubeconfig";
import { DEPLOYER_USAGE, parseDeployerOptions } from "./options";
import { DEPLOYER, deployerManifests } from "./rbac";

/** Field manager of the applied objects (what `kubectl apply --server-side` records). */
export const FIELD_MANAGER = "travel-bootstrap";

function kubectl(args: readonly string[], input = ""): string {
  const r = spawnSync("kubectl", args, { input, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw new Error(`kubectl ${args[0]}: could not run kubectl (${r.error.message})`);
  if (r.status !== 0) {
    throw new Error(`kubectl ${args.slice(0, 2).join(" ")} failed: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Exit code: 0 done, 1 failed, 2 usage error. */
export function deployerMain(
  argv: readonly string[],
  root: string,
  out: (line: string) => void,
): number {
  let opts;
  try {
    opts = parseDeployerOptions(argv, root);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${DEPLOYER_USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    out(DEPLOYER_USAGE);
    return 0;
  }
  const { namespace } = opts.target;
  const manifests = deployerManifests(opts.target);
  if (!opts.apply) {
    out(manifests.map((m) => stringify(m)).join("---\n"));
    return 0;
  }
  const list = JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests });
  const applied = kubectl(
    // The admin's word wins: labels a stack applied before (another field manager) are taken over.
    ["apply", "--server-side", "--force-conflicts", `--field-manager=${FIELD_MANAGER}`, "-f", "-"],
    list,
  );
  for (const line of applied.trim().split("\n")) out(line);
  if (opts.kubeconfigOut !== undefined) {
    const view = JSON.parse(kubectl(["config", "view", "--minify", "--flatten", "-o", "json"]));
    const token = kubectl([
      "create",
      "token",
      DEPLOYER,
      `--namespace=${namespace}`,
      `--duration=${opts.tokenDuration}`,
    ]).trim();
    // A file that is there keeps its mode on write: made private before the token goes in.
    if (existsSync(opts.kubeconfigOut)) chmodSync(opts.kubeconfigOut, 0o600);
    writeFileSync(opts.kubeconfigOut, deployerKubeconfig(clusterOf(view), namespace, token), {
      mode: 0o600,
    });
    out(
      `wrote ${opts.kubeconfigOut}: logs in as ServiceAccount ${namespace}/${DEPLOYER} (token for ${opts.tokenDuration}, or less if the API server caps it)`,
    );
  }
  return 0;
}
