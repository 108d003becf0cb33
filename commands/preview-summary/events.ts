/**
 * Reads the engine's event stream of a preview, what
 * `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --json` prints: one JSON
 * engine event (apitype.EngineEvent) per line. Unlike `pulumi preview --json` without
 * the variable (one digest document), the stream carries the policy packs' events.
 */
import type { PolicyViolation, Preview, PreviewStep, ResourceState } from "./preview";

/** apitype.StepEventStateMetadata, the fields used here. */
interface StateMetadata {
  urn: string;
  type: string;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
}

/** apitype.StepEventMetadata, the fields used here. */
interface StepMetadata {
  op: string;
  urn: string;
  old?: StateMetadata | null;
  new?: StateMetadata | null;
  keys?: string[];
  detailedDiff?: Record<string, { diffKind: string; inputDiff?: boolean }> | null;
}

/** apitype.EngineEvent: exactly one payload is set. */
interface EngineEvent {
  resourcePreEvent?: { metadata: StepMetadata };
  diagnosticEvent?: {
    urn?: string;
    prefix?: string;
    message: string;
    severity: string;
    ephemeral?: boolean;
  };
  stdoutEvent?: { message: string };
  policyEvent?: {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: string;
  };
  policyAnalyzeSummaryEvent?: { policyPackName: string; policyPackVersion: string };
  policyAnalyzeStackSummaryEvent?: { policyPackName: string; policyPackVersion: string };
  summaryEvent?: { resourceChanges?: Record<string, number> | null };
}

/** Pulumi's colour directives (`<{%reset%}>`, `<{%fg 1%}>`), which a stream may carry. */
const COLOUR = /<\{%[^%]*%\}>/g;

/** `text` without Pulumi's colour directives. */
export function uncolour(text: string): string {
  return text.replace(COLOUR, "");
}

function state(s: StateMetadata | null | undefined): ResourceState | undefined {
  if (s === null || s === undefined) return undefined;
  return {
    urn: s.urn,
    type: s.type,
    ...(s.inputs ? { inputs: s.inputs } : {}),
    ...(s.outputs ? { outputs: s.outputs } : {}),
  };
}

function step(m: StepMetadata): PreviewStep {
  const old = state(m.old);
  const neu = state(m.new);
  const diff = m.detailedDiff;
  return {
    op: m.op,
    urn: m.urn,
    ...(old ? { oldState: old } : {}),
    ...(neu ? { newState: neu } : {}),
    replaceReasons: m.keys ?? [],
    detailedDiff: diff
      ? Object.fromEntries(
          Object.entries(diff).map(([path, d]) => [
            path,
            { kind: d.diffKind, ...(d.inputDiff !== undefined ? { inputDiff: d.inputDiff } : {}) },
          ]),
        )
      : null,
  };
}

/** One line of the stream as an event; throws naming the line when it is not one. */
function eventOf(line: string, n: number): EngineEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`line ${n} is not JSON: expected one engine event per line`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`line ${n} is not an engine event: expected a JSON object`);
  }
  const pre = (value as EngineEvent).resourcePreEvent?.metadata;
  if (pre !== undefined && (typeof pre.op !== "string" || typeof pre.urn !== "string")) {
    throw new Error(`line ${n}: resourcePreEvent.metadata lacks op or urn`);
  }
  return value as EngineEvent;
}

/**
 * The preview of an event stream; blank text (a preview that failed before printing any
 * event) is undefined. Debug and ephemeral diagnostics are left out, as Pulumi's own
 * JSON digest does.
 */
export function parseEvents(text: string): Preview | undefined {
  if (text.trim() === "") return undefined;
  const preview: Preview = { steps: [], diagnostics: [], violations: [], policyPacks: [] };
  const pack = (name: string, version: string) => {
    const id = `${name}@${version}`;
    if (!preview.policyPacks.includes(id)) preview.policyPacks.push(id);
  };
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const e = eventOf(line, i + 1);
    if (e.resourcePreEvent) preview.steps.push(step(e.resourcePreEvent.metadata));
    const d = e.diagnosticEvent;
    if (d && !d.ephemeral && d.severity !== "debug") {
      preview.diagnostics.push({
        ...(d.urn ? { urn: d.urn } : {}),
        message: uncolour(`${d.prefix ?? ""}${d.message}`),
        severity: d.severity,
      });
    }
    if (e.stdoutEvent) {
      preview.diagnostics.push({ message: uncolour(e.stdoutEvent.message), severity: "info" });
    }
    const p = e.policyEvent;
    if (p) {
      pack(p.policyPackName, p.policyPackVersion);
      const violation: PolicyViolation = {
        policy: p.policyName,
        pack: `${p.policyPackName}@${p.policyPackVersion}`,
        level: p.enforcementLevel,
        ...(p.resourceUrn ? { urn: p.resourceUrn } : {}),
        message: uncolour(p.message).trim(),
      };
      preview.violations.push(violation);
    }
    for (const s of [e.policyAnalyzeSummaryEvent, e.policyAnalyzeStackSummaryEvent]) {
      if (s) pack(s.policyPackName, s.policyPackVersion);
    }
    if (e.summaryEvent?.resourceChanges) preview.changeSummary = e.summaryEvent.resourceChanges;
  }
  return preview;
}
