/**
 * Timing for `npm run bench`: each pair of commands runs interleaved (A B A B …) after a
 * warm-up, so drift on the machine hits both alike; medians and their ratio are reported.
 */
import { spawnSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";

export interface Step {
  readonly label: string;
  /** Runs once per sample; its time is measured. */
  readonly run: () => Promise<void> | void;
  /** Untimed work before each sample (e.g. making the change the sample deploys). */
  readonly before?: (i: number) => Promise<void> | void;
}

export interface Row {
  readonly name: string;
  readonly a: string;
  readonly aSeconds: number;
  readonly b?: string;
  readonly bSeconds?: number;
  /** What the case is held to, and whether it is met. */
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function time(step: Step, i: number): Promise<number> {
  await step.before?.(i);
  const t0 = process.hrtime.bigint();
  await step.run();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Medians of `runs` interleaved samples of a (and b), after one warm-up of each. */
export async function pair(
  a: Step,
  b: Step | undefined,
  runs: number,
  say: (m: string) => void,
): Promise<[number, number?]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const ta = await time(a, i);
    const tb = b ? await time(b, i) : undefined;
    if (i === 0) continue; // warm-up
    as.push(ta);
    if (tb !== undefined) bs.push(tb);
    say(
      `  ${a.label}: ${ta.toFixed(2)}s${tb === undefined ? "" : `, ${b!.label}: ${tb.toFixed(2)}s`}`,
    );
  }
  return b ? [median(as), median(bs)] : [median(as)];
}

/** The machine the figures were measured on. */
export function machine(versions: Record<string, string>): string[] {
  const cpu = cpus();
  const kernel = spawnSync("uname", ["-sr"], { encoding: "utf8" }).stdout.trim();
  return [
    `- ${cpu.length} cores (${cpu[0]?.model ?? "unknown CPU"}), ${Math.round(totalmem() / 2 ** 30)} GiB memory (${Math.round(freemem() / 2 ** 30)} GiB free), ${kernel}`,
    `- load average at the start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
    ...Object.entries(versions).map(([k, v]) => `- ${k}: ${v}`),
  ];
}

/** The results table. */
export function table(rows: readonly Row[]): string[] {
  const f = (s?: number) => (s === undefined ? "—" : `${s.toFixed(2)} s`);
  return [
    "| case | this program | median | against | median | ratio | target | met |",
    "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ...rows.map((r) => {
      const ratio = r.bSeconds ? `${(r.aSeconds / r.bSeconds).toFixed(2)}×` : "—";
      const met = r.met === undefined ? "—" : r.met ? "yes" : "**no**";
      return `| ${r.name} | ${r.a} | ${f(r.aSeconds)} | ${r.b ?? "—"} | ${f(r.bSeconds)} | ${ratio} | ${r.target ?? "—"} | ${met} |`;
    }),
  ];
}
