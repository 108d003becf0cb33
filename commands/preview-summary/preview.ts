/**
 * A preview as the summary sees it (read from the engine's event stream by ./events.ts):
 * its steps grouped into one change per resource, its diagnostics, its policy violations
 * and the engine's change counts.
 */

export { UNKNOWN } from "../../src/names";

/** A resource's state as a step event shows it (apitype.StepEventStateMetadata), the fields used here. */
export interface ResourceState {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** One step of the preview. */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  /** Keys whose change forces a replacement (the step's `keys`). */
  replaceReasons?: string[];
  /** Property path → kind of change (`update`, `add-replace`, ...). */
  detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

/** A message of the preview (program output, warnings, errors), without colour codes. */
export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity: string;
}

/** One violation a policy pack reported. */
export interface PolicyViolation {
  /** The rule (policy) name, e.g. `images-pinned-by-digest`. */
  policy: string;
  /** `<pack>@<version>`. */
  pack: string;
  /** `mandatory` or `advisory` (what the engine says). */
  level: string;
  /** The resource it concerns; absent for a stack-wide violation without one. */
  urn?: string;
  /** The pack's message, without colour codes. */
  message: string;
}

/** Everything the summary uses of one preview. */
export interface Preview {
  steps: PreviewStep[];
  diagnostics: PreviewDiagnostic[];
  violations: PolicyViolation[];
  /** `<pack>@<version>` of every policy pack that ran (none: no pack ran). */
  policyPacks: string[];
  /** The engine's counts per op, from its summary event (absent when it sent none). */
  changeSummary?: Record<string, number>;
}

/** What happens to one resource. */
export interface ResourceChange {
  op: "create" | "update" | "replace" | "delete" | "same" | string;
  urn: string;
  type: string;
  name: string;
  old?: ResourceState;
  new?: ResourceState;
  /** Property paths that force the replacement (replacements only). */
  replaceReasons: string[];
}

/** Step ops that are parts of one replacement. */
const REPLACEMENT_OPS = [
  "replace",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "discard-replaced",
  "import-replacement",
];

/** The parts of `urn:pulumi:<stack>::<project>::<parent$type>::<name>`. */
export function parseUrn(urn: string): { stack: string; type: string; name: string } {
  const [head = "", , qualifiedType = "", ...name] = urn.split("::");
  return {
    stack: head.split(":")[2] ?? "",
    type: qualifiedType.split("$").pop() ?? "",
    name: name.join("::"),
  };
}

/** One change per resource, in the order the preview first mentions it. */
export function resourceChanges(preview: Pick<Preview, "steps">): ResourceChange[] {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const step of preview.steps) {
    byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  }
  return [...byUrn.entries()].map(([urn, steps]) => {
    const ops = steps.map((s) => s.op);
    const replaced = ops.some((op) => REPLACEMENT_OPS.includes(op));
    const { type, name } = parseUrn(urn);
    const old = steps.find((s) => s.oldState !== undefined)?.oldState;
    const neu = steps.find((s) => s.newState !== undefined)?.newState;
    return {
      op: replaced ? "replace" : (ops[0] ?? "same"),
      urn,
      type,
      name,
      ...(old ? { old } : {}),
      ...(neu ? { new: neu } : {}),
      replaceReasons: replaced ? replaceReasons(steps) : [],
    };
  });
}

/** The paths whose change forces a replacement: from the detailed diff, else the step's keys. */
function replaceReasons(steps: PreviewStep[]): string[] {
  const detailed = steps.flatMap((s) =>
    Object.entries(s.detailedDiff ?? {})
      .filter(([, d]) => d.kind.endsWith("-replace"))
      .map(([path]) => path),
  );
  const keys = steps.flatMap((s) => s.replaceReasons ?? []);
  return [...new Set(detailed.length > 0 ? detailed : keys)].sort();
}

/** The logical ops of `changeSummary`, in the order Pulumi prints them, with their wording. */
const SUMMARY_OPS: [string, string][] = [
  ["create", "to create"],
  ["update", "to update"],
  ["replace", "to replace"],
  ["delete", "to delete"],
  ["read", "to read"],
  ["import", "to import"],
  ["discard", "to discard"],
  ["same", "unchanged"],
];

/** "2 to create, 1 to update, 14 unchanged" from the change summary (or the steps without one). */
export function changeSummaryLine(preview: Pick<Preview, "steps" | "changeSummary">): string {
  const counts: Record<string, number> = { ...(preview.changeSummary ?? {}) };
  if (preview.changeSummary === undefined) {
    for (const change of resourceChanges(preview)) {
      counts[change.op] = (counts[change.op] ?? 0) + 1;
    }
  }
  const parts = SUMMARY_OPS.filter(([op]) => (counts[op] ?? 0) > 0).map(
    ([op, words]) => `${counts[op]} ${words}`,
  );
  return parts.length > 0 ? parts.join(", ") : "no changes";
}
