/**
 * What a failed rollout tells a person: the verdict (why it failed, each new pod that is
 * not ready and its reason), then for each such pod the last lines of the failing
 * container's log, from this run and the one before, and the pod's recent events. And,
 * at the end of `up`, one summary of every workload whose rollout failed. Pure: the
 * awaiter reads the logs. Nothing here reads a pod's spec, so no env value can appear.
 */
import type { EventJson, Verdict } from "./rollout-verdict";

/** A failing pod's container log tails; undefined where there is none to read. */
export interface PodLogs {
  readonly pod: string;
  readonly container?: string;
  readonly current?: readonly string[];
  readonly previous?: readonly string[];
}

/** Events of each pod in a report. */
const EVENTS = 5;

const quoted = (lines: readonly string[]) => lines.map((l) => `      | ${l}`);

function logSection(title: string, lines: readonly string[] | undefined): string[] {
  if (lines === undefined) return [];
  if (lines.length === 0) return [`    ${title}: empty`];
  return [`    ${title} (last ${lines.length} lines):`, ...quoted(lines)];
}

function eventSection(pod: string, events: readonly EventJson[]): string[] {
  const when = (e: EventJson) => e.lastTimestamp ?? e.eventTime ?? "";
  // One event may come from the watch and from a later list: keep its latest count.
  const byKey = new Map<string, EventJson>();
  for (const e of events.filter((x) => x.involvedObject.name === pod)) {
    const key = `${e.reason}|${e.message}`;
    const seen = byKey.get(key);
    if (!seen || when(e) >= when(seen)) byKey.set(key, e);
  }
  const mine = [...byKey.values()].sort((a, b) => when(a).localeCompare(when(b))).slice(-EVENTS);
  if (mine.length === 0) return [];
  return [
    `    events (last ${mine.length}):`,
    ...quoted(
      mine.map(
        (e) =>
          `${when(e)} ${e.type ?? "Normal"} ${e.reason ?? ""}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ""}: ${e.message ?? ""}`,
      ),
    ),
  ];
}

/** The report of one failed rollout. */
export function failureReport(
  verdict: Extract<Verdict, { phase: "failed" }>,
  logs: readonly PodLogs[],
  events: readonly EventJson[],
): string {
  const details = verdict.pods.flatMap((p) => {
    const log = logs.find((l) => l.pod === p.pod);
    const body = [
      ...logSection(
        `log of ${log?.container ?? p.container ?? "its container"}, previous run`,
        log?.previous,
      ),
      ...logSection(
        `log of ${log?.container ?? p.container ?? "its container"}, this run`,
        log?.current,
      ),
      ...eventSection(p.pod, events),
    ];
    return body.length ? [`  Pod ${p.pod}:`, ...body] : [];
  });
  return [verdict.message, ...details].join("\n");
}

/** One summary for every workload whose rollout failed, for the end of `up`. */
/** What a failed rollout's summary says (the deploy command rolls back on it). */
export const ROLLOUT_FAILED = / rollouts failed \(the pods of the previous revision keep serving;/;

export function rolloutSummary(
  failed: readonly { readonly workload: string; readonly report: string }[],
  stopped: readonly { readonly workload: string; readonly summary: string }[],
  total: number,
): string {
  const head =
    `${failed.length} of ${total} rollouts failed (the pods of the previous revision keep ` +
    `serving; fix the cause and run up again):`;
  return [
    head,
    ...failed.map((f) => `- ${f.workload}: ${f.report.split("\n").join("\n  ")}`),
    ...stopped.map(
      (s) => `- ${s.workload}: still rolling out when the update stopped waiting (${s.summary})`,
    ),
  ].join("\n");
}
