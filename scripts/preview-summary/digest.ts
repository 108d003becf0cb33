/**
 * The document `pulumi preview --json` prints (the engine's PreviewDigest):
 * its steps grouped into one change per resource.
 */

export { UNKNOWN } from "../../src/names";

/** A resource's serialized state (apitype.ResourceV3), the fields used here. */
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
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

/** A message of the preview (program output, warnings, errors). */
export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity: string;
}

/** The preview document. */
export interface PreviewDigest {
  steps?: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
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

/**
 * Parses and shape-checks a preview document; throws with the reason when it
 * is not one. Blank text (a preview that failed before printing) is undefined.
 */
export function parseDigest(text: string): PreviewDigest | undefined {
  if (text.trim() === "") return undefined;
  const doc: unknown = JSON.parse(text);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error("not a `pulumi preview --json` document: expected a JSON object");
  }
  const steps = (doc as PreviewDigest).steps;
  if (steps !== undefined && !Array.isArray(steps)) {
    throw new Error("not a `pulumi preview --json` document: `steps` is not a list");
  }
  for (const [i, step] of (steps ?? []).entries()) {
    if (typeof step?.op !== "string" || typeof step.urn !== "string") {
      throw new Error(`not a \`pulumi preview --json\` document: steps[${i}] lacks op or urn`);
    }
  }
  return doc as PreviewDigest;
}

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
export function resourceChanges(digest: PreviewDigest): ResourceChange[] {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const step of digest.steps ?? []) {
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
export function changeSummaryLine(digest: PreviewDigest): string {
  const counts: Record<string, number> = { ...(digest.changeSummary ?? {}) };
  if (digest.changeSummary === undefined) {
    for (const change of resourceChanges(digest)) {
      counts[change.op] = (counts[change.op] ?? 0) + 1;
    }
  }
  const parts = SUMMARY_OPS.filter(([op]) => (counts[op] ?? 0) > 0).map(
    ([op, words]) => `${counts[op]} ${words}`,
  );
  return parts.length > 0 ? parts.join(", ") : "no changes";
}
