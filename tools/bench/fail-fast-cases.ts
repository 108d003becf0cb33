/**
 * What will not fix itself fails `pulumi up` at once, at the default settings: an image
 * that crash-loops, one the registry cannot serve, a Secret that is gone. Each case is
 * timed from the start of `up` to its failure; the report must name the cause.
 */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPOS } from "../../test/support/e2e/cluster";
import { pushUnpullableImage } from "../../test/support/e2e/local-env";
import { commitSource, head, writeConfig } from "../../test/support/e2e/project";
import type { Ctx } from "./cases";
import { pair, type Row } from "./measure";
import { NS } from "./setup";

/** The bound: a broken rollout at the default settings fails within it. */
const BOUND = 30;

const upFails = (c: Ctx): string => {
  try {
    c.b.pulumi(["up", "--yes", "--skip-preview"]);
  } catch (err) {
    return (err as { output?: string }).output ?? String(err);
  }
  throw new Error("pulumi up succeeded where it should have failed");
};

/** Back to a good backend, the config and the objects as the program sets them (untimed). */
async function recover(c: Ctx): Promise<void> {
  await writeConfig(c.b.p, {});
  writeFileSync(join(c.b.p.sourceDir, "backend", "mode"), "ok\n");
  commitSource(c.b.p, "backend/message", `travel backend fixture, recovered ${Date.now()}\n`);
  c.b.pulumi(["up", "--yes", "--skip-preview", "--refresh"]);
}

interface Kind {
  readonly name: string;
  /** Breaks the next rollout (untimed). */
  readonly breakIt: (c: Ctx, i: number) => Promise<void>;
  /** What the report must say. */
  readonly says: RegExp;
}

const KINDS: readonly Kind[] = [
  {
    name: "an image that crash-loops",
    breakIt: async (c, i) => {
      writeFileSync(join(c.b.p.sourceDir, "backend", "mode"), "crash\n");
      commitSource(c.b.p, "backend/message", `crash ${i} ${Date.now()}\n`);
    },
    says: /crashed \d+ times[\s\S]*crashing at start, as this image was built to/,
  },
  {
    name: "an image the registry cannot serve",
    breakIt: async (c, i) => {
      const context = mkdtempSync(join(tmpdir(), "bench-unpullable-"));
      cpSync(join(c.b.p.sourceDir, "backend"), context, { recursive: true });
      writeFileSync(join(context, "message"), `unpullable ${i} ${Date.now()}\n`);
      const ref = await pushUnpullableImage(context, REPOS.backend, `unpullable-${Date.now()}`);
      const images = JSON.parse(c.b.pulumi(["stack", "output", "images", "--json"]));
      await writeConfig(c.b.p, {
        "travel:images": {
          mode: "pinned",
          backend: { ref, gitSha: head(c.b.p) },
          frontend: images.frontend,
        },
      });
    },
    says: /the registry refused the pull/,
  },
  {
    name: "a Secret that is gone",
    breakIt: async (c, i) => {
      const secret = JSON.parse(
        c.b.kubectl(["get", "secrets", "-n", NS, "-l", "app.kubernetes.io/part-of", "-o", "json"]),
      ).items.find((s: { type: string }) => s.type === "Opaque").metadata.name as string;
      c.b.kubectl(["delete", "secret", secret, "-n", NS]);
      commitSource(c.b.p, "backend/message", `no secret ${i} ${Date.now()}\n`);
    },
    says: /CreateContainerConfigError/,
  },
];

export async function failFast(c: Ctx): Promise<Row[]> {
  const rows: Row[] = [];
  for (const kind of KINDS) {
    let named = true;
    const [a] = await pair(
      {
        label: `pulumi up (${kind.name})`,
        before: async (i) => {
          await recover(c);
          await kind.breakIt(c, i);
        },
        run: () => {
          named &&= kind.says.test(upFails(c));
        },
      },
      undefined,
      Math.min(c.runs, 3),
      c.say,
    );
    rows.push({
      name: `${kind.name}: time to a failed \`up\``,
      a: "`pulumi up`, default settings",
      aSeconds: a,
      target: `fails within ${BOUND} s, the report naming the cause`,
      met: a <= BOUND && named,
    });
  }
  await recover(c);
  return rows;
}
