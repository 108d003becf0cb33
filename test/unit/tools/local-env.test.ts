/**
 * The local environment's table and the one way its files are made: every component's
 * needs come before it, each config template is filled completely, supervisord's
 * program lines quote what they must, and `down` stops what is left. Nothing of the
 * environment is started.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
// First: the modules below read TRAVEL_LOCAL_STATE when they load.
import { STATE } from "../../support/local-env-state";
import { COMPONENTS } from "../../../tools/local-env/components";
import { hashedAtCost } from "../../../tools/local-env/components/images";
import { grpcOk } from "../../../tools/local-env/checks";
import * as runner from "../../../tools/local-env/runner";
import { stopProcesses } from "../../../tools/local-env/sweep";
import * as supervisor from "../../../tools/local-env/supervisor";
import * as template from "../../../tools/local-env/template";

async function load() {
  return { COMPONENTS, runner, supervisor, template };
}

const fakeContext = (name: string) => ({
  log: join(STATE, "logs", `${name}.log`),
  say: () => undefined,
  bin: (b: string) => `/opt/travel-test/bin/${b}`,
  files: (t: string) => `/opt/travel-test/${t}`,
  kubectl: () => "",
});

/** Every file below `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe("local environment: the component table", () => {
  it("lists each component once, after everything it needs", async () => {
    const { COMPONENTS, runner } = await load();
    const names = COMPONENTS.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    runner.checkOrder(COMPONENTS);
    assert.deepEqual(names.slice(0, 3), ["dockerd", "buildkitd", "registry"]);
    assert.equal(names.at(-1), "traefik");
  });

  it("refuses a table in which a component comes before what it needs", async () => {
    const { COMPONENTS, runner } = await load();
    const kubelet = COMPONENTS.find((c) => c.name === "kubelet")!;
    assert.throws(() => runner.checkOrder([kubelet, ...COMPONENTS.filter((c) => c !== kubelet)]), {
      message: "component kubelet needs kube-apiserver, containerd, which must come before it",
    });
  });

  it("fills every config template completely, into files that parse", async () => {
    const { COMPONENTS } = await load();
    for (const c of COMPONENTS) {
      if (c.name === "registry") continue; // needs htpasswd, and writes a token
      c.prepare?.(fakeContext(c.name));
    }
    const written = files(STATE).filter((f) => !f.includes("/logs/"));
    assert.ok(written.length >= 8, written.join(", "));
    for (const f of written) {
      const text = readFileSync(f, "utf8");
      assert.doesNotMatch(text, /\{\{|\}\}/, f);
      if (f.endsWith(".json") || f.endsWith(".conflist")) JSON.parse(text);
      if (f.endsWith(".yaml")) parse(text);
    }
    const cni = JSON.parse(
      readFileSync(join(STATE, "cni", "net.d", "10-travel-local.conflist"), "utf8"),
    );
    assert.equal(
      cni.plugins[0].ipMasq,
      false,
      "no masquerade: pod traffic never leaves the machine",
    );
    const kubelet = parse(readFileSync(join(STATE, "kubelet", "config.yaml"), "utf8"));
    assert.deepEqual(
      [kubelet.failCgroupV1, kubelet.cgroupDriver, kubelet.makeIPTablesUtilChains],
      [false, "cgroupfs", false],
    );
    assert.match(
      readFileSync(join(STATE, "containerd", "config.toml"), "utf8"),
      /restrict_oom_score_adj = true/,
    );
  });

  it("names what a template lacks", async () => {
    const { template } = await load();
    assert.throws(() => template.fill("a {{x}} b {{ y }} {{x}}", { z: 1 }, "templates/t"), {
      message: "templates/t: no value for x, y",
    });
    assert.equal(template.fill("{{a}}-{{ b }}", { a: 1, b: "two" }), "1-two");
  });
});

describe("local environment: supervisord programs", () => {
  it("quotes arguments, escapes % and never starts a program on its own", async () => {
    const { supervisor } = await load();
    const conf = supervisor.render(
      new Map([
        [
          "demo",
          { argv: ["/bin/demo", "--flag=a b", "50%", "it's"], env: { A: 'x"y' }, stopSeconds: 5 },
        ],
      ]),
    );
    assert.match(conf, /^command=\/bin\/demo '--flag=a b' 50%% 'it'"'"'s'$/m);
    assert.match(conf, /^environment=A="x\\"y"$/m);
    for (const line of [
      "autostart=false",
      "autorestart=false",
      "stopwaitsecs=5",
      "stopasgroup=true",
      "killasgroup=true",
    ]) {
      assert.ok(conf.includes(`\n${line}\n`), line);
    }
    assert.match(conf, new RegExp(`^stdout_logfile=${STATE}/logs/demo.log$`, "m"));
  });
});

describe("local environment: readiness checks", () => {
  it("takes a gRPC answer as ready only when its grpc-status is 0", async () => {
    const { createServer } = await import("node:http2");
    const socket = join(STATE, "grpc.sock");
    // Like containerd's CRI: Unknown (2) until initialized, then OK; Unimplemented (12) otherwise.
    let initialized = false;
    const server = createServer((req, res) => {
      const status = req.url !== "/runtime.v1.RuntimeService/Version" ? 12 : initialized ? 0 : 2;
      res.writeHead(200, { "content-type": "application/grpc" });
      req.resume();
      req.on("end", () => {
        res.addTrailers({ "grpc-status": String(status) });
        if (status === 0) res.end(Buffer.alloc(5));
        else res.end();
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      const version = () => grpcOk(socket, "/runtime.v1.RuntimeService/Version");
      assert.equal(await version(), false);
      initialized = true;
      assert.equal(await version(), true);
      assert.equal(await grpcOk(socket, "/runtime.v1.RuntimeService/NoSuch"), false);
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.equal(await grpcOk(socket, "/runtime.v1.RuntimeService/Version"), false);
  });
});

describe("local environment: down stops what its components left running", () => {
  /** A child process that exits on SIGTERM, or (stubborn) ignores it. */
  async function child(stubborn: boolean): Promise<ChildProcess> {
    const code = stubborn
      ? "process.on('SIGTERM', () => undefined); console.log('up'); setInterval(() => undefined, 1000)"
      : "console.log('up'); setInterval(() => undefined, 1000)";
    const c = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "ignore"] });
    await once(c.stdout!, "data"); // its handler is installed
    return c;
  }

  it("sends SIGTERM, then SIGKILL to what is still running after the grace time", async () => {
    const log = join(STATE, "logs", "down-unit.log");
    mkdirSync(dirname(log), { recursive: true });
    const polite = await child(false);
    const stubborn = await child(true);
    /** The signal that ended a child. */
    const signalOf = async (c: ChildProcess) => ((await once(c, "exit")) as [unknown, string])[1];
    const exits = Promise.all([signalOf(polite), signalOf(stubborn)]);
    await stopProcesses([polite.pid!, stubborn.pid!], log, 500);
    const [politeSignal, stubbornSignal] = await exits;
    assert.equal(politeSignal, "SIGTERM");
    assert.equal(stubbornSignal, "SIGKILL");
    assert.deepEqual(readFileSync(log, "utf8").trim().split("\n"), [
      `# SIGTERM ${polite.pid}`,
      `# SIGTERM ${stubborn.pid}`,
      `# SIGKILL ${stubborn.pid}`,
    ]);
  });
});

describe("local environment: the registry's htpasswd", () => {
  it("is rewritten when a hash is not at the cost the registry uses", async () => {
    const at = (cost: string) => `travel-ci:$2y$${cost}$${"x".repeat(53)}`;
    assert.equal(hashedAtCost(`${at("04")}\n${at("04")}\n`), true);
    assert.equal(hashedAtCost(`${at("04")}\n${at("10")}\n`), false);
    assert.equal(hashedAtCost(at("10")), false);
    assert.equal(hashedAtCost("travel-ci:{SHA}abc\n"), false);
    assert.equal(hashedAtCost(""), false);
  });
});
