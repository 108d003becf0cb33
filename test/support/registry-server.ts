/**
 * A small OCI registry for tests, over plain HTTP on 127.0.0.1 (a random port; the
 * registry client speaks HTTP to 127.x): tagged images whose config carries an OCI
 * revision label, served by tag and by digest, either a single manifest or an index with
 * a linux/amd64 image. With `auth` set it answers like GHCR: 401 with a Bearer
 * challenge scoped to the repository asked for, and a token for those Basic credentials
 * only. `answers` and `refusal` stand in for what a registry says instead (what GHCR may
 * answer for a package that was never pushed, say). Every request is recorded. No tests of
 * its own.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OCI_LABEL } from "../../src/names";

export interface FakeImage {
  /** The revision label of its config (none: unlabelled). */
  readonly revision?: string;
  /** Served as an image index pointing at a linux/amd64 image. */
  readonly index?: boolean;
}

export interface RegistryServer {
  /** `127.0.0.1:<port>`: the server part of image references. */
  readonly host: string;
  /** `repository:tag` -> the image it points at. */
  readonly tags: Map<string, FakeImage>;
  /** Every request, `GET <path>`; a token request ends with ` as <user>` (or anonymous). */
  readonly requests: string[];
  /** Basic credentials that get a token; unset: anonymous reads are allowed. */
  auth: { username: string; password: string } | undefined;
  /** `repository` -> what every read of it gets once authorised, instead of its content. */
  readonly answers: Map<string, Answer>;
  /** What the token endpoint answers other credentials (or none) than `auth`. */
  refusal: Answer;
  /** The digest `repository:tag` resolves to (of the index, for an index). */
  digestOf(repository: string, tag: string): string;
  close(): Promise<void>;
}

/** A status and, when set, a JSON body (an OCI error body, say). */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

/** The OCI error body of `codes`, as registries send it. */
export const ociErrors = (...codes: string[]) => ({
  errors: codes.map((code) => ({ code, message: code.toLowerCase().replace(/_/g, " ") })),
});

const TOKEN = "fake-registry-bearer-token";

const send = (res: ServerResponse, { status, body }: Answer) =>
  body === undefined
    ? res.writeHead(status).end()
    : res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
const sha256 = (body: string) => `sha256:${createHash("sha256").update(body).digest("hex")}`;

interface Blob {
  readonly body: string;
  readonly mediaType: string;
}

/** The documents of `image`: every blob and manifest by digest, and the top digest. */
function documents(image: FakeImage): { top: string; blobs: Map<string, Blob> } {
  const blobs = new Map<string, Blob>();
  const put = (mediaType: string, doc: unknown) => {
    const body = JSON.stringify(doc);
    const digest = sha256(body);
    blobs.set(digest, { body, mediaType });
    return { digest, mediaType, size: body.length };
  };
  const labels = image.revision !== undefined ? { [OCI_LABEL.revision]: image.revision } : {};
  const config = put("application/vnd.oci.image.config.v1+json", {
    architecture: "amd64",
    os: "linux",
    config: { Labels: labels },
  });
  const manifest = put("application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config,
    layers: [],
  });
  if (!image.index) return { top: manifest.digest, blobs };
  const index = put("application/vnd.oci.image.index.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ ...manifest, platform: { os: "linux", architecture: "amd64" } }],
  });
  return { top: index.digest, blobs };
}

const PATH = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;

export async function startRegistry(): Promise<RegistryServer> {
  let host = "";
  const registry: RegistryServer = {
    get host() {
      return host;
    },
    tags: new Map(),
    requests: [],
    auth: undefined,
    answers: new Map(),
    refusal: { status: 401 },
    digestOf: (repository, tag) => documents(registry.tags.get(`${repository}:${tag}`)!).top,
    close: () => new Promise((done) => server.close(() => done())),
  };

  const tokenRequest = (req: IncomingMessage, res: ServerResponse) => {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [user, password] = basic ? Buffer.from(basic, "base64").toString().split(":") : [];
    registry.requests[registry.requests.length - 1] += ` as ${user ?? "anonymous"}`;
    const auth = registry.auth;
    if (auth && (user !== auth.username || password !== auth.password)) {
      send(res, registry.refusal);
    } else {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ token: TOKEN }));
    }
  };

  const v2Request = (req: IncomingMessage, res: ServerResponse) => {
    const [, repository, kind, reference] = PATH.exec(req.url ?? "") ?? [];
    if (registry.auth && req.headers.authorization !== `Bearer ${TOKEN}`) {
      const realm = `http://${host}/token`;
      res.writeHead(401, {
        "www-authenticate": `Bearer realm="${realm}",service="fake-registry",scope="repository:${repository}:pull"`,
      });
      res.end();
      return;
    }
    const answer = registry.answers.get(repository ?? "");
    if (answer) {
      send(res, answer);
      return;
    }
    let found: Blob | undefined;
    let digest = reference ?? "";
    for (const [name, image] of registry.tags) {
      if (!name.startsWith(`${repository}:`)) continue;
      const { top, blobs } = documents(image);
      if (kind === "manifests" && name === `${repository}:${reference}`) digest = top;
      found ??= blobs.get(digest);
    }
    if (!found) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": found.mediaType, "docker-content-digest": digest });
    res.end(found.body);
  };

  const server = createServer((req, res) => {
    registry.requests.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith("/token")) tokenRequest(req, res);
    else v2Request(req, res);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return registry;
}
