/**
 * Building and storing images: dockerd (the pause image), buildkitd (the docker-build
 * provider's remote builder) and the authenticated registry standing in for GHCR.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { httpOk, request, socketAnswers } from "../checks";
import type { Component } from "../component";
import { BUILDKIT, dirOf, DOCKER, REGISTRY } from "../layout";
import { run } from "../sys";
import { render } from "../template";

const dockerDir = dirOf("docker");

export const dockerd: Component = {
  name: "dockerd",
  summary: `Docker engine (Debian docker.io), unix://${DOCKER.socket}, no bridge or iptables`,
  needs: [],
  prepare: () => {
    mkdirSync(DOCKER.config, { recursive: true, mode: 0o700 });
    return render("dockerd.json", join(dockerDir, "daemon.json"), {});
  },
  daemon: () => ({
    argv: [
      "/usr/sbin/dockerd",
      "--config-file",
      join(dockerDir, "daemon.json"),
      "--data-root",
      join(dockerDir, "data"),
      "--exec-root",
      join(dockerDir, "run"),
      "--pidfile",
      join(dockerDir, "dockerd.pid"),
      "--host",
      `unix://${DOCKER.socket}`,
    ],
    stopSeconds: 45,
  }),
  ready: {
    what: "GET /_ping on its socket = 200",
    timeoutSeconds: 60,
    check: () => httpOk("http://docker/_ping", { socketPath: DOCKER.socket }),
  },
};

const buildkitDir = dirOf("buildkit");

export const buildkitd: Component = {
  name: "buildkitd",
  summary: `BuildKit daemon, the buildx "remote" builder ${BUILDKIT.builder}`,
  needs: [],
  prepare: () => {
    const a = render("buildkitd.toml", join(buildkitDir, "buildkitd.toml"), {
      registry: REGISTRY.address,
      faultProxy: REGISTRY.faultProxy,
    });
    // The buildx builder store entry (what `docker buildx create --driver remote` writes).
    const b = render(
      "buildx-instance.json",
      join(DOCKER.config, "buildx", "instances", BUILDKIT.builder),
      {
        builder: BUILDKIT.builder,
        socket: BUILDKIT.socket,
      },
    );
    return a || b;
  },
  daemon: (ctx) => ({
    argv: [
      ctx.bin("buildkitd"),
      "--config",
      join(buildkitDir, "buildkitd.toml"),
      "--root",
      join(buildkitDir, "root"),
      "--addr",
      `unix://${BUILDKIT.socket}`,
    ],
  }),
  ready: {
    what: "its socket accepts connections",
    timeoutSeconds: 30,
    check: () => socketAnswers(BUILDKIT.socket),
  },
};

const registryDir = dirOf("registry");
const htpasswd = join(registryDir, "htpasswd");
/**
 * bcrypt's cost for the registry's htpasswd. The registry checks it on every request
 * (each pull by the node, push by BuildKit and tag lookup by a program): at cost 10 that
 * was 83 of the 1477 CPU-seconds of the CI run's parallel end-to-end phase. The cost
 * slows guessing a weak password; these are random 32-character tokens (about 190 bits),
 * which no cost makes guessable or safer, so the lowest bcrypt allows.
 */
const BCRYPT_COST = 4;

/** Whether every line of an htpasswd file is a bcrypt hash at BCRYPT_COST. */
export const hashedAtCost = (htpasswdText: string): boolean => {
  const prefix = `$2y$${String(BCRYPT_COST).padStart(2, "0")}$`;
  const lines = htpasswdText.trim().split("\n");
  return lines.every((line) => line.split(":")[1]?.startsWith(prefix) ?? false);
};
const secretFile = join(registryDir, "http-secret");

/** A random token of `n` letters and digits, written to `path` (mode 0600) unless present. */
function ensureSecret(path: string, n: number): string {
  if (!existsSync(path) || statSync(path).size === 0) {
    writeFileSync(path, randomBytes(n).toString("base64url").replace(/[-_]/g, "x").slice(0, n), {
      mode: 0o600,
    });
  }
  return readFileSync(path, "utf8").trim();
}

export const registry: Component = {
  name: "registry",
  summary: `registry (Debian docker-registry) on http://${REGISTRY.address}, basic auth for ${REGISTRY.user} (push) and ${REGISTRY.pullUser} (pull)`,
  needs: [],
  prepare: (ctx) => {
    mkdirSync(join(registryDir, "data"), { recursive: true });
    const users = [
      [REGISTRY.user, REGISTRY.tokenFile],
      [REGISTRY.pullUser, REGISTRY.pullTokenFile],
    ] as const;
    const tokens = users.map(([, file]) => ensureSecret(file, 32));
    let changed = false;
    // The registry reads htpasswd at start: a new token (or cost) means a new file and a
    // restart.
    const stale =
      !existsSync(htpasswd) ||
      !hashedAtCost(readFileSync(htpasswd, "utf8")) ||
      users.some(([, file]) => statSync(file).mtimeMs > statSync(htpasswd).mtimeMs);
    if (stale) {
      const lines = users.map(([user], i) =>
        run(["htpasswd", "-B", "-C", String(BCRYPT_COST), "-i", "-n", user], {
          log: ctx.log,
          input: tokens[i],
        }).stdout.trim(),
      );
      writeFileSync(htpasswd, `${lines.join("\n")}\n`, { mode: 0o600 });
      changed = true;
    }
    const rendered = render(
      "registry.yml",
      join(registryDir, "config.yml"),
      {
        dataDir: join(registryDir, "data"),
        address: REGISTRY.address,
        httpSecret: ensureSecret(secretFile, 40),
        htpasswd,
      },
      0o600,
    );
    return changed || rendered;
  },
  daemon: () => ({ argv: ["/usr/bin/docker-registry", "serve", join(registryDir, "config.yml")] }),
  ready: {
    what: `GET http://${REGISTRY.address}/v2/ = 401 (credentials required)`,
    timeoutSeconds: 30,
    check: async () => (await request(`http://${REGISTRY.address}/v2/`))?.status === 401,
  },
};
