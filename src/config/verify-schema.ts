/**
 * `travel:verify`: the checks `pulumi up` makes through the stack's first hostname and the
 * real Gateway, over HTTPS, once both rollouts completed and the route was accepted
 * (src/components/verification.ts). Defaults from the seed's Testing Gates: the app
 * answers `curl -f https://<host>` and the frontend reaches the backend.
 */
import { z } from "zod";
import { httpPath, intIn, pattern, text } from "./fields";

/** `host:port` (a name or IPv4 address), like curl's `--connect-to` target. */
const HOST_PORT =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*):([1-9][0-9]{0,4})$/;

/** What one request through the Gateway must answer. */
export const httpCheck = z.strictObject(
  {
    path: httpPath,
    status: intIn(100, 599).default(200),
    body: text("a non-empty text the answer's body must contain").optional(),
  },
  { error: "a check {path, status, body}: the status expected and, optionally, a body text" },
);

export const verifySchema = z
  .strictObject({
    /**
     * `[{path, status, body}]`: requested on the stack's first hostname that is not a wildcard;
     * each must answer `status` and, when set, contain `body` (the seed's gate: `curl -f
     * https://<host>`)
     */
    paths: z
      .array(httpCheck, { error: "a list of 1 to 20 checks {path, status, body}" })
      .min(1, { error: "a list of 1 to 20 checks {path, status, body}" })
      .max(20, { error: "a list of 1 to 20 checks {path, status, body}" })
      .default([{ path: "/", status: 200 }]),
    /**
     * `{path, status, body}`: a frontend path that calls the backend (`REMOTE_ACTION_URL`) and
     * answers `status` only with the backend's answer, so a blocked or wrong backend URL fails
     * verification (the app must serve it; the stand-in does)
     */
    backend: httpCheck.default({ path: "/api/backend-status", status: 200 }),
    /** seconds all checks may take, retries included, before `pulumi up` fails */
    timeoutSeconds: intIn(5, 1800).default(60),
    /** seconds between two attempts of a check that did not pass */
    intervalSeconds: intIn(1, 60).default(2),
    /** seconds one request may take */
    requestTimeoutSeconds: intIn(1, 60).default(5),
    /**
     * `host:port` to send the requests to instead of the hostname's DNS address (curl's
     * `--connect-to`); the Host header and TLS name stay the hostname (unset: DNS)
     */
    connectTo: pattern(HOST_PORT, "a host:port such as 127.0.80.1:443", 260).optional(),
    /**
     * the CA certificate(s) the Gateway's certificate must chain to: PEM text or a PEM file's
     * path (unset: Node.js's bundled CA store)
     */
    caCert: text("PEM certificate text or the path of a PEM file").optional(),
  })
  .prefault({});

export type VerifyConfig = z.output<typeof verifySchema>;

/** Whether a `verify.caCert` value is the PEM itself rather than a file's path. */
export const isPem = (v: string) => v.includes("-----BEGIN CERTIFICATE-----");

/** The hostname verification requests: the first that is not a wildcard. */
export const verifiedHostname = (hostnames: readonly string[]) =>
  hostnames.find((h) => !h.startsWith("*."));
