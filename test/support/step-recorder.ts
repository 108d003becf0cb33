/** A workflow step's channels (commands/bootstrap/ci/annotate.ts) that keep what a step said. */
import type { Step } from "../../commands/bootstrap/ci/annotate";

export function recorder() {
  const lines: string[] = [];
  const summaries: string[] = [];
  const step: Step = {
    error: (m) => lines.push(`error: ${m}`),
    notice: (m) => lines.push(`notice: ${m}`),
    info: (l) => lines.push(l),
    setEnv: () => undefined,
    setOutput: () => undefined,
    summary: (md) => summaries.push(md),
    writeTemp: () => undefined,
  };
  return { step, lines, summaries };
}
