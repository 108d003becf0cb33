/**
 * The registry client against the fake registry: what each answer a registry may give to a
 * tag lookup means (not there, refused credentials, a read denied to credentials it took),
 * with the exact messages, which name the user and never the token.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  errorCodes,
  readingOf,
  Registry,
  tokenRefusalOf,
} from "../../../src/images/registry-client";
import { ociErrors, startRegistry, type RegistryServer } from "../../support/registry-server";

const REPO = "acme/app";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const USER = "reader";
const PASSWORD = "tok-do-not-leak";

describe("registry answers", () => {
  it("reads the codes of an OCI error body, and none of anything else", () => {
    assert.deepEqual(errorCodes(JSON.stringify(ociErrors("DENIED", "NAME_UNKNOWN"))), [
      "DENIED",
      "NAME_UNKNOWN",
    ]);
    for (const body of ["", "denied", "{}", '{"errors":"DENIED"}', '{"errors":[{"code":7}]}'])
      assert.deepEqual(errorCodes(body), [], body);
  });

  it("tells not there, refused and denied apart by status, error codes and what was sent", () => {
    const cases: [number, string[], "anonymous" | "basic" | "bearer", string][] = [
      [200, [], "bearer", "found"],
      [404, [], "bearer", "absent"],
      [404, ["MANIFEST_UNKNOWN"], "bearer", "absent"],
      [403, ["NAME_UNKNOWN"], "bearer", "absent"],
      [401, ["NAME_UNKNOWN"], "basic", "absent"],
      [401, ["DENIED"], "bearer", "denied"],
      [403, ["DENIED"], "bearer", "denied"],
      [401, ["UNAUTHORIZED"], "anonymous", "denied"],
      [403, [], "basic", "denied"],
      [401, ["UNAUTHORIZED"], "basic", "refused"],
      [429, ["TOOMANYREQUESTS"], "bearer", "failed"],
      [500, [], "bearer", "failed"],
    ];
    for (const [status, codes, sent, reading] of cases)
      assert.equal(readingOf(status, codes, sent), reading, `${status} ${codes} ${sent}`);
    assert.equal(tokenRefusalOf(["DENIED"], true), "refused");
    assert.equal(tokenRefusalOf([], false), "denied");
    assert.equal(tokenRefusalOf(["NAME_UNKNOWN"], true), "absent");
  });
});

describe("registry client", () => {
  let registry: RegistryServer;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry.close());
  beforeEach(() => {
    registry.requests.length = 0;
    registry.tags.clear();
    registry.answers.clear();
    registry.refusal = { status: 401 };
    registry.auth = { username: USER, password: PASSWORD };
  });
  const reader = () => new Registry({ username: USER, password: PASSWORD });
  const lookup = (client = reader()) => client.manifest(registry.host, REPO, SHA);
  const exchanged = () => [
    `GET /v2/${REPO}/manifests/${SHA}`,
    `GET /token?service=fake-registry&scope=repository%3Aacme%2Fapp%3Apull as ${USER}`,
    `GET /v2/${REPO}/manifests/${SHA}`,
  ];

  it("finds a tag after the token exchange", async () => {
    registry.tags.set(`${REPO}:${SHA}`, { revision: SHA });
    const m = await lookup();
    assert.equal(m?.digest, registry.digestOf(REPO, SHA));
    assert.deepEqual(registry.requests, exchanged());
  });

  it("reads a plain 404 and a 404 MANIFEST_UNKNOWN as not there", async () => {
    assert.equal(await lookup(), undefined);
    assert.deepEqual(registry.requests, exchanged());
    registry.answers.set(REPO, { status: 404, body: ociErrors("MANIFEST_UNKNOWN") });
    assert.equal(await lookup(), undefined);
  });

  it("reads 401 and 403 saying NAME_UNKNOWN as not there (a repository never pushed)", async () => {
    for (const status of [401, 403]) {
      registry.answers.set(REPO, { status, body: ociErrors("NAME_UNKNOWN") });
      assert.equal(await lookup(), undefined, `HTTP ${status}`);
    }
  });

  it("reports a read denied after a successful token exchange, naming the user and the repository", async () => {
    for (const [status, code] of [
      [401, "DENIED"],
      [403, "DENIED"],
      [401, "UNAUTHORIZED"],
    ] as const) {
      registry.requests.length = 0;
      registry.answers.set(REPO, { status, body: ociErrors(code) });
      await assert.rejects(lookup(), {
        fault: "denied",
        message:
          `${registry.host} took the credentials of "${USER}" but does not let them read ${REPO} ` +
          `(HTTP ${status} ${code}): expected "${USER}" to be allowed to pull ${REPO}`,
      });
      assert.deepEqual(registry.requests, exchanged(), "the token endpoint issued a token");
    }
  });

  it("reports credentials the token endpoint refuses as such, without the token", async () => {
    const wrong = new Registry({ username: USER, password: "wrong" });
    const refused = (answer: string) =>
      `${registry.host} refused the credentials of "${USER}" (${answer} from its token endpoint ` +
      `${registry.host}/token): expected a valid, unexpired token of "${USER}" that may pull ${REPO}`;
    await assert.rejects(lookup(wrong), { fault: "credentials", message: refused("HTTP 401") });
    registry.refusal = { status: 403, body: ociErrors("DENIED") };
    await assert.rejects(lookup(wrong), {
      fault: "credentials",
      message: refused("HTTP 403 DENIED"),
    });
  });

  it("reports an anonymous read the token endpoint denies as a repository that is not public", async () => {
    registry.refusal = { status: 403, body: ociErrors("DENIED") };
    await assert.rejects(lookup(new Registry()), {
      fault: "denied",
      message:
        `${registry.host} does not let anonymous requests read ${REPO} (HTTP 403 DENIED from its ` +
        `token endpoint ${registry.host}/token): expected ${REPO} to be public`,
    });
  });

  it("reads a token endpoint saying NAME_UNKNOWN as not there", async () => {
    registry.refusal = { status: 404, body: ociErrors("NAME_UNKNOWN") };
    assert.equal(await lookup(new Registry({ username: USER, password: "other" })), undefined);
  });

  it("keeps one token per repository, since a registry scopes it to the repository asked for", async () => {
    const client = reader();
    await lookup(client);
    await lookup(client);
    await client.manifest(registry.host, "acme/other", SHA);
    assert.deepEqual(
      registry.requests.filter((r) => r.startsWith("GET /token")),
      [
        `GET /token?service=fake-registry&scope=repository%3Aacme%2Fapp%3Apull as ${USER}`,
        `GET /token?service=fake-registry&scope=repository%3Aacme%2Fother%3Apull as ${USER}`,
      ],
    );
  });
});
