/**
 * The cases of `npm run bench`, each against its kubectl (or manual) equivalent on the
 * same environment, or a target of its own.
 */
import { WORKLOADS } from "../../src/names";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REGISTRY } from "../local-env/layout";
import { commitSource } from "../../test/support/e2e/project";
import { registryToken } from "../../test/support/e2e/local-env";
import { pair, type Row } from "./measure";
import { type Bench, COPY_NS, NS } from "./setup";

export interface Ctx {
  readonly b: Bench;
  readonly runs: number;
  readonly say: (m: string) => void;
}

const up = (b: Bench) => b.pulumi(["up", "--yes", "--skip-preview"]);
const deploymentName = (b: Bench, w: string) =>
  JSON.parse(
    b.kubectl([
      "get",
      "deployment",
      "-n",
      NS,
      "-l",
      `app.kubernetes.io/name=travel-${w}`,
      "-o",
      "json",
    ]),
  ).items[0].metadata.name as string;

export async function noopPreview({ b, runs, say }: Ctx): Promise<Row[]> {
  const [a, k] = await pair(
    { label: "pulumi preview", run: () => void b.pulumi(["preview"]) },
    {
      label: "kubectl diff --server-side",
      run: () => void b.kubectl(["diff", "--server-side", "--force-conflicts", "-f", b.copyFile]),
    },
    runs,
    say,
  );
  const [floor] = await pair(
    { label: "empty program preview", run: () => void b.pulumi(["preview"], b.empty) },
    undefined,
    runs,
    say,
  );
  return [
    {
      name: "no-op preview",
      a: "`pulumi preview`",
      aSeconds: a,
      b: "`kubectl diff --server-side`",
      bSeconds: k,
    },
    {
      name: "no-op preview vs Pulumi's floor",
      a: "`pulumi preview`",
      aSeconds: a,
      b: "the same CLI, an empty program",
      bSeconds: floor,
      target: "≤ 1.3× the floor",
      met: a <= 1.3 * floor,
    },
  ];
}

export async function noopUp({ b, runs, say }: Ctx): Promise<Row[]> {
  const [a, k] = await pair(
    { label: "pulumi up", run: () => void up(b) },
    {
      label: "kubectl apply --server-side",
      run: () => void b.kubectl(["apply", "--server-side", "--force-conflicts", "-f", b.copyFile]),
    },
    runs,
    say,
  );
  return [
    {
      name: "no-op up",
      a: "`pulumi up --skip-preview`",
      aSeconds: a,
      b: "`kubectl apply --server-side`",
      bSeconds: k,
    },
  ];
}

export async function replicasChange({ b, runs, say }: Ctx): Promise<Row[]> {
  const frontend = deploymentName(b, "frontend");
  const [a, k] = await pair(
    {
      label: "pulumi up (replicas)",
      before: (i) =>
        void b.pulumi(["config", "set", "--path", "frontend.replicas", String(i % 2 ? 3 : 2)]),
      run: () => void up(b),
    },
    {
      label: "kubectl scale + rollout status",
      run: () => {
        const n =
          JSON.parse(b.kubectl(["get", "deployment", frontend, "-n", COPY_NS, "-o", "json"])).spec
            .replicas === 2
            ? 3
            : 2;
        b.kubectl(["scale", "deployment", frontend, "-n", COPY_NS, `--replicas=${n}`]);
        b.kubectl(["rollout", "status", "deployment", frontend, "-n", COPY_NS, "--timeout=180s"]);
      },
    },
    runs,
    say,
  );
  return [
    {
      name: "replicas change",
      a: "`pulumi up`",
      aSeconds: a,
      b: "`kubectl scale` + `rollout status`",
      bSeconds: k,
    },
  ];
}

/** A new commit of both images, deployed by `pulumi up` and by the seed's manual sequence. */
export async function sourceChange({ b, runs, say }: Ctx): Promise<Row[]> {
  const names = { backend: deploymentName(b, "backend"), frontend: deploymentName(b, "frontend") };
  const manual = () => {
    const tag = `manual-${Date.now().toString(36)}`;
    b.docker(["login", REGISTRY.address, "-u", REGISTRY.user, "--password-stdin"], registryToken());
    try {
      for (const w of WORKLOADS) {
        b.docker([
          "buildx",
          "build",
          "--builder",
          "travel-local",
          "--push",
          "-t",
          `${REGISTRY.address}/travel/coagents-travel-${w}:${tag}`,
          join(b.p.sourceDir, w),
        ]);
      }
    } finally {
      b.docker(["logout", REGISTRY.address]);
    }
    for (const w of WORKLOADS) {
      b.kubectl([
        "set",
        "image",
        `deployment/${names[w]}`,
        `${w}=${REGISTRY.address}/travel/coagents-travel-${w}:${tag}`,
        "-n",
        COPY_NS,
      ]);
    }
    for (const w of WORKLOADS)
      b.kubectl(["rollout", "status", `deployment/${names[w]}`, "-n", COPY_NS, "--timeout=300s"]);
  };
  // Each sample is a new commit of both images (the manual run's edits ride along).
  const change = (who: string, i: number) => {
    for (const w of WORKLOADS)
      writeFileSync(
        join(b.p.sourceDir, w, "message"),
        `travel ${w} fixture, ${who} ${i} ${Date.now()}\n`,
      );
  };
  const [a, k] = await pair(
    {
      label: "pulumi up (source change)",
      before: (i) => {
        change("pulumi", i);
        commitSource(b.p, "backend/mode", "ok\n");
      },
      run: () => void up(b),
    },
    {
      label: "buildx build --push + set image + rollout status",
      before: (i) => change("manual", i),
      run: manual,
    },
    runs,
    say,
  );
  // The last manual sample's edits are not committed: commit them, so the cases after
  // this one start from a clean checkout (a dirty one is refused, images.allowDirty).
  commitSource(b.p, "backend/mode", "ok\n");
  return [
    {
      name: "source change: build, push, roll out",
      a: "`pulumi up`",
      aSeconds: a,
      b: "`docker buildx build --push` ×2, `kubectl set image` ×2, `rollout status` ×2",
      bSeconds: k,
      target: "≤ 1.0× the manual sequence",
      met: a <= k!,
    },
  ];
}
