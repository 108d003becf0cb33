/**
 * The configuration reference: every key the schema takes says what it means in its TSDoc
 * (the one place it is written), and README's table and Pulumi.yaml are rendered from it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stackConfigSchema } from "../../../src/config/schema";
import { settingsStackSchema } from "../../../src/config/github-schema";
import { keyDescriptions, OBJECT_KEYS_WITH_ROWS } from "../../../tools/config-descriptions";
import { rows } from "../../../tools/config-docs";

/** The keys of an object-valued top-level key, through its default/prefault/transform wrappers. */
function subKeys(key: string): string[] {
  const shapes = { ...stackConfigSchema.shape, ...settingsStackSchema.shape };
  let s = shapes[key as keyof typeof shapes] as unknown as {
    shape?: object;
    _zod: { def: { innerType?: unknown; in?: unknown } };
  };
  while (!s.shape && (s._zod.def.innerType ?? s._zod.def.in))
    s = (s._zod.def.innerType ?? s._zod.def.in) as typeof s;
  return Object.keys(s.shape ?? {}).map((k) => `${key}.${k}`);
}

describe("config reference", () => {
  const { top, rows: sub } = keyDescriptions();

  it("says what every top-level key means, and only keys the schema has", () => {
    assert.deepEqual(
      Object.keys(top).sort(),
      [...Object.keys(stackConfigSchema.shape), ...Object.keys(settingsStackSchema.shape)].sort(),
    );
    assert.deepEqual(
      Object.entries(top).filter(([, meaning]) => meaning === ""),
      [],
    );
  });

  it("says what every key of gateway, registry, backend, frontend and github means", () => {
    const want = OBJECT_KEYS_WITH_ROWS.flatMap(subKeys).sort();
    assert.ok(want.length > 30, want.join(", "));
    assert.deepEqual(Object.keys(sub).sort(), want);
    assert.deepEqual(
      Object.entries(sub).filter(([, meaning]) => meaning === ""),
      [],
    );
  });

  it("renders each key's TSDoc as its row, in the order the schema writes them", () => {
    const table = rows();
    const backend = table.filter((r) => r.key.startsWith("`backend."));
    assert.equal(backend[0]!.key, "`backend.replicas`");
    assert.equal(backend.at(-1)!.key, "`backend.actionPath`");
    assert.equal(table.find((r) => r.key === "`gateway.name`")?.meaning, "parent Gateway");
  });
});
