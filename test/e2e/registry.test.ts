/**
 * The supply chain against the real registry: the pull secret holds the pull
 * credentials (never the push token); a tag the registry already has for a commit is
 * reused, not rebuilt; a tag holding other content is never pushed over; a pinned
 * digest the registry lacks is refused at preview, before anything changes.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deployment, REPOS } from "../support/e2e/cluster";
import {
  kubectl,
  pushImage,
  REGISTRY,
  registryDigest,
  registryPullToken,
  registryToken,
} from "../support/e2e/local-env";
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

describe("registry: credentials and immutable tags", { timeout: 20 * 60_000 }, () => {
  let a: E2EProject;
  let b: E2EProject;

  before(async () => {
    const id = Date.now().toString(36);
    a = await createProject(`rega${id}`, { namespace: "travel-reg-a" });
    b = await createProject(`regb${id}`, { namespace: "travel-reg-b" });
    await writeConfig(a, ONE_FRONTEND);
    // The second stack builds the same checkout: the same commit.
    await writeConfig(b, {
      ...ONE_FRONTEND,
      "travel:images": {
        mode: "build",
        backend: { context: join(a.sourceDir, "backend") },
        frontend: { context: join(a.sourceDir, "frontend") },
      },
    });
  });

  after(async () => {
    for (const p of [b, a]) await destroyProjects(p);
  });

  it("the pull secret holds the pull user's token, never the push token", async () => {
    await up(a);
    const name = deployment(a.namespace, "backend").spec.template.spec.imagePullSecrets[0].name;
    const secret = kubectl("get", "secret", name, "-n", a.namespace);
    const config = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString());
    assert.equal(config.auths[REGISTRY].username, "travel-pull");
    assert.equal(config.auths[REGISTRY].password, registryPullToken());
    assert.ok(
      !JSON.stringify(kubectl("get", "secrets", "-n", a.namespace)).includes(
        Buffer.from(registryToken()).toString("base64"),
      ),
    );
  });

  it("a second stack building the same commit builds nothing and deploys the same digests", async () => {
    await up(b);
    const images = (a2: E2EProject) =>
      Object.fromEntries(
        (["backend", "frontend"] as const).map((w) => [
          w,
          deployment(a2.namespace, w).spec.template.spec.containers[0].image,
        ]),
      );
    assert.deepEqual(images(b), images(a));
    const state = JSON.stringify(await b.stack.exportStack());
    assert.ok(!state.includes("docker-build:index:Image"), "the second stack built an image");
    assert.match(
      b.output.join("\n"),
      /is already in the registry \(sha256:[0-9a-f]{64}\): reused, nothing built/,
    );
  });

  it("never pushes over a tag that holds other content, and changes nothing", async () => {
    const sha = commitSource(a, "backend/message", `travel backend fixture, ${Date.now()}\n`);
    // Someone pushed other content under the tag of that commit.
    const other = mkdtempSync(join(tmpdir(), "other-"));
    cpSync(join(a.sourceDir, "backend"), other, { recursive: true });
    writeFileSync(join(other, "message"), "not built from that commit\n");
    await pushImage(other, REPOS.backend, sha);
    const planted = await registryDigest(REPOS.backend, sha);
    const before = deployment(a.namespace, "backend").metadata.generation;
    const { message } = await upFails(a);
    assert.match(
      message,
      new RegExp(
        `travel:images.backend: ${REGISTRY}/${REPOS.backend}:${sha} already exists with other content \\(its org.opencontainers.image.revision is not set\\): an existing tag is never pushed over`,
      ),
    );
    assert.equal(
      await registryDigest(REPOS.backend, sha),
      planted,
      "the tag still holds what was there",
    );
    assert.equal(deployment(a.namespace, "backend").metadata.generation, before);
  });

  it("refuses at preview a pinned digest the registry does not have", async () => {
    const missing = `${REGISTRY}/${REPOS.backend}@sha256:${"0".repeat(64)}`;
    const front = deployment(b.namespace, "frontend").spec.template.spec.containers[0].image;
    await writeConfig(b, {
      ...ONE_FRONTEND,
      "travel:images": {
        mode: "pinned",
        backend: { ref: missing, gitSha: head(a) },
        frontend: { ref: front, gitSha: head(a) },
      },
    });
    await assert.rejects(b.stack.preview(), (err: Error) =>
      String(err).includes(
        `travel:images.backend.ref: ${missing} (pinned backend) is not in the registry`,
      ),
    );
  });
});
