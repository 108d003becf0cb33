/**
 * Faults: the registry fails during a push, or stops answering. The stack deploys from a
 * proxy in front of the real registry (support/faults.ts), so only this stack sees the
 * fault. Each failed `up` must change no Kubernetes object and leave no half-pushed tag in
 * use; the retry after the registry is back converges.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WORKLOADS } from "../../src/names";
import { assertDeployed, deployment, REPOS } from "../support/e2e/cluster";
import { RegistryProxy } from "../support/e2e/faults";
import { RequestLoop, viaGateway } from "../support/e2e/http";
import { registryTags } from "../support/e2e/local-env";
import {
  commitSource,
  committedLocalConfig,
  createProject,
  destroyProjects,
  type E2EProject,
  head,
  hostnameOf,
  stackNameFor,
  up,
  upFails,
  writeConfig,
} from "../support/e2e/project";

const NS = "travel-registry-faults";

/** What the cluster runs: each Deployment's generation and image. */
const snapshot = () =>
  WORKLOADS.map((w) => {
    const d = deployment(NS, w);
    return `${w}: generation ${d.metadata.generation}, ${d.spec.template.spec.containers[0].image}`;
  });

describe("registry faults", () => {
  const proxy = new RegistryProxy();
  let p: E2EProject;
  let deployed: string;
  let loop: RequestLoop;

  before(async () => {
    await proxy.up();
    p = await createProject(stackNameFor("regfault"), { namespace: NS });
    const registry = committedLocalConfig()["travel:registry"] as Record<string, string>;
    await writeConfig(p, { "travel:registry": { ...registry, server: proxy.address } });
    await up(p);
    deployed = head(p);
    await assertDeployed(NS, deployed, proxy.address);
    loop = new RequestLoop(() => viaGateway(hostnameOf(p)));
  });

  after(async () => {
    await loop?.stop();
    await destroyProjects(p);
    await proxy.down();
  });

  it("a push the registry refuses fails the up before any Kubernetes object changes", async () => {
    const before = snapshot();
    proxy.mode = "refuse-writes";
    const sha = commitSource(p, "backend/message", "travel backend fixture, refused push\n");
    const { message, seconds } = await upFails(p);
    assert.ok(proxy.refused > 0, "the build tried to push");
    assert.match(message, /docker-build:index:Image/);
    assert.match(message, /503|UNAVAILABLE|Service Unavailable/);
    assert.deepEqual(snapshot(), before, "no Deployment changed");
    for (const w of WORKLOADS)
      assert.ok(!(await registryTags(REPOS[w])).includes(sha), `no ${w} tag ${sha} was pushed`);
    process.stderr.write(`# refused push: up failed after ${seconds.toFixed(1)}s\n`);
  });

  it("a registry that does not answer fails the up at its first lookup, changing nothing", async () => {
    const before = snapshot();
    await proxy.down();
    const { message, seconds } = await upFails(p);
    assert.match(
      message,
      /cannot look up 127\.0\.0\.1:5001\/travel\/coagents-travel-\w+:[0-9a-f]{40}/,
    );
    assert.match(message, /ECONNREFUSED|fetch failed|connect/);
    assert.deepEqual(snapshot(), before, "no Deployment changed");
    process.stderr.write(`# registry down: up failed after ${seconds.toFixed(1)}s\n`);
  });

  it("once the registry is back, the next up converges; the app answered throughout", async () => {
    proxy.mode = "forward";
    await proxy.up();
    await up(p);
    await assertDeployed(NS, head(p), proxy.address);
    const result = await loop.stop();
    assert.ok(result.total > 20, `the loop ran (${result.total} requests)`);
    assert.deepEqual(result.failures, [], `${result.failed} of ${result.total} requests failed`);
    process.stderr.write(`# registry faults: ${result.total} requests, ${result.failed} lost\n`);
  });
});
