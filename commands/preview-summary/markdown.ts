/**
 * The markdown summary of a preview: its errors, the policy packs' violations,
 * replacements and deletions, then Deployments, then totals.
 */
import { policySection } from "./policy";
import { changeSummaryLine, parseUrn, type Preview, resourceChanges } from "./preview";
import { workloadChanges } from "./workloads";

/** "a → b", or "a" when nothing changes; a missing side is left out. */
export function fromTo(from: string | undefined, to: string | undefined): string {
  if (from === undefined || from === to) return to ?? from ?? "";
  return to === undefined ? from : `${from} → ${to}`;
}

const code = (s: string) => `\`${s}\``;

/**
 * Renders the summary of `preview` (undefined: the preview printed no event);
 * `stack` defaults to the stack named in the steps' URNs.
 */
export function renderSummary(preview: Preview | undefined, stack?: string): string {
  const stackName = stack ?? parseUrn(preview?.steps[0]?.urn ?? "").stack;
  const lines = [`## Preview of ${code(stackName === "" ? "unknown stack" : stackName)}`, ""];
  if (preview === undefined) {
    lines.push("The preview printed no events: it failed before planning (see its log).");
    return `${lines.join("\n")}\n`;
  }
  const errors = preview.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    lines.push("### Errors", "", "```text", ...errors.map((e) => e.message.trimEnd()), "```", "");
  }
  lines.push(...policySection(preview));
  const changes = resourceChanges(preview);

  const destructive = changes.filter((c) => c.op === "replace" || c.op === "delete");
  lines.push("### Replaced or deleted", "");
  if (destructive.length === 0) {
    lines.push("Nothing is replaced or deleted.");
  } else {
    lines.push("| op | resource | type | because of |", "|---|---|---|---|");
    for (const c of destructive) {
      const why =
        c.op === "delete" ? "removed from the program" : c.replaceReasons.map(code).join(", ");
      lines.push(`| **${c.op}** | ${code(c.name)} | ${code(c.type)} | ${why} |`);
    }
  }
  lines.push("");

  const workloads = workloadChanges(changes);
  lines.push("### Deployments", "");
  if (workloads.length === 0) {
    lines.push("No Deployment changes.");
  } else {
    lines.push(
      "| Deployment | op | image | pods roll | replicas | resources (request/limit) |",
      "|---|---|---|---|---|---|",
    );
    for (const w of workloads) {
      const cells = [
        code(w.name),
        w.op,
        fromTo(w.image.from, w.image.to),
        w.roll,
        fromTo(w.replicas.from, w.replicas.to),
        fromTo(w.resources.from, w.resources.to),
      ];
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  lines.push("", `**Changes:** ${changeSummaryLine(preview)}`);
  return `${lines.join("\n")}\n`;
}
