/**
 * Kubernetes resource quantities, parsed only as far as this program needs:
 * validating CPU and memory values and comparing requests with limits.
 */

/** CPU: whole or decimal cores ("1", "0.5") or millicores ("500m"). */
export const CPU_QUANTITY = /^(\d+m|\d+(\.\d{1,3})?)$/;

/** Memory: bytes with an optional binary (Ki..Ei) or decimal (k..E) suffix. */
export const MEMORY_QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const MEMORY_FACTORS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Millicores of a CPU quantity; throws on a value that is not a CPU quantity. */
export function cpuMillis(quantity: string): number {
  if (!CPU_QUANTITY.test(quantity)) {
    throw new Error(`"${quantity}" is not a CPU quantity`);
  }
  return quantity.endsWith("m")
    ? Number(quantity.slice(0, -1))
    : Math.round(Number(quantity) * 1000);
}

/** Bytes of a memory quantity; throws on a value that is not a memory quantity. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity);
  const factor = match ? MEMORY_FACTORS[match[2] ?? ""] : undefined;
  if (!match || factor === undefined || !MEMORY_QUANTITY.test(quantity)) {
    throw new Error(`"${quantity}" is not a memory quantity`);
  }
  return Number(match[1]) * factor;
}
