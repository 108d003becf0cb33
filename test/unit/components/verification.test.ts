/**
 * Verification's requests against a real HTTPS server on 127.0.0.1 with a self-signed
 * certificate for a hostname that does not resolve: sent there by `connectTo`, trusted
 * through `ca`, answered by Host header and TLS server name; then the failure message.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BACKEND_CHECK,
  checksOf,
  drainWaitSeconds,
  releaseServing,
  targetOf,
  VerificationError,
  verifyRelease,
} from "../../../src/components/verification";
import { runChecks, type CheckTarget } from "../../../src/components/verification-checks";
import { verifySchema } from "../../../src/config/verify-schema";

const HOST = "app.verify.test";
const BROKEN =
  "frontend v1 (pod f-1): backend call failed: dial tcp 10.96.0.12:8000: i/o timeout\n";

describe("verification checks over HTTPS", () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  let ca: string;
  let flaky = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "travel-verify-"));
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        ...["-subj", `/CN=${HOST}`, "-addext", `subjectAltName=DNS:${HOST}`],
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(join(dir, "cert.pem"), "utf8");
    server = https.createServer(
      { key: readFileSync(join(dir, "key.pem")), cert: ca },
      (req, res) => {
        if (req.headers.host !== HOST) return res.writeHead(421).end("wrong host\n");
        if (req.url === "/") return res.end("home page\n");
        if (req.url === "/flaky") {
          flaky += 1;
          if (flaky <= 2) return res.writeHead(503).end("starting\n");
          return res.end("ready now\n");
        }
        if (req.url === "/api/backend-status") return res.writeHead(502).end(BROKEN);
        return res.writeHead(404).end();
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = (over: Partial<CheckTarget> = {}): CheckTarget => ({
    hostname: HOST,
    connectTo: { host: "127.0.0.1", port },
    ca,
    timeoutSeconds: 4,
    intervalSeconds: 1,
    requestTimeoutSeconds: 2,
    ...over,
  });

  it("passes a path that answers as expected, at the first attempt, by hostname", async () => {
    assert.deepEqual(
      await runChecks(target(), [
        { name: "path /", path: "/", status: 200 },
        { name: "body", path: "/", status: 200, body: "home" },
      ]),
      [
        {
          name: "path /",
          url: `https://${HOST}/`,
          expected: "200",
          got: "200",
          passed: true,
          attempts: 1,
        },
        {
          name: "body",
          url: `https://${HOST}/`,
          expected: '200 with a body containing "home"',
          got: "200",
          passed: true,
          attempts: 1,
        },
      ],
    );
  });

  it("retries a check until it passes within the budget", async () => {
    flaky = 0;
    const [r] = await runChecks(target(), [{ name: "flaky", path: "/flaky", status: 200 }]);
    assert.deepEqual(
      { got: r!.got, passed: r!.passed, attempts: r!.attempts },
      { got: "200", passed: true, attempts: 3 },
    );
  });

  it("keeps a failed check's last answer: status and body, or a body without the text", async () => {
    const [wrongStatus, wrongBody] = await runChecks(target({ timeoutSeconds: 2 }), [
      { name: BACKEND_CHECK, path: "/api/backend-status", status: 200 },
      { name: "body", path: "/", status: 200, body: "<- backend" },
    ]);
    assert.equal(wrongStatus!.got, `502: ${BROKEN.trim()}`);
    assert.equal(wrongStatus!.passed, false);
    assert.ok(wrongStatus!.attempts >= 2, "retried before giving up");
    assert.equal(wrongBody!.expected, '200 with a body containing "<- backend"');
    assert.equal(wrongBody!.got, "200: home page");
    assert.equal(wrongBody!.passed, false);
  });

  it("says why nothing answered: an untrusted certificate, another name, a closed port", async () => {
    const check = [{ name: "path /", path: "/", status: 200 }];
    const got = async (t: CheckTarget) => (await runChecks(t, check))[0]!.got;
    const budget = { timeoutSeconds: 1 };
    assert.equal(
      await got(target({ ...budget, ca: undefined })),
      "no answer: self-signed certificate",
    );
    assert.match(
      await got(target({ ...budget, hostname: "other.verify.test" })),
      /^no answer: Hostname\/IP does not match certificate's altnames: Host: other\.verify\.test\. is not in the cert's altnames: DNS:app\.verify\.test$/,
    );
    const closed = https.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    assert.equal(
      await got(target({ ...budget, connectTo: { host: "127.0.0.1", port: closedPort } })),
      `no answer: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
  });

  it("builds its checks and target from the config: each path, then the backend path", () => {
    const cfg = verifySchema.parse({
      paths: [{ path: "/" }, { path: "/trips", status: 301 }],
      connectTo: "127.0.80.1:443",
      caCert: ca,
    });
    assert.deepEqual(checksOf(cfg), [
      { name: "path /", path: "/", status: 200 },
      { name: "path /trips", path: "/trips", status: 301 },
      { name: BACKEND_CHECK, path: "/api/backend-status", status: 200 },
    ]);
    assert.deepEqual(targetOf(HOST, cfg), {
      hostname: HOST,
      connectTo: { host: "127.0.80.1", port: 443 },
      ca,
      timeoutSeconds: 60,
      intervalSeconds: 2,
      requestTimeoutSeconds: 5,
    });
    const fromFile = targetOf(HOST, verifySchema.parse({ caCert: join(dir, "cert.pem") }));
    assert.equal(fromFile.ca, ca);
    assert.equal(fromFile.connectTo, undefined);
  });
});

describe("verifyRelease", () => {
  const t: CheckTarget = {
    hostname: HOST,
    timeoutSeconds: 30,
    intervalSeconds: 2,
    requestTimeoutSeconds: 5,
  };
  const checks = [
    { name: "path /", path: "/", status: 200 },
    { name: BACKEND_CHECK, path: "/api/backend-status", status: 200 },
  ];

  it("checks nothing until the rollouts and the route are done", async () => {
    let release: () => void = () => undefined;
    const ready = new Promise<void>((r) => (release = r));
    let ran = false;
    const verified = verifyRelease(ready, t, checks, async (_t, cs) => {
      ran = true;
      return cs.map((c) => ({
        ...c,
        url: "u",
        expected: "200",
        got: "200",
        passed: true,
        attempts: 1,
      }));
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(ran, false);
    release();
    const v = await verified;
    assert.equal(ran, true);
    assert.ok(Math.abs(Date.parse(v.verifiedAt) - Date.now()) < 5000, v.verifiedAt);
    assert.equal(v.checks.length, 2);
  });

  it("fails with one line per failed check: its URL, what was expected, what came back", async () => {
    await assert.rejects(
      verifyRelease(Promise.resolve(), t, checks, async () => [
        {
          name: "path /",
          url: `https://${HOST}/`,
          expected: "200",
          got: "200",
          passed: true,
          attempts: 1,
        },
        {
          name: BACKEND_CHECK,
          url: `https://${HOST}/api/backend-status`,
          expected: "200",
          got: `502: ${BROKEN.trim()}`,
          passed: false,
          attempts: 15,
        },
      ]),
      (err) =>
        err instanceof VerificationError &&
        err.message ===
          "verification failed: 1 of 2 checks did not pass within 30s (the new pods are serving; verifiedImages still names the last verified release):\n" +
            `- frontend reaches backend: GET https://${HOST}/api/backend-status: expected 200, got 502: frontend v1 (pod f-1): backend call failed: dial tcp 10.96.0.12:8000: i/o timeout (15 attempts)`,
    );
  });

  it("does not check when a rollout failed", async () => {
    let ran = false;
    await assert.rejects(
      verifyRelease(Promise.reject(new Error("1 of 2 rollouts failed")), t, checks, async () => {
        ran = true;
        return [];
      }),
      /^Error: 1 of 2 rollouts failed$/,
    );
    assert.equal(ran, false);
  });
});

describe("drainWaitSeconds", () => {
  const complete = (draining?: number) =>
    ({ phase: "complete", revision: "2", summary: "", draining }) as const;
  const drain = { backend: 10, frontend: 25 };

  it("waits the longest drain of a workload whose previous pods were still draining", () => {
    assert.equal(drainWaitSeconds({ backend: complete(1), frontend: complete(2) }, drain), 25);
    assert.equal(drainWaitSeconds({ backend: complete(1), frontend: complete(0) }, drain), 10);
  });

  it("does not wait when nothing was replaced (a no-op update)", () => {
    assert.equal(drainWaitSeconds({ backend: complete(0), frontend: complete() }, drain), 0);
  });
});

describe("releaseServing", () => {
  const complete = (draining: number) =>
    Promise.resolve({ phase: "complete", revision: "2", summary: "", draining } as const);

  it("waits for the previous pods to drain once the rollouts are done, and only then", async () => {
    const started = Date.now();
    await releaseServing(
      Promise.resolve(),
      { backend: complete(0), frontend: complete(1) },
      { backend: 0, frontend: 1 },
    );
    assert.ok(Date.now() - started >= 1000, `waited ${Date.now() - started} ms`);
    const quick = Date.now();
    await releaseServing(Promise.resolve(), { frontend: complete(0) }, { frontend: 1 });
    assert.ok(Date.now() - quick < 500, "no wait with nothing draining");
  });
});
