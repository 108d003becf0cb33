/**
 * Releases, for real, on a stack `pulumi up` deployed to the local node with the program in
 * the app's repository (the in-app layout): `up` verifying through the Gateway and refusing
 * to verify a frontend cut off from the backend; the deploy command bringing a release that
 * fails verification back to the last verified one and revoking a verified release whose
 * re-check fails; and `npm run rollback` to earlier verified releases, serving throughout.
 * The cases build on each other's releases, in order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { OutputMap } from "@pulumi/pulumi/automation";
import type { CheckResult } from "../../src/components/verification";
import { selectPromotion } from "../../src/images/promotion";
import type { RevokedImageSet, VerifiedImageSet } from "../../src/images/types";
import { deployment, pods } from "../support/e2e/cluster";
import { npmCommand } from "../support/e2e/commands";
import { RequestLoop, viaGateway, stopAfter } from "../support/e2e/http";
import {
  commitSource,
  committedLocalConfig,
  createProject,
  destroyProjects,
  E2EProject,
  hostnameOf,
  BACKEND_STATUS_PATH,
  stackNameFor,
  up,
  upFails,
  verifyConfig,
  writeConfig,
} from "../support/e2e/project";

const NS = "travel-releases";

describe(
  "releases: verification, automatic rollback, revocation, rollback",
  { timeout: 20 * 60_000 },
  () => {
    let p: E2EProject;

    /** What a stack promoting `gitSha` from this one would be told (the promotion gate). */
    const promote = (outputs: OutputMap, gitSha: string, allowUnverified = false) =>
      selectPromotion(
        {
          stack: p.stack.name,
          verified: outputs.verifiedImages?.value,
          deployed: outputs.images!.value,
          revoked: outputs.revokedImages?.value,
        },
        { gitSha, allowUnverified, soakMinutes: 0, now: new Date(), enforceSoak: true },
      );

    before(async () => {
      p = await createProject(stackNameFor("releases"), { namespace: NS, layout: "in-app" });
      await up(p);
    });

    after(async () => {
      await destroyProjects(p);
    });

    it("up verifies through the Gateway; a frontend with a wrong backend URL rolls out ready, fails verification and is not promotable", async () => {
      const host = hostnameOf(p);
      const before = await p.stack.outputs();
      const verified = before.verifiedImages!.value as VerifiedImageSet;
      const oldSha = verified.frontend.gitSha;
      assert.ok(!Number.isNaN(Date.parse(verified.verifiedAt!)), "verifiedAt is a time");
      const checks = (before.verification!.value as { checks: CheckResult[] }).checks;
      assert.deepEqual(
        checks.map((c) => [c.name, c.url, c.passed]),
        [
          ["path /", `https://${host}/`, true],
          ["frontend reaches backend", `https://${host}${BACKEND_STATUS_PATH}`, true],
        ],
      );

      const newSha = commitSource(p, "frontend/message", "travel frontend fixture v2\n");
      // A wrong REMOTE_ACTION_URL: the backend has no such path. Every pod is still ready.
      await writeConfig(p, {
        "travel:backend": {
          ...(committedLocalConfig()["travel:backend"] as object),
          actionPath: "/nowhere",
        },
        "travel:verify": verifyConfig({ timeoutSeconds: 15 }),
      });
      try {
        const failed = await upFails(p);
        const report = failed.message.slice(failed.message.indexOf("verification failed"));
        process.stdout.write(
          `# failed after ${failed.seconds.toFixed(0)}s:\n# ${report.slice(0, 1500)}\n`,
        );
        assert.match(
          report,
          new RegExp(
            "verification failed: 1 of 2 checks did not pass within 15s .*\\n\\s*" +
              `- frontend reaches backend: GET https://${host.replaceAll(".", "\\.")}/api/backend-status: ` +
              'expected 200 with a body containing "<- backend ", got 502: frontend travel frontend fixture v2 ' +
              "\\(pod travel-frontend-[^)]+\\): backend answered 404: 404 page not found \\(\\d+ attempts\\)",
          ),
        );
        assert.doesNotMatch(failed.message, /- path \//, "the page itself answered");
        // The new release rolled out ready and serves; it is just not verified.
        for (const x of pods(NS, "frontend")) {
          assert.equal(x.status.containerStatuses![0]!.ready, true, x.metadata.name);
          assert.match(x.spec.containers[0]!.image, /@sha256:/);
        }
        assert.match((await viaGateway(host))?.body ?? "", /^frontend travel frontend fixture v2 /);
        const after = await p.stack.outputs();
        assert.deepEqual(after.verifiedImages!.value, verified, "verifiedImages unchanged");
        assert.throws(
          () => promote(after, newSha),
          new RegExp(
            `^PromotionRefused: refusing to promote ${newSha}: stack "${p.stack.name}" has verified ${oldSha}, not ${newSha}`,
          ),
        );
      } finally {
        await writeConfig(p, {});
      }
      // The right URL again: the same release verifies.
      await up(p);
      const now = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
      assert.equal(now.frontend.gitSha, newSha);
      assert.ok(Date.parse(now.verifiedAt!) > Date.parse(verified.verifiedAt!));
    });

    it("npm run deploy: a release that fails verification is rolled back to the last verified one at once, losing no request", async (t) => {
      const host = hostnameOf(p);
      const good = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
      // A backend release whose API moved: it rolls out ready, but the frontend cannot use it.
      const badSha = commitSource(p, "backend/mode", "no-action\n");
      await writeConfig(p, { "travel:verify": verifyConfig({ timeoutSeconds: 15 }) });
      const loop = new RequestLoop(() => viaGateway(host));
      stopAfter(t, loop);
      const deployed = await npmCommand(p, "deploy", [p.stack.name]);
      const result = await loop.stop();
      const log = deployed.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
      process.stdout.write(`# ${log.join("\n# ")}\n`);
      assert.equal(deployed.status, 1, "the deploy still fails");
      assert.match(
        `${deployed.stdout}${deployed.stderr}`,
        /verification failed: 1 of 2 checks did not pass within 15s .*\n\s*- frontend reaches backend: .*backend answered 404/,
      );
      assert.deepEqual(log.slice(-1), [
        `[deploy] ${p.stack.name} runs ${good.backend.gitSha} again; the deploy failed all the same`,
      ]);
      assert.ok(
        log.includes(
          `[deploy] the verification failed: rolling ${p.stack.name} back to its last verified release, ${good.backend.gitSha} (verified at ${good.verifiedAt}); nothing is built`,
        ),
        log.join("\n"),
      );
      for (const w of ["backend", "frontend"] as const) {
        assert.equal(deployment(NS, w).spec.template.spec.containers[0].image, good[w].ref, w);
      }
      const after = await p.stack.outputs();
      const { verifiedAt, ...again } = after.verifiedImages!.value as VerifiedImageSet;
      assert.deepEqual(again, { backend: good.backend, frontend: good.frontend });
      assert.ok(Date.parse(verifiedAt!) > Date.parse(good.verifiedAt!), "verified again");
      assert.deepEqual(after.images!.value, { backend: good.backend, frontend: good.frontend });
      const releases = after.releases!.value as VerifiedImageSet[];
      assert.ok(
        releases.every((r) => r.backend.gitSha !== badSha),
        "the failed release is not a verified release",
      );
      // Nothing downstream can promote it, not even with the override (it is not deployed).
      for (const allowUnverified of [false, true]) {
        assert.throws(
          () => promote(after, badSha, allowUnverified),
          new RegExp(
            `^PromotionRefused: refusing to promote ${badSha}: stack "${p.stack.name}" has (verified|deployed) ${good.backend.gitSha}, not ${badSha}`,
          ),
        );
      }
      assert.equal(
        result.failed,
        0,
        `${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
      );
      assert.ok(result.total > 20, `${result.total} requests`);
      process.stdout.write(
        `# automatic rollback: deploy failed and came back in ${deployed.seconds.toFixed(0)}s; ${result.total} requests, ${result.failed} failed\n`,
      );
      commitSource(p, "backend/mode", "ok\n");
      await writeConfig(p, {});
    });

    it("npm run deploy: a verified release whose re-check fails is revoked: not promotable, not rolled back to", async () => {
      const host = hostnameOf(p);
      const previous = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
      // The source as it is now (backend mode ok again), verified.
      await up(p);
      const release = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
      const sha = release.backend.gitSha;
      assert.notEqual(sha, previous.backend.gitSha);
      // The same release again, with a backend URL the frontend cannot use: its re-check fails.
      await writeConfig(p, {
        "travel:backend": {
          ...(committedLocalConfig()["travel:backend"] as object),
          actionPath: "/nowhere",
        },
        "travel:verify": verifyConfig({ timeoutSeconds: 15 }),
      });
      const deployed = await npmCommand(p, "deploy", [p.stack.name]);
      const log = deployed.stderr.split("\n").filter((l) => l.startsWith("[deploy] "));
      process.stdout.write(`# ${log.join("\n# ")}\n`);
      assert.equal(deployed.status, 1);
      assert.equal(
        log[0],
        `[deploy] revoked ${sha} on ${p.stack.name}: ${p.stack.name} had verified it, and the verification failed now; it is in neither verifiedImages nor releases any more`,
      );
      // The rollback goes to the release before it, never to the revoked one; with the
      // same wrong URL its checks fail too, and the deploy says so.
      assert.equal(
        log[1],
        `[deploy] the verification failed: rolling ${p.stack.name} back to its last verified release, ${previous.backend.gitSha} (verified at ${previous.verifiedAt}); nothing is built`,
      );
      assert.match(log.at(-1)!, /^\[deploy\] the automatic rollback failed too \(pulumi up failed/);
      const after = await p.stack.outputs();
      assert.equal(after.verifiedImages, undefined, "nothing is verified");
      const revoked = after.revokedImages!.value as RevokedImageSet;
      assert.deepEqual(
        { backend: revoked.backend, frontend: revoked.frontend, verifiedAt: revoked.verifiedAt },
        release,
      );
      assert.match(revoked.reason, /^the verification failed in the update of /);
      const releases = after.releases!.value as VerifiedImageSet[];
      assert.ok(
        releases.every((r) => r.backend.gitSha !== sha),
        "it left the releases",
      );
      assert.equal(releases[0]!.backend.gitSha, previous.backend.gitSha);
      assert.throws(
        () => promote(after, sha),
        new RegExp(
          `^PromotionRefused: stack "${p.stack.name}" has no verified images: it revoked ${sha} at ${revoked.revokedAt}`,
        ),
      );
      // The URL fixed: the next update's checks pass, and it is verified again.
      await writeConfig(p, {});
      await up(p);
      const outputs = await p.stack.outputs();
      assert.equal((outputs.verifiedImages!.value as VerifiedImageSet).backend.gitSha, sha);
      assert.equal(outputs.revokedImages, undefined);
      assert.match((await viaGateway(host))?.body ?? "", /^frontend travel frontend fixture v2 /);
    });

    it("npm run rollback in the in-app layout: to the previous verified release, then two back, serving throughout", async (t) => {
      const host = hostnameOf(p);
      const releases = (await p.stack.outputs()).releases!.value as VerifiedImageSet[];
      assert.ok(releases.length >= 3, `${releases.length} verified releases`);
      const [, previous, twoBack] = releases as [
        VerifiedImageSet,
        VerifiedImageSet,
        VerifiedImageSet,
      ];
      const loop = new RequestLoop(() => viaGateway(host));
      stopAfter(t, loop);
      const back = await npmCommand(p, "rollback", [p.stack.name]);
      // pulumi's own output (stdout) says why an up failed.
      assert.equal(back.status, 0, `${back.stderr}\n${back.stdout.slice(-4000)}`);
      for (const w of ["backend", "frontend"] as const) {
        assert.equal(deployment(NS, w).spec.template.spec.containers[0].image, previous[w].ref, w);
      }
      const further = await npmCommand(p, "rollback", [p.stack.name, twoBack.backend.gitSha]);
      assert.equal(further.status, 0, `${further.stderr}\n${further.stdout.slice(-4000)}`);
      const result = await loop.stop();
      for (const w of ["backend", "frontend"] as const) {
        assert.equal(deployment(NS, w).spec.template.spec.containers[0].image, twoBack[w].ref, w);
      }
      const now = (await p.stack.outputs()).verifiedImages!.value as VerifiedImageSet;
      assert.equal(now.backend.ref, twoBack.backend.ref, "verified again");
      assert.equal(
        result.failed,
        0,
        `${result.failed} of ${result.total} requests failed: ${result.failures.join("; ")}`,
      );
      assert.ok(result.total > 20, `${result.total} requests`);
      process.stdout.write(
        `# in-app rollbacks: ${result.total} requests, ${result.failed} failed\n`,
      );
    });
  },
);
