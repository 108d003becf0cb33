/**
 * Readiness checks of the components: an HTTP(S) status, a unix socket that answers,
 * a command that succeeds. Each returns true/false and never throws.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
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

/**
 * A unary gRPC call with an empty request, over a unix socket, ends with grpc-status 0.
 * containerd answers `ctr version` before its CRI server has recovered its state; the
 * CRI's own `Version` fails ("server is not initialized yet") until it has.
 */
export function grpcOk(socketPath: string, method: string, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = http2.connect("http://localhost", {
      createConnection: () => createConnection(socketPath),
    });
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      session.destroy();
      resolve(ok);
    };
    session.on("error", () => finish(false));
    session.setTimeout(timeoutMs, () => finish(false));
    const call = session.request({
      ":method": "POST",
      ":path": method,
      "content-type": "application/grpc",
      te: "trailers",
    });
    // A trailers-only answer carries grpc-status in its headers.
    const status = (h: http2.IncomingHttpHeaders): void => {
      if (h["grpc-status"] !== undefined) finish(h["grpc-status"] === "0");
    };
    call.on("response", status);
    call.on("trailers", status);
    call.on("data", () => undefined);
    call.on("error", () => finish(false));
    call.on("close", () => finish(false));
    // One message frame: not compressed, zero bytes long (an empty protobuf message).
    call.end(Buffer.alloc(5));
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
