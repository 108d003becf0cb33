/**
 * `travel:verify`: the seed's defaults when unset, and each bad value refused before any
 * resource is registered, with the key, the value and what was expected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import "../../support/mocks";
import { itRefuses, type BadConfig } from "../../support/config-cases";
import { validRaw } from "../../support/fixtures";
import { parseStackConfig } from "../../../src/config/load";

const CASES: BadConfig[] = [
  [
    "only wildcard hostnames (nothing to request)",
    (r) => (r.hostnames = ["*.travel.example.com"]),
    [
      'travel:hostnames = ["*.travel.example.com"]: expected at least one hostname that is not a wildcard: verification sends its checks there',
    ],
  ],
  [
    "a CA file that does not exist",
    (r) => (r.verify = { caCert: "/nonexistent/ca.crt" }),
    [
      'travel:verify.caCert = "/nonexistent/ca.crt": expected PEM certificate text or the path of an existing PEM file',
    ],
  ],
  [
    "connectTo without a port",
    (r) => (r.verify = { connectTo: "127.0.80.1" }),
    ['travel:verify.connectTo = "127.0.80.1": expected a host:port such as 127.0.80.1:443'],
  ],
  [
    "no path to check",
    (r) => (r.verify = { paths: [] }),
    ["travel:verify.paths = []: expected a list of 1 to 20 checks {path, status, body}"],
  ],
  [
    "a relative backend path and a status out of range",
    (r) => (r.verify = { backend: { path: "api", status: 999 } }),
    [
      "travel:verify.backend.path = \"api\": expected an absolute HTTP path starting with '/'",
      "travel:verify.backend.status = 999: expected an integer from 100 to 599",
    ],
  ],
  [
    "a budget too short and an unknown key",
    (r) => (r.verify = { timeoutSeconds: 2, extra: 1 }),
    [
      "travel:verify.timeoutSeconds = 2: expected an integer from 5 to 1800",
      "travel:verify.extra is not a known key: expected one of paths, backend, timeoutSeconds, intervalSeconds, requestTimeoutSeconds, connectTo, caCert",
    ],
  ],
];

describe("travel:verify", () => {
  it("defaults to the seed's gates through DNS and Node.js's CA store", () => {
    const cfg = parseStackConfig(validRaw(), { namespace: "travel", environment: "dev" });
    assert.deepEqual(cfg.verify, {
      paths: [{ path: "/", status: 200 }],
      backend: { path: "/api/backend-status", status: 200 },
      timeoutSeconds: 60,
      intervalSeconds: 2,
      requestTimeoutSeconds: 5,
    });
  });

  itRefuses(CASES);
});
