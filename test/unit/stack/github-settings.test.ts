/**
 * The committed stack files keep to their roles: no app stack holds `travel:github` or a
 * kubeconfig (the program would refuse it). The settings stack's file is bootstrap's to
 * write (commands/bootstrap), from the repository and reviewers it is given.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { retiredAppKeys } from "../../../src/config/settings";
import { SETTINGS_STACK } from "../../../src/names";

const ROOT = join(__dirname, "..", "..", "..");

const configOf = (file: string) =>
  Object.keys(
    (parse(readFileSync(join(ROOT, file), "utf8")) as { config?: Record<string, unknown> })
      .config ?? {},
  );

describe("the committed stack files", () => {
  const files = readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
  const settingsFile = `Pulumi.${SETTINGS_STACK}.yaml`;

  it("hold no GitHub settings or kubeconfig on an app stack", () => {
    const apps = files.filter((f) => f !== settingsFile);
    assert.ok(apps.includes("Pulumi.prod.yaml"), apps.join(", "));
    const retired = Object.keys(retiredAppKeys("x")).map((k) => `travel:${k}`);
    assert.deepEqual(retired, ["travel:github", "travel:kubeconfig"]);
    assert.deepEqual(
      apps.flatMap((f) =>
        configOf(f)
          .filter((k) => retired.includes(k))
          .map((k) => `${f}: ${k}`),
      ),
      [],
    );
  });
});
