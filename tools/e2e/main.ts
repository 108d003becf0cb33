/**
 * `npm run test:e2e`'s parallel phase: every `test/e2e/*.test.ts`, three at a time, in
 * the order of ./order.ts (`node --test` itself sorts the files by name). The exit code
 * is 1 when any test failed or was cancelled.
 *
 *   node --import tsx tools/e2e/main.ts
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { startOrder } from "./order";

const DIR = join(__dirname, "..", "..", "test", "e2e");
const files = startOrder(
  readdirSync(DIR)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(DIR, f)),
);
const stream = run({ files, concurrency: 3, timeout: 3_600_000 });
stream.on("test:fail", () => {
  process.exitCode = 1;
});
stream.compose(new spec()).pipe(process.stdout);
