/**
 * Just enough of the OCI distribution API for the program to ask a registry, before any
 * Kubernetes object changes, whether a manifest exists (a pinned or promoted digest, the
 * tag of a commit about to be built) and which commit an image says it was built from.
 * Basic credentials are sent as registries expect: directly, or exchanged for a bearer
 * token when the registry answers with a `Bearer` challenge (GHCR, Docker Hub). Answers are
 * read by their status and the OCI error codes of their body (readingOf): "not there",
 * credentials refused (a wrong token: an error), or a read denied to credentials the
 * registry took (which the caller weighs: GHCR may deny a package that was never pushed).
 */
import { FORMAT, OCI_LABEL } from "../names";

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `server/repository` with a tag and/or a digest. */
export interface ImageRef {
  readonly server: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseRef(ref: string): ImageRef | undefined {
  const g = FORMAT.imageRef.exec(ref)?.groups;
  if (!g) return undefined;
  return {
    server: g.server!,
    repository: g.repository!,
    ...(g.tag ? { tag: g.tag } : {}),
    ...(g.digest ? { digest: g.digest } : {}),
  };
}

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Registries on this machine speak plain HTTP (as Docker and containerd allow them to). */
const scheme = (server: string) =>
  /^(localhost|127\.\d+\.\d+\.\d+)(:\d+)?$/.test(server) ? "http" : "https";

/**
 * What went wrong: the registry did not answer; it refused the credentials themselves (a
 * wrong or expired token); it took them, or no credentials were sent, but does not let them
 * read the repository; or it said something else.
 */
export type RegistryFault = "unreachable" | "credentials" | "denied" | "answer";

export class RegistryError extends Error {
  constructor(
    message: string,
    public readonly fault: RegistryFault = "answer",
  ) {
    super(message);
  }
}

/**
 * The OCI distribution error codes (distribution-spec, "Error Codes") that say the registry
 * does not have what was asked for: no such repository, manifest or blob.
 */
const NOT_THERE = new Set(["NAME_UNKNOWN", "MANIFEST_UNKNOWN", "BLOB_UNKNOWN"]);

/** The `code`s of an OCI error body (`{"errors": [{"code": …}]}`); none when it is not one. */
export function errorCodes(body: string): string[] {
  try {
    const errors = (JSON.parse(body) as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors.flatMap((e: { code?: unknown }) => (typeof e?.code === "string" ? [e.code] : []));
  } catch {
    return [];
  }
}

/**
 * How a request was authorised: with nothing, with the Basic credentials as they are, or
 * with a token the registry's token endpoint issued for them (or for no one).
 */
export type Sent = "anonymous" | "basic" | "bearer";

/** A read the registry would not answer: the credentials refused, or the repository denied. */
export type Refusal = "refused" | "denied";

/** What an answer to a read says about the thing read. */
export type Reading = "found" | "absent" | Refusal | "failed";

/**
 * What a registry's answer to a read means. 404 is "not there" (the distribution spec's
 * answer for a missing manifest, blob or repository). 401 and 403 are too when their body
 * says NAME_UNKNOWN, MANIFEST_UNKNOWN or BLOB_UNKNOWN (registries that answer a repository
 * nobody pushed yet with an auth status). Otherwise 401 to Basic credentials refuses them;
 * any other 401 or 403 denies the read: the credentials were taken (the token endpoint issued
 * a token for them) or none were sent, and they may not read this repository, or it does not
 * exist yet (GHCR may answer so for a package never pushed).
 */
export function readingOf(status: number, codes: readonly string[], sent: Sent): Reading {
  if (status >= 200 && status < 300) return "found";
  if (status === 404) return "absent";
  if (status !== 401 && status !== 403) return "failed";
  if (codes.some((c) => NOT_THERE.has(c))) return "absent";
  return sent === "basic" && status === 401 ? "refused" : "denied";
}

/**
 * What a token endpoint's refusal means. It authenticates the credentials and, as the token
 * specification has it, grants a token with whatever access they have, so a refusal of
 * credentials is a refusal of the credentials themselves; without credentials it denies
 * anonymous reads. A body saying NAME_UNKNOWN (or another code above) says "not there".
 */
export function tokenRefusalOf(codes: readonly string[], credentials: boolean): "absent" | Refusal {
  if (codes.some((c) => NOT_THERE.has(c))) return "absent";
  return credentials ? "refused" : "denied";
}

/** `HTTP 403 DENIED`: a status and the error codes of its body. */
const answered = (status: number, codes: readonly string[]) =>
  [`HTTP ${status}`, codes.join(", ")].filter(Boolean).join(" ");

/** Who was asking, for messages: a user name, never a secret. */
type Asker = { readonly username: string } | undefined;

/**
 * The message of a read the registry refused or denied: the registry, the repository, the
 * answer, and what was expected of the credentials. It names the user, never the token.
 */
export function refusalMessage(
  reading: Refusal,
  server: string,
  repository: string,
  asker: Asker,
  answer: string,
): string {
  if (!asker) {
    return `${server} does not let anonymous requests read ${repository} (${answer}): expected ${repository} to be public`;
  }
  const user = `"${asker.username}"`;
  return reading === "refused"
    ? `${server} refused the credentials of ${user} (${answer}): expected a valid, unexpired token of ${user} that may pull ${repository}`
    : `${server} took the credentials of ${user} but does not let them read ${repository} (${answer}): expected ${user} to be allowed to pull ${repository}`;
}

export interface Manifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly body: {
    manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
    config?: { digest: string };
  };
}

/** A registry client for one set of credentials (none: anonymous). */
export class Registry {
  /** Bearer tokens by `server/repository`: a registry scopes each to the repository asked for. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly credentials?: Credentials,
    private readonly timeoutMs = 15_000,
  ) {}

  private basic(): string | undefined {
    const c = this.credentials;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` : undefined;
  }

  /** The RegistryError of a refused or denied read. */
  private refusal(reading: Refusal, server: string, repository: string, answer: string) {
    const message = refusalMessage(reading, server, repository, this.credentials, answer);
    return new RegistryError(message, reading === "refused" ? "credentials" : "denied");
  }

