/**
 * The rules that relate keys to each other (or to the machine: build contexts that
 * exist). Each names the top-level keys it reads and runs whenever those keys are
 * valid on their own, so one run reports every problem it can: a bad `backend` does not
 * hide a missing push token.
 */
import { statSync } from "node:fs";
import { HIDDEN } from "./fields";
import type { ParsedStackConfig } from "./schema";
import { cpuMillis, cpuProblem, memoryBytes, memoryProblem, storageProblem } from "./quantity";
import { isPem, verifiedHostname } from "./verify-schema";
import { GHCR, WORKLOADS } from "../names";

export interface Issue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly input: unknown;
}

export interface RuleContext {
  /** The stack being configured (for a promotion from itself). */
  readonly stack: string;
  /** The project name (config namespace). */
  readonly project: string;
  /** Whether a path (relative to the project) is a directory / a file. */
  readonly isDirectory?: (p: string) => boolean;
  readonly isFile?: (p: string) => boolean;
  /** The environment the program runs in: where `registry.pushTokenEnv` points. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

type Key = keyof ParsedStackConfig;
type Add = (path: (string | number)[], message: string, input: unknown) => void;

interface Rule {
  readonly needs: readonly Key[];
  readonly check: (cfg: ParsedStackConfig, add: Add, ctx: RuleContext) => void;
}

const stat = (p: string) => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

const RULES: readonly Rule[] = [
  {
    needs: [...WORKLOADS, "appSecrets"],
    check(cfg, add) {
      for (const name of WORKLOADS) {
        const w = cfg[name];
        const { requests, limits } = w.resources;
        // Each quantity on its own first: a slip is named where it was written.
        let plausible = true;
        for (const [kind, pair] of [
          ["requests", requests],
          ["limits", limits],
        ] as const) {
          for (const [resource, problem] of [
            ["cpu", cpuProblem(pair.cpu)],
            ["memory", memoryProblem(pair.memory)],
            ["ephemeral-storage", storageProblem(pair["ephemeral-storage"])],
          ] as const) {
            if (problem === undefined) continue;
            plausible = false;
            add([name, "resources", kind, resource], problem, pair[resource]);
          }
        }
        if (plausible && cpuMillis(requests.cpu) > cpuMillis(limits.cpu)) {
          add(
            [name, "resources", "requests", "cpu"],
            `at most the CPU limit "${limits.cpu}"`,
            requests.cpu,
          );
        }
        for (const resource of ["memory", "ephemeral-storage"] as const) {
          if (plausible && memoryBytes(requests[resource]) > memoryBytes(limits[resource])) {
            add(
              [name, "resources", "requests", resource],
              `at most the ${resource} limit "${limits[resource]}"`,
              requests[resource],
            );
          }
        }
        if (w.autoscaling && w.autoscaling.minReplicas > w.autoscaling.maxReplicas) {
          add(
            [name, "autoscaling", "minReplicas"],
            `at most maxReplicas (${w.autoscaling.maxReplicas})`,
            w.autoscaling.minReplicas,
          );
        }
        w.secretEnv.forEach((key, i) => {
          if (!(key in cfg.appSecrets))
            add([name, "secretEnv", i], "a key of appSecrets (set it with --secret --path)", key);
          if (key in w.env)
            add([name, "env", key], "no plain value for a name in secretEnv", HIDDEN);
        });
      }
    },
  },
  {
    needs: WORKLOADS,
    check(cfg, add) {
      if ("REMOTE_ACTION_URL" in cfg.frontend.env) {
        add(
          ["frontend", "env", "REMOTE_ACTION_URL"],
          "no value: REMOTE_ACTION_URL is wired from the Backend service",
          cfg.frontend.env.REMOTE_ACTION_URL,
        );
      }
      const maxBackend = Math.max(cfg.backend.replicas, cfg.backend.autoscaling?.maxReplicas ?? 1);
      if (maxBackend > 1 && !cfg.backend.sharedState) {
        const path = cfg.backend.replicas > 1 ? ["replicas"] : ["autoscaling", "maxReplicas"];
        add(
          ["backend", ...path],
          "1 replica: the backend keeps trip state in memory (set backend.sharedState to true once its state is shared)",
          maxBackend,
        );
      }
      if (cfg.backend.serviceName === cfg.frontend.serviceName) {
        add(
          ["frontend", "serviceName"],
          "a name different from backend.serviceName",
          cfg.frontend.serviceName,
        );
      }
    },
  },
  {
    needs: ["rolloutTimeoutSeconds", "rolloutProgressDeadlineSeconds"],
    check(cfg, add) {
      if (cfg.rolloutProgressDeadlineSeconds > cfg.rolloutTimeoutSeconds) {
        add(
          ["rolloutProgressDeadlineSeconds"],
          `at most rolloutTimeoutSeconds (${cfg.rolloutTimeoutSeconds})`,
          cfg.rolloutProgressDeadlineSeconds,
        );
      }
    },
  },
  {
    needs: ["hostnames", "verify"],
    check(cfg, add, ctx) {
      if (verifiedHostname(cfg.hostnames) === undefined)
        add(
          ["hostnames"],
          "at least one hostname that is not a wildcard: verification sends its checks there",
          cfg.hostnames,
        );
      const ca = cfg.verify.caCert;
      const isFile = ctx.isFile ?? ((p: string) => stat(p)?.isFile() === true);
      if (ca !== undefined && !isPem(ca) && !isFile(ca))
        add(["verify", "caCert"], "PEM certificate text or the path of an existing PEM file", ca);
    },
  },
  {
    needs: ["gateway"],
    check(cfg, add) {
      if (cfg.gateway.httpsRedirect && (!cfg.gateway.sectionName || !cfg.gateway.httpSectionName)) {
        add(
          ["gateway", "httpsRedirect"],
          "false unless gateway.sectionName (HTTPS listener) and gateway.httpSectionName (HTTP listener) are both set",
          true,
        );
      }
    },
  },
  {
    needs: ["images", "registry", "registryToken"],
    check(cfg, add, ctx) {
      const mode = cfg.images.mode;
      if (mode === "build") {
        pushTokenIssues(cfg, add, ctx);
        const isFile = ctx.isFile ?? ((p: string) => stat(p)?.isFile() === true);
        for (const [id, file] of Object.entries(cfg.images.buildSecrets)) {
          if (!isFile(file))
            add(["images", "buildSecrets", id], "the path of an existing file", file);
        }
      }
      if (mode === "pinned") {
        for (const name of WORKLOADS) {
          const ref = cfg.images[name].ref;
          if (!ref.startsWith(`${cfg.registry.server}/`))
            add(
              ["images", name, "ref"],
              `an image in the configured registry ${cfg.registry.server}`,
              ref,
            );
        }
      }
    },
  },
  {
    needs: ["registry", "registryPullToken"],
    check(cfg, add) {
      if (!cfg.registry.public && cfg.registryPullToken === undefined) {
        add(
          ["registryPullToken"],
          "a read-only token for the pull secret (pulumi config set --secret registryPullToken), or registry.public: true",
          undefined,
        );
      }
      if (cfg.registry.public && cfg.registryPullToken !== undefined) {
        add(
          ["registryPullToken"],
          "no pull token: registry.public is true, so the pods pull without a pull secret",
          HIDDEN,
        );
      }
    },
  },
  {
    needs: ["images"],
    check(cfg, add, ctx) {
      const images = cfg.images;
      if (images.mode === "build") {
        const isDir = ctx.isDirectory ?? ((p: string) => stat(p)?.isDirectory() === true);
        const isFile = ctx.isFile ?? ((p: string) => stat(p)?.isFile() === true);
        for (const name of WORKLOADS) {
          const { context, dockerfile } = images[name];
          if (!isDir(context))
            add(
              ["images", name, "context"],
              `an existing directory (relative to the project, ${process.cwd()})`,
              context,
            );
          else if (!isFile(dockerfile))
            add(
              ["images", name, "dockerfile"],
              "an existing Dockerfile (relative to the project)",
              dockerfile,
            );
        }
      }
      if (images.mode === "promote") {
        const parts = images.fromStack.split("/");
        const stack = parts.at(-1);
        const project = parts.length === 3 ? parts[1] : ctx.project;
        if (stack === ctx.stack && project === ctx.project) {
          add(
            ["images", "fromStack"],
            `another stack than this one ("${ctx.stack}"): a stack cannot promote what it deployed itself`,
            images.fromStack,
          );
        }
      }
    },
  },
];

/**
 * A build's push token: `registryToken`, or the environment variable `registry.pushTokenEnv`
 * names (set when the program runs, e.g. the GitHub Actions job's own token), never both. A
 * build for GHCR also needs `registry.repository`, the label that links its packages.
 */
function pushTokenIssues(cfg: ParsedStackConfig, add: Add, ctx: RuleContext): void {
  const from = cfg.registry.pushTokenEnv;
  if (from === undefined && cfg.registryToken === undefined) {
    add(
      ["registryToken"],
      "a push token for the images this stack builds (pulumi config set --secret registryToken), " +
        "or registry.pushTokenEnv naming the environment variable that holds it",
      undefined,
    );
  }
  if (from !== undefined && cfg.registryToken !== undefined) {
    add(
      ["registry", "pushTokenEnv"],
      "no push token source besides registryToken: remove one of them",
      from,
    );
  } else if (from !== undefined && !ctx.env?.[from]) {
    add(
      ["registry", "pushTokenEnv"],
      `the environment variable ${from} to hold the push token, but it is not set or empty ` +
        `(GitHub Actions: ${from}: \${{ github.token }} in the env of the step that runs pulumi, ` +
        "and permissions packages: write on its job)",
      from,
    );
  }
  if (cfg.registry.server === GHCR && cfg.registry.repository === undefined) {
    add(
      ["registry", "repository"],
      "the GitHub repository 'owner/name' whose workflows push the images, for their " +
        "org.opencontainers.image.source label: GHCR links a new package to that repository",
      undefined,
    );
  }
}

/** The issues of every rule whose keys are all in `valid`. */
export function crossKeyIssues(
  cfg: Partial<ParsedStackConfig>,
  valid: ReadonlySet<string>,
  ctx: RuleContext,
): Issue[] {
  const issues: Issue[] = [];
  const add: Add = (path, message, input) => issues.push({ path, message, input });
  for (const rule of RULES) {
    if (rule.needs.every((k) => valid.has(k))) rule.check(cfg as ParsedStackConfig, add, ctx);
  }
  return issues;
}
