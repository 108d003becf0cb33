/**
 * The cases about what a deploy waits for: a commit the registry already has (nothing
 * built), a stuck rollout (fails at the progress deadline), a slow rollout that keeps
 * making progress (gets the whole timeout), a rollback (time to converged); what fails
 * at once is in fail-fast-cases.ts.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  commitSource,
  committedLocalConfig,
  createProject,
  head,
  PASSPHRASE,
  writeConfig,
} from "../../test/support/e2e/project";
import { pair, type Row } from "./measure";
import type { Ctx } from "./cases";
import { COPY_NS, NS } from "./setup";
import { WORKLOADS } from "../../src/names";

const up = (c: Ctx) => c.b.pulumi(["up", "--yes", "--skip-preview"]);
const upFails = (c: Ctx): string => {
  try {
    up(c);
  } catch (err) {
    return (err as { output?: string }).output ?? String(err);
  }
  throw new Error("pulumi up succeeded where it should have failed");
};

/** A second stack deploying the commit the first one built: it builds and pushes nothing. */
export async function alreadyPushed(c: Ctx): Promise<Row[]> {
  // The bench stack has built and pushed HEAD (a case before may have committed since).
  up(c);
  let built = 0;
  let other: Awaited<ReturnType<typeof createProject>> | undefined;
  const env = () => ({
    ...process.env,
    PULUMI_BACKEND_URL: other!.backendUrl,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
  });
  const [a] = await pair(
    {
      label: "pulumi up (a second stack, same commit)",
      before: async (i) => {
        other = await createProject(`benchsame${i}${Date.now().toString(36)}`, {
          namespace: "travel-bench-same",
        });
        await writeConfig(other, {
          "travel:images": {
            mode: "build",
            backend: { context: join(c.b.p.sourceDir, "backend") },
            frontend: { context: join(c.b.p.sourceDir, "frontend") },
          },
        });
      },
      run: () => {
        let out: string;
        try {
          out = execFileSync(
            "pulumi",
            ["up", "--yes", "--skip-preview", "--stack", other!.stack.name],
            { cwd: other!.dir, env: env(), encoding: "utf8", maxBuffer: 256 << 20 },
          );
        } catch (err) {
          const { stdout } = err as { stdout?: string };
          throw new Error(`pulumi up of ${other!.stack.name} failed:\n${stdout?.slice(-3000)}`);
        }
        built += (out.match(/docker-build:index:Image \S+ created/g) ?? []).length;
        execFileSync("pulumi", ["destroy", "--yes", "--stack", other!.stack.name], {
          cwd: other!.dir,
          env: env(),
          stdio: "ignore",
        });
      },
    },
    undefined,
    Math.min(c.runs, 3),
    c.say,
  );
  return [
    {
      name: "deploy of a SHA already in the registry",
      a: "`pulumi up` of another stack, then `destroy`",
      aSeconds: a,
      target: "builds and pushes nothing",
      met: built === 0,
      note: `${built} images built`,
    },
  ];
}

/** A build that never gets ready, with a progress deadline of 30 s and a timeout of 300 s. */
export async function stuckRollout(c: Ctx): Promise<Row[]> {
  const frontend = committedLocalConfig()["travel:frontend"];
  const limits = {
    "travel:frontend": frontend,
    "travel:rolloutProgressDeadlineSeconds": 30,
    "travel:rolloutTimeoutSeconds": 300,
  };
  let named = true;
  const [a] = await pair(
    {
      label: "pulumi up (never ready)",
      before: async () => {
        await writeConfig(c.b.p, limits);
        commitSource(c.b.p, "backend/mode", "never-ready\n");
      },
      run: () => {
        named &&=
          /\[Pod travel-bench\/travel-backend-[^\]]+\]: not ready: (Startup|Readiness) probe failed/.test(
            upFails(c),
          );
        commitSource(c.b.p, "backend/mode", "ok\n");
      },
    },
    undefined,
    Math.min(c.runs, 3),
    c.say,
  );
  up(c); // recover (untimed)
  return [
    {
      name: "stuck rollout: time to a failed `up`",
      a: "`pulumi up`, progress deadline 30 s, timeout 300 s",
      aSeconds: a,
      target: "fails at the progress deadline, naming the pod's reason",
      met: a < 45 && named,
    },
  ];
}

