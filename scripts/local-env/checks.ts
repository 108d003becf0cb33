/**
 * Readiness checks of the components: an HTTP(S) status, a unix socket that answers,
 * a command that succeeds. Each returns true/false and never throws.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { createConnection } from "node:net";

export interface HttpOptions {
  /** Expected status. @default 200 */
  readonly status?: number;
  /** The body must contain this. */
  readonly body?: string;
  /** PEM files for TLS: CA to trust, client certificate and key. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Accept any server certificate (self-signed healthz endpoints on 127.0.0.1). */
  readonly insecure?: boolean;
  /** Request over this unix socket instead of TCP. */
  readonly socketPath?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS server name (SNI) when the URL names an address. */
  readonly servername?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** One request; undefined when nothing answered within `timeoutMs`. */
export function request(
  url: string,
  opts: HttpOptions = {},
  timeoutMs = 3000,
): Promise<HttpAnswer | undefined> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const req = mod.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: "GET",
        timeout: timeoutMs,
        ...(opts.socketPath ? { socketPath: opts.socketPath } : {}),
        ...(opts.headers ? { headers: { ...opts.headers } } : {}),
        ...(opts.ca ? { ca: readFileSync(opts.ca) } : {}),
        ...(opts.cert ? { cert: readFileSync(opts.cert) } : {}),
        ...(opts.key ? { key: readFileSync(opts.key) } : {}),
        ...(opts.insecure ? { rejectUnauthorized: false } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

export async function httpOk(url: string, opts: HttpOptions = {}): Promise<boolean> {
  const res = await request(url, opts);
  return (
    res !== undefined && res.status === (opts.status ?? 200) && res.body.includes(opts.body ?? "")
  );
}

/** A unix socket accepts a connection. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/** A TCP port on an address accepts a connection. */
export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: 1000 });
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("timeout", () => {
      s.destroy();
      resolve(false);
    });
    s.on("error", () => resolve(false));
  });
}

/** A command exits 0 (its output is ignored). */
export function succeeds(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const res = spawnSync(argv[0]!, argv.slice(1), { stdio: "ignore", timeout: 30_000, env });
  return res.status === 0;
}
