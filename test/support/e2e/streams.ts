/**
 * Streamed answers under a rollout: server-sent event streams through the Gateway (the
 * frontend's server route relaying the backend's events), a few at a time back to back,
 * beside a record of when each pod of the namespace began terminating; and what a user of
 * the streams must have seen. No tests of its own.
 */
import assert from "node:assert/strict";
import { streamViaGateway, type StreamAnswer } from "./http";
import { watchObjects } from "./watch";

/** Events the backend streams per request, one a second: shorter than drainSeconds (10). */
export const STREAM_EVENTS = 6;
/** Streams open at once (each loop starts its next when one ends), staggered. */
const LOOPS = 3;

type Stream = StreamAnswer & { startedAt: number };

/** The pods a stream went through: the frontend's (its first event) and the backend's. */
const podsOf = (a: StreamAnswer) =>
  new Set(a.events.flatMap((e) => /\(pod ([^)]+)\)/.exec(e.data)?.[1] ?? []));

/**
 * Streams through the Gateway to `host` until stopped, and when each pod of `ns` began
 * terminating (watched: the API server's event for its deletion).
 */
export function streamLoop(host: string, ns: string) {
  const streams: Stream[] = [];
  const terminating = new Map<string, number>();
  let running = true;
  const loops = Array.from({ length: LOOPS }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * 2000));
    while (running) {
      const startedAt = Date.now();
      const a = await streamViaGateway(host, `/api/stream?stream=${STREAM_EVENTS}&interval=1000`);
      streams.push({ ...a, startedAt });
      if (a.status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
  });
  const watch = watchObjects(`/api/v1/namespaces/${ns}/pods`, {}, (_, pod) => {
    const name = pod.metadata.name;
    if (pod.metadata.deletionTimestamp && !terminating.has(name)) terminating.set(name, Date.now());
  });
  return {
    stop: async () => {
      running = false;
      (await watch).stop();
      await Promise.all(loops);
      return { streams, terminating };
    },
  };
}

/**
 * Every stream arrived whole and in pieces (the first backend event seconds after the
 * frontend's, not all at the end), and some stream was open through a pod's termination:
 * it started before a pod it went through began terminating, and still ended whole.
 */
export function assertStreamsFinished({
  streams,
  terminating,
}: {
  streams: Stream[];
  terminating: Map<string, number>;
}) {
  assert.ok(streams.length >= LOOPS * 2, `${streams.length} streams`);
  for (const [i, a] of streams.entries()) {
    const what = `stream ${i + 1} of ${streams.length}: ${JSON.stringify(a).slice(0, 400)}`;
    assert.equal(a.status, 200, what);
    assert.equal(a.broken, undefined, what);
    assert.equal(a.events.length, 1 + STREAM_EVENTS, what);
    assert.match(a.events.at(-1)!.data, new RegExp(` ${STREAM_EVENTS}/${STREAM_EVENTS}$`), what);
    const spread = a.events.at(-1)!.ms - a.events[1]!.ms;
    assert.ok(spread >= (STREAM_EVENTS - 1) * 1000 - 1500, `events arrived as sent: ${what}`);
  }
  assert.ok(terminating.size >= 2, `pods seen terminating: ${[...terminating.keys()].join(", ")}`);
  const through = streams.filter((a) =>
    [...podsOf(a)].some((pod) => {
      const at = terminating.get(pod);
      return at !== undefined && a.startedAt < at && a.startedAt + a.endMs > at;
    }),
  ).length;
  assert.ok(through >= 1, "a stream was open while a pod it went through began terminating");
  process.stdout.write(
    `# streams: ${streams.length}, each of ${1 + STREAM_EVENTS} events, all whole; ${through} open through a pod's termination\n`,
  );
}
