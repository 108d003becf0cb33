/**
 * Build once, deploy many, with a gate: a target stack promotes the digests its
 * source stack verified (rolled out successfully) without building anything, and
 * refuses, at preview time, a SHA the source did not verify. A release approved as X
 * ships X or nothing, even once the source has verified Y since; a release still soaking
 * is refused with the time left, and ships once it has soaked. Two real stacks in one
 * file backend, each in its own namespace.
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
    await up(target);

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

  it("ships the approved release or nothing, and only once it has soaked", async () => {
    type Verified = Record<"backend" | "frontend", { ref: string; gitSha: string }> & {
      verifiedAt: string;
    };
    const approved = (await source.stack.outputs()).verifiedImages!.value as Verified;
    const x = approved.backend.gitSha;
    const release = (v: Verified) => ({
      gitSha: v.backend.gitSha,
      refs: { backend: v.backend.ref, frontend: v.frontend.ref },
    });
    // While X awaits approval, the source verifies a newer release, Y.
    commitSource(source, "backend/mode", "ok\n");
    await writeConfig(source, ONE_FRONTEND);
    await up(source);
    const newer = (await source.stack.outputs()).verifiedImages!.value as Verified;
    const y = newer.backend.gitSha;
    assert.notEqual(y, x);

    const before = deployedImages(target);
    await writeConfig(target, {
      ...ONE_FRONTEND,
      "travel:images": { mode: "promote", fromStack, ...release(approved) },
    });
    const refused = await upFails(target);
    assert.match(
      refused.message,
      new RegExp(`refusing to promote ${x}: stack "${fromStack}" has verified ${y}, not ${x}`),
    );
    const line = `refusing to promote the approved backend image ${approved.backend.ref}: stack "${fromStack}" has verified ${newer.backend.ref}`;
    assert.ok(refused.message.includes(line), refused.message);

    assert.deepEqual(deployedImages(target), before, "neither X nor Y shipped");

    // Y, approved, must have served on the source for 60 minutes: refused with the time left.
    await writeConfig(target, {
      ...ONE_FRONTEND,
      "travel:images": { mode: "promote", fromStack, ...release(newer), soakMinutes: 60 },
    });
    const plan = await target.stack.preview();
    assert.match(
      plan.stdout,
      new RegExp(`${y} is not promotable yet: .*which an update refuses until then`),
    );
    const soaking = await upFails(target);
    const ready = new Date(Date.parse(newer.verifiedAt) + 60 * 60_000).toISOString();
    assert.match(
      soaking.message,
      new RegExp(
        `${y} is not promotable yet: stack "${fromStack}" verified it at ${newer.verifiedAt}, and it must soak there for 60 min \\(soakMinutes\\): (59|60) min left, promotable from ${ready}`,
      ),
    );
    assert.deepEqual(deployedImages(target), before, "nothing shipped while Y soaks");

    // A soak of one minute, waited out for real: Y ships.
    const wait = Date.parse(newer.verifiedAt) + 61_000 - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    await writeConfig(target, {
      ...ONE_FRONTEND,
      "travel:images": { mode: "promote", fromStack, ...release(newer), soakMinutes: 1 },
    });
    await up(target);
    assert.deepEqual(deployedImages(target), {
      backend: newer.backend.ref,
      frontend: newer.frontend.ref,
    });
  });
});
