/**
 * The requests verification makes: GET https://<hostname><path> through the Gateway, with
 * the hostname as Host header and TLS server name (optionally sent to another address, like
 * curl's --connect-to), each retried until it answers as expected or the time budget is
 * spent. Each check's last answer is kept for the outputs and the failure message.
 */
import * as https from "node:https";

/** One request and what its answer must be. */
export interface HttpCheck {
  /** What the check stands for, e.g. "path /" or "frontend reaches backend". */
  readonly name: string;
  readonly path: string;
  /** The status expected. */
  readonly status: number;
  /** A text the body must contain, when set. */
  readonly body?: string;
}

/** Where the checks go and how long they may take. */
export interface CheckTarget {
  /** The stack's hostname: URL host, Host header and TLS server name. */
  readonly hostname: string;
  /** Send the requests here instead of the hostname's DNS address. */
  readonly connectTo?: { readonly host: string; readonly port: number };
  /** PEM of the CA(s) to trust (unset: Node.js's bundled store). */
  readonly ca?: string;
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
  readonly requestTimeoutSeconds: number;
}

/** A check's outcome: its last answer when it never passed. */
export interface CheckResult {
  readonly name: string;
  readonly url: string;
  /** e.g. `200` or `200 with a body containing "backend"`. */
  readonly expected: string;
  /** e.g. `200` or `502: frontend ... backend call failed` or `no answer: ECONNREFUSED`. */
  readonly got: string;
  readonly passed: boolean;
  readonly attempts: number;
}

/** Runs every check of a target; tests pass a stand-in. */
export type CheckRunner = (
  target: CheckTarget,
  checks: readonly HttpCheck[],
) => Promise<CheckResult[]>;

/** How much of an answer's body a result quotes. */
const QUOTED = 200;
/** How much of a body is read at most. */
const READ_LIMIT = 64 * 1024;

interface Answer {
  readonly status?: number;
  readonly body: string;
  readonly error?: string;
}

function get(target: CheckTarget, path: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: target.connectTo?.host ?? target.hostname,
        port: target.connectTo?.port ?? 443,
        path,
        method: "GET",
        servername: target.hostname,
        headers: { host: target.hostname, "user-agent": "travel-verify" },
        timeout: target.requestTimeoutSeconds * 1000,
        // Each attempt on a connection of its own: a retry must not reuse a broken one.
        agent: false,
        ...(target.ca ? { ca: target.ca } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          if (body.length < READ_LIMIT) body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", (err) => resolve({ body, error: err.message }));
      },
    );
    req.on("timeout", () =>
      req.destroy(new Error(`no answer within ${target.requestTimeoutSeconds}s`)),
    );
    req.on("error", (err) => resolve({ body: "", error: err.message }));
    req.end();
  });
}

const oneLine = (s: string) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > QUOTED ? `${flat.slice(0, QUOTED)}…` : flat;
};

const expectation = (c: HttpCheck) =>
  c.body === undefined
    ? `${c.status}`
    : `${c.status} with a body containing ${JSON.stringify(c.body)}`;

function describe(c: HttpCheck, a: Answer): { passed: boolean; got: string } {
  if (a.status === undefined) return { passed: false, got: `no answer: ${a.error ?? "unknown"}` };
  const passed = a.status === c.status && (c.body === undefined || a.body.includes(c.body));
  const quoted = oneLine(a.body);
  return { passed, got: passed || quoted === "" ? `${a.status}` : `${a.status}: ${quoted}` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries one check until it passes or `deadline` (ms since the epoch) has passed. */
async function runOne(target: CheckTarget, c: HttpCheck, deadline: number): Promise<CheckResult> {
  const url = `https://${target.hostname}${c.path}`;
  for (let attempts = 1; ; attempts++) {
    const outcome = describe(c, await get(target, c.path));
    const next = Date.now() + target.intervalSeconds * 1000;
    if (outcome.passed || next >= deadline)
      return { name: c.name, url, expected: expectation(c), attempts, ...outcome };
    await sleep(next - Date.now());
  }
}

/** Runs the checks side by side, each retried within the one time budget. */
export const runChecks: CheckRunner = (target, checks) => {
  const deadline = Date.now() + target.timeoutSeconds * 1000;
  return Promise.all(checks.map((c) => runOne(target, c, deadline)));
};
