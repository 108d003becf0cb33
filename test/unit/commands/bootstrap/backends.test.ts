/**
 * Bootstrap's backends: Pulumi Cloud and the self-managed schemes, the secrets provider a
 * new stack gets on each, stack and promotion source names in either organization, the
 * committed stack files' encryption state and its reset.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  backendFrom,
  organizationFor,
  parseBackend,
  promotionSourceName,
  qualifiedStackName,
  secretsProviderFor,
} from "../../../../commands/bootstrap/backend";
import {
  encryptionState,
  parseStackFile,
  stripEncryption,
} from "../../../../commands/bootstrap/stack-file";
import { CLOUD, committed, FILE, STACKS, text } from "../../../support/bootstrap";
describe("backends", () => {
  it("parses Pulumi Cloud and every self-managed scheme, refusing anything else in one line", () => {
    assert.deepEqual(parseBackend("cloud"), { kind: "cloud", url: "https://api.pulumi.com" });
    assert.deepEqual(parseBackend("https://pulumi.acme.internal/"), {
      kind: "cloud",
      url: "https://pulumi.acme.internal",
    });
    for (const scheme of ["file", "s3", "azblob", "gs"]) {
      assert.deepEqual(parseBackend(`${scheme}://x`), {
        kind: "self-managed",
        url: `${scheme}://x`,
        scheme,
      });
    }
    assert.throws(
      () => parseBackend("ftp://x"),
      /^Error: backend = "ftp:\/\/x": expected "cloud" \(Pulumi Cloud\), an https:\/\/ Pulumi Cloud URL, or a self-managed URL/,
    );
  });

  it("takes the backend from the option, else PULUMI_BACKEND_URL, else Pulumi Cloud with a token", () => {
    assert.equal(backendFrom("s3://a", { PULUMI_BACKEND_URL: "gs://b" })?.url, "s3://a");
    assert.equal(
      backendFrom(undefined, { PULUMI_BACKEND_URL: "gs://b", PULUMI_ACCESS_TOKEN: "t" })?.url,
      "gs://b",
    );
    assert.equal(
      backendFrom(undefined, { PULUMI_BACKEND_URL: "", PULUMI_ACCESS_TOKEN: "t" })?.kind,
      "cloud",
    );
    assert.equal(backendFrom(undefined, {}), undefined);
  });

  it("gives new stacks the backend's secrets provider: a passphrase, or Pulumi Cloud's key", () => {
    assert.equal(secretsProviderFor(FILE), "passphrase");
    assert.equal(secretsProviderFor(parseBackend("s3://b")), "passphrase");
    assert.equal(secretsProviderFor(CLOUD), "default");
    assert.equal(secretsProviderFor(CLOUD, "passphrase"), "passphrase");
    const kms = "awskms://alias/travel?region=eu-west-1";
    assert.equal(secretsProviderFor(FILE, kms), kms);
    assert.throws(
      () => secretsProviderFor(FILE, "default"),
      /the "default" provider is Pulumi Cloud's own key/,
    );
    assert.throws(
      () => secretsProviderFor(CLOUD, "vault"),
      /secrets-provider = "vault": expected passphrase, default/,
    );
  });

  it("names stacks and promotion sources for either backend", () => {
    assert.equal(organizationFor(FILE, undefined), "organization");
    assert.throws(() => organizationFor(FILE, "acme"), /org = "acme": expected no org/);
    assert.equal(organizationFor(CLOUD, "acme"), "acme");
    assert.throws(
      () => organizationFor(CLOUD, undefined),
      /org = \(not set\): expected the Pulumi Cloud organization/,
    );
    const self = organizationFor(FILE, undefined);
    assert.equal(qualifiedStackName(self, "travel", "dev"), "organization/travel/dev");
    assert.deepEqual(
      STACKS.map((s) => promotionSourceName(self, "travel", s)),
      [undefined, "organization/travel/dev", "organization/travel/staging"],
    );
    assert.deepEqual(
      STACKS.map((s) => promotionSourceName("acme", "travel", s)),
      [undefined, "acme/travel/dev", "acme/travel/staging"],
    );
  });
});

describe("stack files", () => {
  it("the committed files carry the template's placeholder encryption, which a reset removes", () => {
    for (const stack of STACKS) {
      const before = committed(stack);
      assert.equal(encryptionState(before)[0], "encryptionsalt");
      assert.ok(before.securePaths.includes("registryPullToken"), stack);
      const after = parseStackFile("x", stripEncryption(text(stack)), "travel");
      assert.deepEqual(encryptionState(after), [], stack);
      const plain = (f: typeof before) =>
        JSON.stringify(f.config, (k, v: unknown) =>
          k === "appSecrets" || k === "registryPullToken" || k === "registryToken" ? undefined : v,
        );
      assert.equal(plain(after), plain(before), `${stack}: plain values kept`);
    }
  });

  it("keeps comments, drops emptied maps, and leaves a map that was empty alone", () => {
    const src =
      "# keep me\nconfig:\n  travel:a:\n    b:\n      secure: v1:x\n  travel:empty: {}\n  kubernetes:k:\n    secure: v1:y\nencryptedkey: k\nsecretsprovider: awskms://k\n";
    assert.equal(stripEncryption(src), "# keep me\nconfig:\n  travel:empty: {}\n");
  });
});