  /** GET `/v2/<repository>/<path>` with the registry's auth dance; undefined when not there. */
  private async get(
    server: string,
    repository: string,
    path: string,
    accept?: string,
  ): Promise<Response | undefined> {
    const url = `${scheme(server)}://${server}/v2/${repository}/${path}`;
    const key = `${server}/${repository}`;
    const send = (auth?: string) =>
      fetch(url, {
        headers: {
          ...(auth ? { Authorization: auth } : {}),
          ...(accept ? { Accept: accept } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      }).catch((err: Error) => {
        throw new RegistryError(`${server} did not answer (${err.message})`, "unreachable");
      });
    const cached = this.tokens.get(key);
    let sent: Sent = cached ? "bearer" : this.credentials ? "basic" : "anonymous";
    let res = await send(cached ?? this.basic());
    const challenge = res.headers.get("www-authenticate") ?? "";
    if (res.status === 401 && /^Bearer /i.test(challenge)) {
      const token = await this.token(challenge, server, repository);
      if (token === undefined) return undefined;
      this.tokens.set(key, `Bearer ${token}`);
      sent = "bearer";
      res = await send(`Bearer ${token}`);
    }
    if (res.ok) return res;
    const codes = errorCodes(await res.text().catch(() => ""));
    const reading = readingOf(res.status, codes, sent);
    if (reading === "absent") return undefined;
    const answer = answered(res.status, codes);
    if (reading === "refused" || reading === "denied")
      throw this.refusal(reading, server, repository, answer);
    throw new RegistryError(`${url}: ${answer}`);
  }

  /**
   * Exchanges the credentials for a bearer token, as the challenge says; undefined when the
   * token endpoint says the repository is not there.
   */
  private async token(
    challenge: string,
    server: string,
    repository: string,
  ): Promise<string | undefined> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (!params.realm) throw new RegistryError(`unusable auth challenge: ${challenge}`);
    const url = new URL(params.realm);
    for (const k of ["service", "scope"]) if (params[k]) url.searchParams.set(k, params[k]);
    const basic = this.basic();
    const res = await fetch(url, {
      headers: basic ? { Authorization: basic } : {},
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((err: Error) => {
      throw new RegistryError(`${url.host} did not answer (${err.message})`, "unreachable");
    });
    if (!res.ok) {
      const codes = errorCodes(await res.text().catch(() => ""));
      const reading = tokenRefusalOf(codes, basic !== undefined);
      if (reading === "absent") return undefined;
      const answer = `${answered(res.status, codes)} from its token endpoint ${url.host}${url.pathname}`;
      throw this.refusal(reading, server, repository, answer);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`${url.host} gave no token`);
    return token;
  }

  /** The manifest `reference` (a tag or a digest) of `repository`, or undefined. */
  async manifest(
    server: string,
    repository: string,
    reference: string,
  ): Promise<Manifest | undefined> {
    const res = await this.get(server, repository, `manifests/${reference}`, ACCEPT);
    if (!res) return undefined;
    const text = await res.text();
    const digest = res.headers.get("docker-content-digest");
    if (!digest)
      throw new RegistryError(`${server}/${repository}:${reference}: no Docker-Content-Digest`);
    return {
      digest,
      mediaType: res.headers.get("content-type") ?? "",
      body: JSON.parse(text) as Manifest["body"],
    };
  }

  /**
   * The OCI revision label (OCI_LABEL.revision) of the image for `platform`
   * (e.g. "linux/amd64") that `manifest` points at; undefined when it has none.
   */
  async revision(
    server: string,
    repository: string,
    manifest: Manifest,
    platform: string,
  ): Promise<string | undefined> {
    let m = manifest;
    if (m.body.manifests) {
      const [os, arch] = platform.split("/");
      const match = m.body.manifests.find(
        (x) => x.platform?.os === os && x.platform?.architecture === arch,
      );
      if (!match) return undefined;
      m = (await this.manifest(server, repository, match.digest)) ?? m;
    }
    if (!m.body.config) return undefined;
    const res = await this.get(server, repository, `blobs/${m.body.config.digest}`);
    const config = res
      ? ((await res.json()) as { config?: { Labels?: Record<string, string> } })
      : {};
    return config.config?.Labels?.[OCI_LABEL.revision];
  }
}
