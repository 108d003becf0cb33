/**
 * Build once, deploy many, with a gate: a target stack promotes the digests its
 * source stack verified (rolled out successfully) without building anything, and
 * refuses, at preview time, a SHA the source did not verify. Two real stacks in
 * one file backend, each in its own namespace.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { kubectl } from "../support/e2e/local-env";
import {
  commitSource,
  createProject,
  destroyProjects,
  E2EProject,
  head,
  ONE_FRONTEND,
  up,
  upFails,
  writeConfig,
} from "../support/e2e/project";

function deployedImages(p: E2EProject): Record<string, string> {
  const list = kubectl("get", "deployments", "-n", p.namespace);
  return Object.fromEntries(
    list.items.map(
      (d: {
        metadata: { labels: Record<string, string> };
        spec: { template: { spec: { containers: { image: string }[] } } };
      }) => [
        d.metadata.labels["app.kubernetes.io/component"],
        d.spec.template.spec.containers[0]!.image,
      ],
    ),
  );
}

describe("promotion between two local stacks", { timeout: 20 * 60_000 }, () => {
  let source: E2EProject;
  let target: E2EProject;
  let fromStack: string;
  let verifiedSha: string;

  before(async () => {
    const id = Date.now().toString(36);
    source = await createProject(`src${id}`, { namespace: "travel-promote-src" });
    target = await createProject(`dst${id}`, {
      namespace: "travel-promote-dst",
      stateDir: source.stateDir,
    });
    fromStack = `organization/travel/${source.stack.name}`;
    await writeConfig(source, ONE_FRONTEND);
  });

  after(async () => {
    for (const p of [target, source]) {
      await destroyProjects(p);
    }
  });

  it("the target deploys the source's verified digests and builds nothing", async () => {
    await up(source);
    verifiedSha = head(source);
    const verified = (await source.stack.outputs()).verifiedImages!.value as Record<
      string,
      { ref: string; gitSha: string }
    >;
    assert.equal(verified.backend!.gitSha, verifiedSha);

    await writeConfig(target, { ...ONE_FRONTEND, "travel:images": { mode: "promote", fromStack } });
    const result = await up(target);
    assert.equal(result.summary.result, "succeeded");

    assert.deepEqual(deployedImages(target), {
      backend: verified.backend!.ref,
      frontend: verified.frontend!.ref,
    });
    assert.deepEqual(deployedImages(target), deployedImages(source));
    const state = JSON.stringify(await target.stack.exportStack());
    assert.ok(!state.includes("docker-build:index:Image"), "the target built an image");
    assert.ok(
      !target.output.join("\n").includes("docker-build:index:Image"),
      "the target ran a build",
    );
  });

  it("a SHA whose rollout failed at the source is refused at preview time", async () => {
    // A build that never gets ready: its rollout fails at the source.
    commitSource(source, "backend/mode", "never-ready\n");
    const unverifiedSha = head(source);
    await writeConfig(source, { ...ONE_FRONTEND, "travel:rolloutProgressDeadlineSeconds": 20 });
    await upFails(source);
    const verified = (await source.stack.outputs()).verifiedImages!.value as Record<
      string,
      { gitSha: string }
    >;
    assert.equal(verified.backend!.gitSha, verifiedSha, "the failed rollout verified nothing");

    const before = deployedImages(target);
    await writeConfig(target, {
      ...ONE_FRONTEND,
      "travel:images": { mode: "promote", fromStack, gitSha: unverifiedSha },
    });
    await assert.rejects(target.stack.preview(), (err: Error) =>
      String(err).includes(
        `refusing to promote ${unverifiedSha}: stack "${fromStack}" has verified ${verifiedSha}, not ${unverifiedSha}`,
      ),
    );
    await assert.rejects(up(target));
    assert.deepEqual(deployedImages(target), before, "nothing changed in the target");

    await writeConfig(target, {
      ...ONE_FRONTEND,
      "travel:images": { mode: "promote", fromStack, gitSha: verifiedSha },
    });
    await up(target);
    assert.deepEqual(deployedImages(target), before);
  });
});
