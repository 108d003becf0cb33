/**
 * Base images made here, since none can be pulled: a Python and a Node.js image built
 * from Debian's packages with mmdebstrap, cached beside the toolchain, and pushed to the
 * local registry under the names Dockerfiles use (`library/python`, `library/node`).
 * BuildKit takes the local registry as its mirror for docker.io (templates/buildkitd.toml),
 * so `FROM python:3.13-slim` builds unchanged. They are Debian's interpreters, not the
 * official images' own builds: the same major versions and Debian release (trixie), one
 * layer each, and no PEP 668 marker (the official images have none, so `pip install`
 * works as users expect).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "../../../toolchain/build";
import { request } from "../checks";
import type { Component, Context } from "../component";
import { DOCKER, REGISTRY } from "../layout";
import { run } from "../sys";

interface BaseImage {
  /** Repository and tag in the local registry, as docker.io names them. */
  readonly repository: string;
  readonly tag: string;
  readonly packages: readonly string[];
  /** Run on the finished root (`$1`) before it is packed. */
  readonly hooks: readonly string[];
  readonly cmd: readonly string[];
}

const SUITE = "trixie";
const MIRROR = "http://deb.debian.org/debian";

export const BASE_IMAGES: readonly BaseImage[] = [
  {
    repository: "library/python",
    tag: "3.13-slim",
    packages: ["python3", "python3-pip", "python3-venv", "python-is-python3", "ca-certificates"],
    hooks: ['rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED'],
    cmd: ["python3"],
  },
  {
    repository: "library/node",
    tag: "20-slim",
    packages: ["nodejs", "npm", "ca-certificates"],
    hooks: [],
    cmd: ["node"],
  },
];

/** Debian's documentation and translations stay out, as in the official slim images. */
const SLIM = [
  "path-exclude=/usr/share/doc/*",
  "path-include=/usr/share/doc/*/copyright",
  "path-exclude=/usr/share/man/*",
  "path-exclude=/usr/share/locale/*",
];

const ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"];

/** What an image is made of: a new spec is a new cache file and a new key tag. */
const keyOf = (img: BaseImage) =>
  createHash("sha256").update(JSON.stringify({ SUITE, SLIM, ENV, img })).digest("hex").slice(0, 12);

const cacheDir = () => join(cacheRoot(), "base-images");
const tarOf = (img: BaseImage) =>
  join(cacheDir(), `${img.repository.replace("/", "-")}-${img.tag}-${keyOf(img)}.tar`);
/** The tag that says which spec the registry holds. */
const keyTag = (img: BaseImage) => `${img.tag}-${keyOf(img)}`;

function registryAuth(): string {
  const token = readFileSync(REGISTRY.tokenFile, "utf8").trim();
  return `Basic ${Buffer.from(`${REGISTRY.user}:${token}`).toString("base64")}`;
}

async function pushed(img: BaseImage): Promise<boolean> {
  const answer = await request(
    `http://${REGISTRY.address}/v2/${img.repository}/manifests/${keyTag(img)}`,
    {
      headers: {
        Authorization: registryAuth(),
        Accept: "application/vnd.docker.distribution.manifest.v2+json",
      },
    },
  );
  return answer?.status === 200;
}

/** The root filesystem, from the cache or made now with mmdebstrap. */
function rootfs(ctx: Context, img: BaseImage): string {
  const tar = tarOf(img);
  if (existsSync(tar)) return tar;
  mkdirSync(cacheDir(), { recursive: true });
  const tmp = `${tar}.partial`;
  rmSync(tmp, { force: true });
  ctx.say(`building base image ${img.repository}:${img.tag} from Debian ${SUITE} (mmdebstrap)`);
  run(
    [
      "mmdebstrap",
      "--variant=apt",
      "--mode=root",
      "--format=tar",
      `--include=${img.packages.join(",")}`,
      ...SLIM.map((o) => `--dpkgopt=${o}`),
      ...img.hooks.map((h) => `--customize-hook=${h}`),
      SUITE,
      tmp,
      MIRROR,
    ],
    { log: ctx.log },
  );
  renameSync(tmp, tar);
  return tar;
}

function push(ctx: Context, img: BaseImage, tar: string): void {
  const env = { DOCKER_HOST: `unix://${DOCKER.socket}`, DOCKER_CONFIG: DOCKER.config };
  const docker = (args: string[], input?: string) =>
    run([DOCKER.cli, ...args], { log: ctx.log, env, input });
  const refs = [img.tag, keyTag(img)].map((t) => `${REGISTRY.address}/${img.repository}:${t}`);
  docker([
    "import",
    ...ENV.map((e) => `--change=ENV ${e}`),
    `--change=CMD ${JSON.stringify(img.cmd)}`,
    tar,
    refs[0]!,
  ]);
  docker(["tag", refs[0]!, refs[1]!]);
  const token = readFileSync(REGISTRY.tokenFile, "utf8").trim();
  docker(["login", REGISTRY.address, "-u", REGISTRY.user, "--password-stdin"], token);
  try {
    for (const ref of refs) docker(["push", ref]);
  } finally {
    // The docker config keeps no credentials (the builder entry only).
    docker(["logout", REGISTRY.address]);
  }
}

export const baseImages: Component = {
  name: "base-images",
  summary: `${BASE_IMAGES.map((i) => `${i.repository}:${i.tag}`).join(", ")} from Debian ${SUITE}, in the registry as docker.io's mirror`,
  needs: ["dockerd", "registry"],
  setup: async (ctx) => {
    for (const img of BASE_IMAGES) {
      if (await pushed(img)) continue;
      push(ctx, img, rootfs(ctx, img));
    }
  },
  ready: {
    what: "every base image is in the registry under its spec's tag",
    timeoutSeconds: 5,
    check: async () => (await Promise.all(BASE_IMAGES.map(pushed))).every(Boolean),
  },
};
