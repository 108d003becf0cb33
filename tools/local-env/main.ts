/**
 * tools/local-env.sh: the local environment, started and stopped by one generic
 * loop over the component table (components/index.ts).
 *
 *   up [--no-verify]   packages, toolchain, then every component in order (idempotent);
 *                      then the smoke checks
 *   verify             the smoke checks again
 *   status             each component: up or down, and why
 *   env                `export` lines: eval "$(tools/local-env.sh env)"
 *   down [--purge]     every component in reverse; then nothing of it is left on the
 *                      host (--purge also deletes the state folder: the cluster's data)
 */
import { mkdirSync, rmSync } from "node:fs";
import { select } from "../../toolchain/select";
import { binary, type Choice } from "../../toolchain/select";
import { expand } from "../../toolchain/tools";
import type { Component, Context } from "./component";
import { COMPONENTS } from "./components";
import { ensurePackages, PACKAGES } from "./packages";
import {
  BUILDKIT,
  CA_CERT,
  DOCKER,
  GATEWAY,
  KUBECONFIG,
  LOGS,
  logOf,
  REGISTRY,
  STATE,
} from "./layout";
import * as runner from "./runner";
import { verify } from "./smoke";
import { leftovers, stopLeftoverProcesses, unmountAll } from "./sweep";
import { run, StepError, tail } from "./sys";

const say = (m: string) => process.stderr.write(`[local-env] ${m}\n`);

function contextFor(choices: readonly Choice[]): runner.ContextFor {
  return (c: Component): Context => {
    const log = logOf(c.name);
    return {
      log,
      say,
      bin: (name) => binary(choices, name),
      files: (tool) => choices.find((x) => x.tool.name === tool)!.dir!,
      kubectl: (args, opts = {}) =>
        run([binary(choices, "kubectl"), "--kubeconfig", KUBECONFIG, ...args], {
          log,
          ...(opts.input === undefined ? {} : { input: opts.input }),
          allowFail: opts.allowFail ?? false,
        }).stdout.trim(),
    };
  };
}

/** The environment's tools: installed or built (`up`), or only where they would be. */
function toolchain(build: boolean): Choice[] {
  mkdirSync(LOGS, { recursive: true });
  return select(expand(["environment"]), {
    build,
    log: build ? (l) => say(`toolchain: ${l}`) : () => undefined,
  });
}

function envLines(choices: readonly Choice[]): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    `export TRAVEL_LOCAL_STATE=${q(STATE)}`,
    `export KUBECONFIG=${q(KUBECONFIG)}`,
    `export TRAVEL_KUBECTL=${q(binary(choices, "kubectl"))}`,
    `export DOCKER_HOST=${q(`unix://${DOCKER.socket}`)}`,
    `export DOCKER_CONFIG=${q(DOCKER.config)}`,
    `export LOCAL_REGISTRY=${q(REGISTRY.address)}`,
    `export LOCAL_REGISTRY_USER=${q(REGISTRY.user)}`,
    // The token itself is never printed: read it from this file.
    `export LOCAL_REGISTRY_TOKEN_FILE=${q(REGISTRY.tokenFile)}`,
    `export LOCAL_REGISTRY_PULL_USER=${q(REGISTRY.pullUser)}`,
    `export LOCAL_REGISTRY_PULL_TOKEN_FILE=${q(REGISTRY.pullTokenFile)}`,
    `export LOCAL_BUILDX_BUILDER=${q(BUILDKIT.builder)}`,
    `export LOCAL_GATEWAY_ADDRESS=${q(GATEWAY.address)}`,
    `export LOCAL_CA_CERT=${q(CA_CERT)}`,
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...opts] = argv;
  const unknown = opts.filter((o) => !["--no-verify", "--purge"].includes(o));
  if (unknown.length)
    throw new StepError(cmd ?? "local-env", `unknown option ${unknown.join(" ")}`);
  switch (cmd) {
    case "up": {
      if (process.getuid?.() !== 0)
        throw new StepError("up", "must run as root (apt-get, containerd, iptables need it)");
      const t0 = Date.now();
      ensurePackages(say);
      const ctx = contextFor(toolchain(true));
      await runner.up(COMPONENTS, ctx);
      if (!opts.includes("--no-verify")) await verify(ctx);
      say(
        `environment is up in ${Math.round((Date.now() - t0) / 1000)}s; use it with: eval "$(tools/local-env.sh env)"`,
      );
      return 0;
    }
    case "verify":
      await verify(contextFor(toolchain(false)));
      return 0;
    case "status": {
      const missing = PACKAGES.filter((p) => !p.installed());
      if (missing.length) {
        process.stdout.write(
          `${"packages".padEnd(26)} down  missing: ${missing.map((p) => p.name).join(" ")}\n`,
        );
        return 1;
      }
      const lines = await runner.status(COMPONENTS, contextFor(toolchain(false)));
      for (const l of lines)
        process.stdout.write(
          `${l.name.padEnd(26)} ${(l.up ? "up" : "down").padEnd(5)} ${l.detail}\n`,
        );
      return lines.every((l) => l.up) ? 0 : 1;
    }
    case "env":
      process.stdout.write(`${envLines(toolchain(false))}\n`);
      return 0;
    case "down": {
      const t0 = Date.now();
      const problems = runner.down(COMPONENTS, contextFor(toolchain(false)));
      const log = logOf("down");
      await stopLeftoverProcesses(log);
      unmountAll(log);
      const left = leftovers(log);
      if (opts.includes("--purge") && left.length === 0) {
        rmSync(STATE, { recursive: true, force: true });
        say(`removed ${STATE}`);
      }
      if (problems.length || left.length) {
        throw new StepError(
          "down",
          `not everything stopped cleanly:\n${[...problems, ...left].map((p) => `  - ${p}`).join("\n")}`,
          log,
        );
      }
      say(
        `environment is down (${((Date.now() - t0) / 1000).toFixed(1)}s): no process, mount, bridge, iptables rule or ipset left`,
      );
      return 0;
    }
    default:
      process.stderr.write(
        "usage: tools/local-env.sh up [--no-verify] | verify | status | env | down [--purge]\n",
      );
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as StepError;
    const lines = [`local-env: FAILED: ${e.step ?? "local-env"}: ${e.message}`];
    if (e.log) lines.push(`local-env: log file: ${e.log}`, tail(e.log));
    lines.push(
      `local-env: fix the problem and re-run 'up', or clean up with 'tools/local-env.sh down'.`,
    );
    process.stderr.write(`\n${lines.filter(Boolean).join("\n")}\n`);
    process.exit(1);
  },
);