/** Three frontends that each take 12 s to start, with a progress deadline of 20 s. */
export async function slowRollout(c: Ctx): Promise<Row[]> {
  const frontend = { ...(committedLocalConfig()["travel:frontend"] as object), replicas: 3 };
  await writeConfig(c.b.p, {
    "travel:frontend": frontend,
    "travel:rolloutProgressDeadlineSeconds": 20,
    "travel:rolloutTimeoutSeconds": 300,
  });
  up(c);
  let ok = true;
  const [a] = await pair(
    {
      label: "pulumi up (slow but progressing)",
      before: (i) =>
        void commitSource(c.b.p, "frontend/mode", i % 2 ? "slow-start:12\n" : "slow-start:13\n"),
      run: () => {
        try {
          up(c);
        } catch {
          ok = false;
        }
      },
    },
    undefined,
    Math.min(c.runs, 2),
    c.say,
  );
  commitSource(c.b.p, "frontend/mode", "ok\n");
  await writeConfig(c.b.p, {});
  up(c);
  return [
    {
      name: "slow rollout that keeps progressing",
      a: "`pulumi up`, 3 pods × 12 s start, progress deadline 20 s",
      aSeconds: a,
      target: "completes (longer than the progress deadline)",
      met: ok && a > 20,
    },
  ];
}

/**
 * Back to the previous release: `pulumi up` pinned to the previous digests vs `kubectl
 * rollout undo` of both Deployments (a release is both images: both roll either way).
 */
export async function rollback(c: Ctx): Promise<Row[]> {
  const images = () => JSON.parse(c.b.pulumi(["stack", "output", "images", "--json"]));
  const copies = WORKLOADS.map(
    (w) =>
      `deployment/${
        JSON.parse(
          c.b.kubectl([
            "get",
            "deployment",
            "-n",
            COPY_NS,
            "-l",
            `app.kubernetes.io/name=travel-${w}`,
            "-o",
            "json",
          ]),
        ).items[0].metadata.name
      }`,
  );
  const status = () => {
    for (const d of copies) c.b.kubectl(["rollout", "status", d, "-n", COPY_NS, "--timeout=300s"]);
  };
  let previous = images();
  const [a, k] = await pair(
    {
      label: "pulumi up (pinned to the previous digests)",
      before: async (i) => {
        await writeConfig(c.b.p, {});
        commitSource(
          c.b.p,
          "backend/message",
          `travel backend fixture, rollback ${i} ${Date.now()}\n`,
        );
        previous = images();
        up(c);
        await writeConfig(c.b.p, {
          "travel:images": {
            mode: "pinned",
            backend: previous.backend,
            frontend: previous.frontend,
          },
        });
      },
      run: () => void up(c),
    },
    {
      label: "kubectl rollout undo + status",
      // A new revision of both, rolled out completely, so the undo has a real rollout to do.
      before: () => {
        c.b.kubectl(["set", "env", ...copies, `ROLLBACK_MARK=${Date.now()}`, "-n", COPY_NS]);
        status();
      },
      run: () => {
        c.b.kubectl(["rollout", "undo", ...copies, "-n", COPY_NS]);
        status();
      },
    },
    Math.min(c.runs, 3),
    c.say,
  );
  await writeConfig(c.b.p, {});
  up(c);
  return [
    {
      name: "rollback: time to converged",
      a: "`pulumi up` pinned to the previous digests",
      aSeconds: a,
      b: "`kubectl rollout undo` of both + `rollout status`",
      bSeconds: k,
      target: "≤ 1.5× `kubectl rollout undo`",
      met: a <= 1.5 * k!,
      note: `stack ${NS}, HEAD ${head(c.b.p).slice(0, 7)}`,
    },
  ];
}
