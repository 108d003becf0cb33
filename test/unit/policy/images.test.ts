/**
 * The images-pinned-by-digest rule (policy/rules/images.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UnknownValueError } from "@pulumi/policy";
import {
  container,
  deployment,
  DIGEST,
  Fields,
  first,
  messages,
  podSpec,
  service,
  validateResource,
} from "../../support/policy";
import { imageProblem, imagesPinnedByDigest } from "../../../policy/rules/images";
import { UNKNOWN } from "../../../src/names";

describe("policy images-pinned-by-digest", () => {
  it("passes digest references, with or without a tag", async () => {
    const d = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ ...container("migrate"), image: `ghcr.io/a/m:v1@${DIGEST}` }];
    });
    assert.deepEqual(messages(await validateResource(imagesPinnedByDigest, d)), []);
  });

  it("names the resource, the container and the fix", async () => {
    const d = deployment("backend", (p) => (first(p).image = "ghcr.io/acme/backend:latest"));
    assert.deepEqual(messages(await validateResource(imagesPinnedByDigest, d)), [
      'Deployment "travel-backend", container "backend": the image uses the mutable tag ' +
        '"latest" (ghcr.io/acme/backend:latest). Fix: deploy the digest the push returned, ' +
        '"<registry>/<owner>/<name>@sha256:<64 hex>" (RegistryImage.ref, or images.mode "pinned" ' +
        "with the ref), never a tag.",
    ]);
  });

  it("explains each kind of unpinned reference", () => {
    assert.equal(imageProblem(`a/b@${DIGEST}`), undefined);
    assert.equal(
      imageProblem("localhost:5000/b:1.2"),
      "is pinned by tag only (localhost:5000/b:1.2)",
    );
    assert.equal(
      imageProblem("localhost:5000/b"),
      'has neither tag nor digest, so it means "latest" (localhost:5000/b)',
    );
    assert.equal(imageProblem("a/b@sha256:abc"), "has a malformed digest (a/b@sha256:abc)");
    assert.equal(imageProblem(undefined), "has no image");
  });

  it("checks init containers and every pod-bearing kind", async () => {
    const init = deployment("backend", (p) => {
      podSpec(p).initContainers = [{ ...container("migrate"), image: "busybox:1.36" }];
    });
    assert.equal(messages(await validateResource(imagesPinnedByDigest, init)).length, 1);
    assert.match(
      messages(await validateResource(imagesPinnedByDigest, init))[0]!,
      /init container "migrate"/,
    );
    const template = { spec: { containers: [{ name: "c", image: "x:1" }] } };
    const kinds: [string, Fields][] = [
      ["kubernetes:apps/v1:StatefulSet", { spec: { template } }],
      ["kubernetes:apps/v1:DaemonSet", { spec: { template } }],
      ["kubernetes:core/v1:Pod", template],
      ["kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template } } } }],
    ];
    for (const [type, props] of kinds) {
      const result = await validateResource(imagesPinnedByDigest, { type, name: "w", props });
      assert.equal(result.violations.length, 1, type);
    }
  });

  it("ignores objects without pods", async () => {
    assert.deepEqual(
      messages(await validateResource(imagesPinnedByDigest, service("backend"))),
      [],
    );
  });

  it("defers, like the analyzer, while the pushed digest is unknown in preview", async () => {
    const d = deployment("backend", (p) => (first(p).image = UNKNOWN));
    await assert.rejects(validateResource(imagesPinnedByDigest, d), UnknownValueError);
  });
});
