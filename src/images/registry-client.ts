/**
 * Just enough of the OCI distribution API for the program to ask a registry, before any
 * Kubernetes object changes, whether a manifest exists (a pinned or promoted digest, the
 * tag of a commit about to be built) and which commit an image says it was built from.
 * Basic credentials are sent as registries expect: directly, or exchanged for a bearer
 * token when the registry answers with a `Bearer` challenge (GHCR, Docker Hub).
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

/** What went wrong: the registry did not answer, refused the credentials, or said something else. */
export type RegistryFault = "unreachable" | "credentials" | "answer";

export class RegistryError extends Error {
  constructor(
    message: string,
    public readonly fault: RegistryFault = "answer",
  ) {
    super(message);
  }
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
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly credentials?: Credentials,
    private readonly timeoutMs = 15_000,
  ) {}

  private basic(): string | undefined {
    const c = this.credentials;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` : undefined;
  }

  /** GET with the registry's auth dance; undefined on 404. */
  private async get(server: string, path: string, accept?: string): Promise<Response | undefined> {
    const url = `${scheme(server)}://${server}/v2/${path}`;
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
    let res = await send(this.tokens.get(server) ?? this.basic());
    const challenge = res.headers.get("www-authenticate") ?? "";
    if (res.status === 401 && /^Bearer /i.test(challenge)) {
      const token = await this.token(challenge);
      this.tokens.set(server, `Bearer ${token}`);
      res = await send(`Bearer ${token}`);
    }
    if (res.status === 404) return undefined;
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError(
        `${server} refused the credentials (HTTP ${res.status})`,
        "credentials",
      );
    }
    if (!res.ok) throw new RegistryError(`${url}: HTTP ${res.status}`);
    return res;
  }

  /** Exchanges the credentials for a bearer token, as the challenge says. */
  private async token(challenge: string): Promise<string> {
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
    });
    if (!res.ok)
      throw new RegistryError(
        `${url.host} refused the credentials (HTTP ${res.status})`,
        "credentials",
      );
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
    const res = await this.get(server, `${repository}/manifests/${reference}`, ACCEPT);
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
    const res = await this.get(server, `${repository}/blobs/${m.body.config.digest}`);
    const config = res
      ? ((await res.json()) as { config?: { Labels?: Record<string, string> } })
      : {};
    return config.config?.Labels?.[OCI_LABEL.revision];
  }
}
