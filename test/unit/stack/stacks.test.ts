/**
 * The committed stack files: each parses, composes with the seed's numbers for
 * its environment, keeps its secrets encrypted, and exports no secret value.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ofType, one } from "../../support/mocks";
import { resolveOutputs } from "../../support/compose";
import {
  composeStackFile,
  JOB_ENV,
  loadStack,
  project,
  SUPPLIED_AT_RUN,
  type StackName,
} from "../../support/stack-files";
import { decodeEngineConfig, parseStackConfig } from "../../../src/config/load";
import { staleConfigDocs } from "../../../tools/config-docs";
import { stackConfigSchema } from "../../../src/config/schema";
import { settingsStackSchema } from "../../../src/config/github-schema";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const IMAGE = "docker-build:index:Image";

const EXPECTED = {
  dev: {
    hostnames: ["dev.travelexample.timbersedgearb.com"],
    replicas: { backend: 1, frontend: 1 },
    requests: {
      backend: { cpu: "100m", memory: "256Mi" },
      frontend: { cpu: "50m", memory: "128Mi" },
    },
    builds: 2,
    // The deploy job's own GITHUB_TOKEN (registry.pushTokenEnv), not a stored token.
    pushToken: "registry.pushTokenEnv",
    pdbs: [] as string[],
    protect: false,
  },
  staging: {
    hostnames: ["staging.travelexample.timbersedgearb.com"],
    replicas: { backend: 1, frontend: 2 },
    requests: {
      backend: { cpu: "500m", memory: "512Mi" },
      frontend: { cpu: "200m", memory: "256Mi" },
    },
    builds: 0,
    pdbs: ["travel-frontend"],
    protect: false,
  },
  local: {
    hostnames: ["travel.local.test"],
    replicas: { backend: 1, frontend: 2 },
    // Two cores: both workloads, their surge pods and the environment must fit.
    requests: {
      backend: { cpu: "50m", memory: "96Mi" },
      frontend: { cpu: "50m", memory: "128Mi" },
    },
    builds: 2,
    pushToken: "registryToken",
    pdbs: ["travel-frontend"],
    protect: false,
  },
  prod: {
    hostnames: ["travelexample.timbersedgearb.com"],
    replicas: { backend: 1, frontend: 3 },
    requests: { backend: { cpu: "1", memory: "1Gi" }, frontend: { cpu: "500m", memory: "512Mi" } },
    builds: 0,
    pdbs: ["travel-frontend"],
    protect: true,
  },
};

for (const [stack, want] of Object.entries(EXPECTED)) {
  describe(`stack ${stack}`, () => {
    it("keeps every secret encrypted in the stack file; only a building stack holds the push token", () => {
      const { encrypted } = loadStack(stack);
      const supplied = SUPPLIED_AT_RUN[stack as StackName] ?? [];
      assert.deepEqual(
        encrypted.sort(),
        [
          "appSecrets.GOOGLE_MAPS_API_KEY",
          "appSecrets.OPENAI_API_KEY",
          "registryPullToken",
          ...("pushToken" in want && want.pushToken === "registryToken" ? ["registryToken"] : []),
        ].filter((k) => !supplied.includes(k)),
      );
    });

    it("parses with the environment's settings", () => {
      // The dev stack's build contexts are the app's checkout, not in this repository.
      const cfg = parseStackConfig(loadStack(stack).raw, {
        namespace: "travel",
        environment: stack,
        isDirectory: () => true,
        isFile: () => true,
        env: JOB_ENV,
      });
      assert.deepEqual(cfg.hostnames, want.hostnames);
      if ("pushToken" in want) assert.equal(cfg.pushTokenKey, want.pushToken);
      assert.equal(cfg.protect, want.protect);
      assert.equal(cfg.namespace, "app-travelexample");
    });

    it("composes the right replicas, resources and images, exporting no secret", async () => {
      const composed = await composeStackFile(stack);
      for (const w of ["backend", "frontend"] as const) {
        const d = one(DEPLOYMENT, `travel-${w}`).inputs;
        assert.equal(d.spec.replicas, want.replicas[w], `${w} replicas`);
        // The stack files set CPU and memory; ephemeral storage is the schema's default.
        const { "ephemeral-storage": storage, ...requests } =
          d.spec.template.spec.containers[0].resources.requests;
        assert.deepEqual(requests, want.requests[w]);
        assert.match(storage, /^\d+Mi$/, `${w} requests ephemeral storage`);
        assert.equal(d.metadata.labels["app.kubernetes.io/instance"], stack);
      }
      assert.equal(ofType(IMAGE).length, want.builds);
      assert.deepEqual(
        ofType(PDB).map((r) => r.name),
        want.pdbs,
      );
      const outputs = await resolveOutputs(composed.outputs);
      assert.equal(outputs.url, `https://${want.hostnames[0]}`);
      assert.ok(!JSON.stringify(outputs).includes("placeholder:"), "an output carries a secret");
    });
  });
}

describe("Pulumi.yaml", () => {
  it("declares exactly the keys the app and settings stacks accept", () => {
    assert.deepEqual(
      Object.keys(project.config).sort(),
      [...Object.keys(stackConfigSchema.shape), ...Object.keys(settingsStackSchema.shape)].sort(),
    );
  });

  it("requires nothing of a stack itself: every key has a default, none is declared secret", () => {
    // The engine requires a declared key without a default of every stack (the settings
    // stack sets none of the app's), and fails a declared secret left at its default.
    assert.deepEqual(
      Object.entries(project.config).filter(
        ([, decl]) => decl.default === undefined || "secret" in decl || "type" in decl,
      ),
      [],
    );
    assert.ok(Object.keys(project.config).length > 15);
  });

  it("declares defaults that mean the same as leaving the key out", () => {
    const minimal = {
      hostnames: ["x.example.com"],
      registry: { owner: "o", username: "u" },
      registryPullToken: "t",
      appSecrets: { OPENAI_API_KEY: "a", GOOGLE_MAPS_API_KEY: "b" },
      images: { mode: "promote", fromStack: "staging" },
    };
    const ctx = { namespace: "travel", environment: "dev" };
    const parsed = (raw: Record<string, unknown>) => {
      const { registryToken, appSecrets, ...plain } = parseStackConfig(raw, ctx);
      const secrets = [registryToken, appSecrets].map((o) => o === undefined);
      return { plain: JSON.parse(JSON.stringify(plain)) as unknown, secrets };
    };
    // As the engine hands them over: strings, objects as JSON.
    const engine = (v: unknown) => (typeof v === "object" ? JSON.stringify(v) : String(v));
    for (const [name, decl] of Object.entries(project.config)) {
      if (decl.default === undefined || name in minimal) continue;
      const withDefault = { ...minimal, ...decodeEngineConfig({ [name]: engine(decl.default) }) };
      assert.deepEqual(parsed(withDefault), parsed(minimal), name);
    }
  });

  it("and README's configuration table are rendered from the schema and its TSDoc", async () => {
    assert.deepEqual(
      await staleConfigDocs(),
      [],
      "run: node --require tsx/cjs tools/config-docs.ts",
    );
  });
});
