/**
 * The external API stand-in (components/external.ts runs it in its network namespace): an
 * HTTPS server answering as a third-party API would, saying who asked. `GET /v1/ping` is its
 * readiness; any other GET answers `external api: <path> from <client address>`.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:https";

const env = (name: string) => {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`external-api: ${name} is not set`);
  return v;
};

const server = createServer(
  { cert: readFileSync(env("EXTERNAL_API_CERT")), key: readFileSync(env("EXTERNAL_API_KEY")) },
  (req, res) => {
    const from = (req.socket.remoteAddress ?? "?").replace(/^::ffff:/, "");
    console.log(`${new Date().toISOString()} ${req.method} ${req.url} from ${from}`);
    res.setHeader("content-type", "text/plain");
    if (req.method !== "GET") {
      res.writeHead(405).end("external api: GET only\n");
      return;
    }
    res.end(req.url === "/v1/ping" ? "pong\n" : `external api: ${req.url} from ${from}\n`);
  },
);
server.listen(Number(env("EXTERNAL_API_PORT")), () =>
  console.log(`external-api: listening on :${env("EXTERNAL_API_PORT")}`),
);
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
