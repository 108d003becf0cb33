/**
 * Real HTTP and DNS against the local cluster: requests to the Gateway (Traefik on its
 * loopback address) for a stack's hostname, to Service ClusterIPs and pod IPs from the
 * host, lookups in cluster DNS, and a request loop that counts what a user would lose.
 */
import { Resolver } from "node:dns/promises";
import { readFileSync } from "node:fs";
import https from "node:https";
import type { TestContext } from "node:test";
import { request, type HttpAnswer } from "../../../tools/local-env/checks";
import { CA_CERT, GATEWAY, NODE } from "../../../tools/local-env/layout";

export type { HttpAnswer };

/** GET https://<host><path> through the Gateway's HTTPS listener, verifying its certificate. */
export function viaGateway(
  host: string,
  path = "/",
  timeoutMs = 3000,
): Promise<HttpAnswer | undefined> {
  return request(
    `https://${GATEWAY.address}${path}`,
    { ca: CA_CERT, servername: host, headers: { Host: host } },
    timeoutMs,
  );
}

/** A streamed answer: its status, and each server-sent event with when it arrived. */
export interface StreamAnswer {
  readonly status: number;
  /** Each `data:` line, with the milliseconds from the request to its arrival. */
  readonly events: { readonly ms: number; readonly data: string }[];
  /** Milliseconds from the request to the end of the answer. */
  readonly endMs: number;
  /** Set when the stream broke (an error or the timeout) before it ended. */
  readonly broken?: string;
}

/**
 * GET https://<host><path> through the Gateway, reading the answer as it arrives: when
 * each event came, not only what (a buffering proxy delivers them all at the end).
 */
export function streamViaGateway(host: string, path: string, timeoutMs = 60_000) {
  const start = Date.now();
  return new Promise<StreamAnswer>((resolve) => {
    const events: { ms: number; data: string }[] = [];
    let status = 0;
    let pending = "";
    const done = (broken?: string) =>
      resolve({ status, events, endMs: Date.now() - start, ...(broken ? { broken } : {}) });
    const req = https.request(
      {
        hostname: GATEWAY.address,
        port: GATEWAY.httpsPort,
        path,
        ca: readFileSync(CA_CERT),
        servername: host,
        headers: { Host: host, Accept: "text/event-stream" },
        timeout: timeoutMs,
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          pending += chunk;
          const lines = pending.split("\n");
          pending = lines.pop()!;
          for (const l of lines)
            if (l.startsWith("data: ")) events.push({ ms: Date.now() - start, data: l.slice(6) });
        });
        res.on("end", () => done());
        res.on("error", (err) => done(err.message));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no end within ${timeoutMs} ms`)));
    req.on("error", (err) => done(err.message));
    req.end();
  });
}

/** GET http://<host><path> through the Gateway's HTTP listener (no redirect followed). */
export function viaGatewayHttp(host: string, path = "/"): Promise<HttpAnswer | undefined> {
  return request(`http://${GATEWAY.address}${path}`, { headers: { Host: host } });
}

/** GET of any URL the host can reach (a ClusterIP, a pod IP). */
export function get(url: string, timeoutMs = 3000): Promise<HttpAnswer | undefined> {
  return request(url, {}, timeoutMs);
}

/** The A records of `name` as cluster DNS (CoreDNS on the node's bridge address) answers. */
export async function clusterDns(name: string): Promise<string[]> {
  const dns = new Resolver({ timeout: 2000, tries: 2 });
  dns.setServers([NODE.ip]);
  return dns.resolve4(name).catch(() => []);
}

export interface LoopResult {
  readonly total: number;
  readonly failed: number;
  /** Distinct failures: "status 502: body..." or "no answer". */
  readonly failures: string[];
  /** When each failed request was sent (ms since the epoch), in order. */
  readonly failedAt: number[];
  /** Distinct successful bodies (which builds answered). */
  readonly bodies: Set<string>;
}

/**
 * Requests `send` back to back (one at a time, `gapMs` apart) until stopped: what a
 * steady trickle of users sees during a rollout.
 */
export class RequestLoop {
  private total = 0;
  private readonly failures: string[] = [];
  private readonly failedAt: number[] = [];
  private readonly bodies = new Set<string>();
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    send: () => Promise<HttpAnswer | undefined>,
    private readonly gapMs = 50,
  ) {
    this.done = this.loop(send);
  }

  private async loop(send: () => Promise<HttpAnswer | undefined>): Promise<void> {
    while (this.running) {
      const sent = Date.now();
      const res = await send();
      this.total++;
      if (res?.status === 200) this.bodies.add(res.body.replace(/\(pod [^)]+\)/g, "(pod)").trim());
      else {
        this.failures.push(res ? `status ${res.status}: ${res.body.slice(0, 160)}` : "no answer");
        this.failedAt.push(sent);
      }
      await new Promise((r) => setTimeout(r, this.gapMs));
    }
  }

  async stop(): Promise<LoopResult> {
    this.running = false;
    await this.done;
    return {
      total: this.total,
      failed: this.failures.length,
      failures: [...new Set(this.failures)],
      failedAt: [...this.failedAt],
      bodies: this.bodies,
    };
  }
}

/**
 * Stops each of `running` (request loops, streams, watches) when the case ends, however it
 * ends: one left running after a failed assertion keeps the suite's process alive.
 */
export function stopAfter(t: TestContext, ...running: { stop(): unknown }[]): void {
  t.after(() => Promise.all(running.map((r) => r.stop())));
}

/** Polls `probe` every 500 ms until it holds; throws `what` after `seconds`. */
export async function eventually(
  what: string,
  seconds: number,
  probe: () => Promise<boolean> | boolean,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
