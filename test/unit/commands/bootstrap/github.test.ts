/**
 * Bootstrap's GitHub side, under the Pulumi mocks (the GitHub API is not reachable
 * here): the travel:github config it writes is what the program's own schema accepts;
 * its GitHub-only update registers exactly the resources the full program registers for
 * that config (so the same URNs), its target selects those and none of the app's, and
 * it exports the stack's previous outputs again, so promotion keeps its verifiedImages.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { recorded, resetRecorded, settle, valueOf } from "../../../support/mocks";
import { composeStackFile, JOB_ENV, loadStack } from "../../../support/stack-files";
import { parseStackConfig } from "../../../../src/config/load";
import { githubProgram } from "../../../../commands/bootstrap/github-apply";
import { desiredConfig, githubTarget, type PlanInput } from "../../../../commands/bootstrap/plan";
import { parseBackend } from "../../../../commands/bootstrap/backend";
import { readStackFile } from "../../../../commands/bootstrap/stack-file";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..", "..");
const STACKS = ["dev", "staging", "prod"] as const;
const USER_IDS: Record<string, number> = { alice: 1001, bob: 1002 };

interface MockMonitor {
  mocks: pulumi.runtime.Mocks;
  getRegisteredResources(): Map<string, { urn: string }>;
}
const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
const projectMocks = monitor.mocks;
monitor.mocks = {
  newResource: (args) => projectMocks.newResource(args),
  call: (args) =>
    args.token === "github:index/getUser:getUser"
      ? { ...args.inputs, id: String(USER_IDS[String(args.inputs.username)] ?? "") }
      : projectMocks.call(args),
};

const INPUT = {
  project: "travel",
  backend: parseBackend("s3://state"),
  org: "organization",
  github: { repository: "acme/travel", reviewers: { users: ["alice", "bob"], teams: [] } },
} as unknown as PlanInput;

/** Sets a dotted config path in a raw config. */
function setPath(raw: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split(".");
  let at = raw;
  for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
  at[parts.at(-1)!] = value;
}

/** A committed stack's config with what bootstrap sets on it (secrets as placeholders). */
function bootstrapped(stack: (typeof STACKS)[number]) {
  const raw = structuredClone(loadStack(stack).raw);
  for (const [path, value] of desiredConfig(stack, readStackFile(ROOT, "travel", stack), INPUT)) {
    setPath(raw, path, value);
  }
  raw.kubeconfig = "apiVersion: v1 # kubeconfig placeholder";
  return raw;
}
const parse = (stack: (typeof STACKS)[number]) =>
  parseStackConfig(bootstrapped(stack), {
    namespace: "travel",
    environment: stack,
    isDirectory: () => true,
    isFile: () => true,
    env: JOB_ENV,
  });

const githubTyped = (type: string) =>
  type.startsWith("github:") ||
  type.startsWith("travel:github:") ||
  type === "pulumi:providers:github";
const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

/** The engine's reading of a target glob: `**` any run, `*` any run without ':'. */
const globRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split("**")
      .map((part) =>
        part
          .split("*")
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join("[^:]*"),
      )
      .join(".*")}$`,
  );

describe("the travel:github config bootstrap writes", () => {
  it("passes the program's own validation on every stack: staging and prod gated, prod protecting main", () => {
    const configs = Object.fromEntries(STACKS.map((s) => [s, parse(s).github!]));
    assert.deepEqual(
      STACKS.map((s) => [s, configs[s]!.repository, configs[s]!.environment.requireApproval]),
      [
        ["dev", "acme/travel", false],
        ["staging", "acme/travel", true],
        ["prod", "acme/travel", true],
      ],
    );
    for (const s of ["staging", "prod"]) {
      assert.deepEqual(configs[s]!.environment.reviewers, { users: ["alice", "bob"], teams: [] });
    }
    assert.deepEqual(
      STACKS.filter((s) => configs[s]!.manageBranchProtection),
      ["prod"],
    );
  });
});

describe("the GitHub-only update", () => {
  it("registers exactly the GitHub resources the full program registers for the same config", async () => {
    for (const stack of ["staging", "prod"] as const) {
      await composeStackFile(stack, bootstrapped(stack));
      const full = recorded
        .filter((r) => githubTyped(r.type))
        .map(key)
        .sort();
      assert.ok(full.length >= 5, `${stack}: the full program registers GitHub resources`);
      assert.ok(
        recorded.some((r) => r.type.startsWith("kubernetes:")),
        "and the app's",
      );

      resetRecorded();
      await githubProgram({}, () => parse(stack))();
      await settle();
      assert.deepEqual(recorded.map(key).sort(), full, stack);
    }
  });

  it("targets those resources and none of the app's", async () => {
    await composeStackFile("prod", bootstrapped("prod"));
    const target = globRegExp(githubTarget("travel", "dev")); // the mocks' stack is "dev"
    const urns = [...monitor.getRegisteredResources().values()].map((r) => r.urn);
    const typeOf = (urn: string) => urn.split("::")[2]!;
    const github = urns.filter((u) =>
      typeOf(u)
        .split("$")
        .some((t) => githubTyped(t)),
    );
    const app = urns.filter((u) => !github.includes(u));
    assert.ok(
      github.length >= 6 && app.length >= 10,
      `${github.length} GitHub, ${app.length} app URNs`,
    );
    for (const u of github) {
      if (typeOf(u) === "pulumi:providers:github") continue; // providers are always part of an update
      assert.match(u, target);
    }
    for (const u of app) assert.doesNotMatch(u, target);
  });

  it("exports the stack's previous outputs again, secrets as secrets, with a fresh github output", async () => {
    const verified = { backend: { ref: "r@sha256:1", gitSha: "a".repeat(40) } };
    const out = await githubProgram(
      {
        url: { value: "https://staging.example", secret: false },
        verifiedImages: { value: verified, secret: false },
        hidden: { value: "s3cr3t", secret: true },
        github: { value: { environment: "stale" }, secret: false },
      },
      () => parse("staging"),
    )();
    assert.equal(out.url, "https://staging.example");
    assert.deepEqual(out.verifiedImages, verified);
    const hidden = out.hidden as pulumi.Output<string>;
    assert.equal(await (hidden as unknown as { isSecret: Promise<boolean> }).isSecret, true);
    const gh = out.github as {
      repository: string;
      environment: pulumi.Output<string>;
      secretNames: string[];
    };
    assert.equal(gh.repository, "acme/travel");
    assert.equal(await valueOf(gh.environment), "staging");
    assert.deepEqual(gh.secretNames, ["KUBECONFIG", "REGISTRY_TOKEN"]);
  });
});
