/** Shared pieces of the preview summary's tests (test/unit/commands/preview-summary/*.test.ts). */
import type { Preview } from "../../commands/preview-summary/preview";

/** A preview with nothing but what `p` gives. */
export const previewOf = (p: Partial<Preview>): Preview => ({
  steps: [],
  diagnostics: [],
  violations: [],
  policyPacks: [],
  ...p,
});

/** The head of the summary's Deployments table. */
export const TABLE_HEAD =
  "| Deployment | op | image | pods roll | replicas | resources (request/limit) |\n" +
  "|---|---|---|---|---|---|\n";
