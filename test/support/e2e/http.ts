/**
 * Real HTTP and DNS against the local cluster: requests to the Gateway (Traefik on its
 * loopback address) for a stack's hostname, to Service ClusterIPs and pod IPs from the
 * host, lookups in cluster DNS, and a request loop that counts what a user would lose.
 */
import { Resolver } from "node:dns/promises";
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
