/** The summary's section on the policy packs of a preview: which ran and what they refused. */
import { parseUrn, type PolicyViolation, type Preview } from "./preview";

/** Enforcement levels in the order a reviewer needs them (unknown levels last). */
const LEVELS = ["mandatory", "advisory"];

const code = (s: string) => `\`${s}\``;

/** A message in one table cell: pipes escaped, lines joined with <br>. */
export function cell(text: string): string {
  return text.trim().replace(/\|/g, "\\|").split("\n").join("<br>");
}

/** Violations, mandatory first, each level in the order the engine reported them. */
export function byLevel(violations: readonly PolicyViolation[]): PolicyViolation[] {
  const rank = (v: PolicyViolation) => {
    const i = LEVELS.indexOf(v.level);
    return i < 0 ? LEVELS.length : i;
  };
  return violations
    .map((v, i) => ({ v, i }))
    .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
    .map(({ v }) => v);
}

/** The markdown lines of the "Policy violations" section (ending with a blank line). */
export function policySection(preview: Pick<Preview, "violations" | "policyPacks">): string[] {
  const lines = ["### Policy violations", ""];
  const packs = preview.policyPacks.map(code).join(", ");
  if (preview.policyPacks.length === 0) {
    lines.push("No policy pack ran in this preview (run it with `--policy-pack policy`).", "");
    return lines;
  }
  if (preview.violations.length === 0) {
    lines.push(`None: ${packs} reported nothing.`, "");
    return lines;
  }
  const mandatory = preview.violations.filter((v) => v.level === "mandatory").length;
  lines.push(
    mandatory > 0
      ? `**${mandatory} mandatory** (the preview fails and \`pulumi up\` is refused), ` +
          `${preview.violations.length - mandatory} advisory, from ${packs}:`
      : `${preview.violations.length} advisory (reported, not enforced), from ${packs}:`,
    "",
    "| level | policy | resource | type | message |",
    "|---|---|---|---|---|",
  );
  for (const v of byLevel(preview.violations)) {
    const { name, type } = parseUrn(v.urn ?? "");
    const level = v.level === "mandatory" ? `**${v.level}**` : v.level;
    const resource = v.urn === undefined ? "(the stack)" : code(name);
    const kind = v.urn === undefined ? "" : code(type);
    lines.push(`| ${level} | ${code(v.policy)} | ${resource} | ${kind} | ${cell(v.message)} |`);
  }
  lines.push("");
  return lines;
}
