import { createHash } from "node:crypto";

/**
 * A SHA-256 over a map's keys and values in key order: changes whenever any
 * entry changes, so a pod template annotation with it rolls the pods.
 */
export function mapChecksum(data: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return createHash("sha256").update(canonical).digest("hex");
}
