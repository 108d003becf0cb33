/**
 * What `down` must leave behind: nothing. After the components are stopped and torn
 * down, this stops the processes they left, unmounts whatever is still mounted under the
 * state folder and lists anything of the environment still on the host: processes,
 * mounts, network namespaces, the bridge, iptables rules, ipsets.
 */
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { succeeds } from "./checks";
import { NODE, STATE } from "./layout";
import { run } from "./sys";

function mountsUnder(root: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((m) => m.startsWith(`${root}/`))
    .sort()
    .reverse();
}

/** Unmounts every mount point below the state folder, deepest first. */
export function unmountAll(log: string): void {
  for (const m of mountsUnder(STATE)) run(["umount", "-l", m], { log, allowFail: true });
}

/** This process and its ancestors (the wrapper that holds the lock names the state folder). */
function ancestors(): Set<string> {
  const out = new Set<string>();
  for (let pid = String(process.pid); pid !== "0" && !out.has(pid);) {
    out.add(pid);
    pid = /^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1] ?? "0";
  }
  return out;
}

/** Processes of the environment: a command line naming the state folder, or a pod's cgroup. */
function processes(): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  const mine = ancestors();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (mine.has(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, "utf8");
      if (cmd.includes(`${STATE}/`) || /kubepods/.test(cgroup))
        found.push({ pid: Number(pid), cmd: cmd.slice(0, 100) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops `pids`: SIGTERM, then SIGKILL to those still running after `graceMs`. Each
 * signal is written to `log`.
 */
export async function stopProcesses(
  pids: readonly number[],
  log: string,
  graceMs = 10_000,
): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    appendFileSync(log, `# ${sig} ${pid}\n`);
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  pids.forEach((pid) => signal(pid, "SIGTERM"));
  const until = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  pids.filter(alive).forEach((pid) => signal(pid, "SIGKILL"));
  const killed = Date.now() + 2000;
  while (pids.some(alive) && Date.now() < killed) await new Promise((r) => setTimeout(r, 100));
}

/**
 * Stops the environment's processes that its components' own teardown left running
 * (their supervisor unreachable, say, because its state folder was deleted under it).
 */
export async function stopLeftoverProcesses(log: string): Promise<void> {
  const left = processes();
  if (left.length > 0) {
    appendFileSync(log, `# still running after the components stopped:\n`);
    for (const p of left) appendFileSync(log, `#   ${p.pid} ${p.cmd}\n`);
    await stopProcesses(
      left.map((p) => p.pid),
      log,
    );
  }
}

/** Every trace of the environment still on the host, one line each (empty: clean). */
export function leftovers(log: string): string[] {
  const out: string[] = [];
  for (const p of processes()) out.push(`process ${p.pid} ${p.cmd}`);
  for (const m of mountsUnder(STATE)) out.push(`mount ${m}`);
  for (const ns of run(["ip", "netns", "list"], { log, allowFail: true })
    .stdout.split("\n")
    .filter(Boolean)) {
    if (ns.startsWith("cni-")) out.push(`network namespace ${ns}`);
  }
  if (succeeds(["ip", "link", "show", "dev", NODE.bridge])) out.push(`bridge ${NODE.bridge}`);
  for (const table of ["filter", "nat", "mangle", "raw"]) {
    const rules = run(["iptables-save", "-t", table], { log, allowFail: true }).stdout.split("\n");
    for (const r of rules) {
      if (/KUBE-|kube-router|TRAVEL-LOCAL/.test(r) && !r.startsWith("#"))
        out.push(`iptables ${table}: ${r}`);
    }
  }
  for (const set of run(["ipset", "list", "-n"], { log, allowFail: true })
    .stdout.split("\n")
    .filter(Boolean)) {
    if (/KUBE-|kube-router/.test(set)) out.push(`ipset ${set}`);
  }
  return out;
}
