/**
 * Kubernetes resource quantities, in every form the API server accepts
 * (k8s.io/apimachinery resource.Quantity): a decimal number with an optional binary
 * suffix (Ki..Ei), decimal suffix (m, k, M, G, T, P, E) or exponent (e3, E-2), as a
 * string or, from a YAML stack file, a number (`cpu: 2`, `cpu: 0.5`). Resources are
 * never negative.
 */

/** A non-negative quantity as the API server parses it. */
export const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const FACTORS: Record<string, number> = {
  "": 1,
  m: 1e-3,
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

/** The quantity's value in base units; throws on something that is not a quantity. */
export function quantityValue(quantity: string): number {
  const m = QUANTITY.exec(quantity);
  if (!m) throw new Error(`"${quantity}" is not a Kubernetes quantity`);
  const suffix = m[3] ?? "";
  const factor = /^[eE][+-]?\d+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : FACTORS[suffix]!;
  return Number(m[1]) * factor;
}

/** Millicores of a CPU quantity. */
export const cpuMillis = (quantity: string) => Math.round(quantityValue(quantity) * 1000);

/** Bytes of a memory quantity. */
export const memoryBytes = (quantity: string) => quantityValue(quantity);

/** The most CPU a container may ask for: more than any node has. */
export const MAX_CPU_CORES = 256;
/** The least memory a container may ask for: no container starts in less. */
export const MIN_MEMORY = "4Mi";
/**
 * The least ephemeral storage a container may ask for: the kubelet keeps up to 5 log files
 * of 10Mi per container, and they count against it.
 */
export const MIN_EPHEMERAL_STORAGE = "16Mi";

/** The quantity written with `suffix` instead of its own (the likely slip). */
const resuffixed = (quantity: string, suffix: string) =>
  quantity.replace(/(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/, suffix);

/**
 * Why a CPU quantity means nothing a scheduler could act on, with the likely slip
 * ("500M" for "500m"), or undefined when it is plausible.
 */
export function cpuProblem(quantity: string): string | undefined {
  const millis = quantityValue(quantity) * 1000;
  if (millis < 1) return "at least 1m (a container with no CPU share is starved first)";
  if (millis > MAX_CPU_CORES * 1000) {
    const cores = quantityValue(quantity).toLocaleString("en-US");
    const slip = quantity.endsWith("M")
      ? `; "${quantity}" is ${cores} cores: did you mean "${resuffixed(quantity, "m")}" (millicores)?`
      : "";
    return `at most ${MAX_CPU_CORES} cores (no node has more)${slip}`;
  }
  return undefined;
}

/**
 * Why a memory quantity means nothing a container could run in, with the likely slip
 * ("256m", milli-bytes, for "256Mi"), or undefined when it is plausible.
 */
export const memoryProblem = (quantity: string) =>
  bytesProblem(quantity, MIN_MEMORY, "no container starts in less");

/**
 * Why an ephemeral-storage quantity is too small for a container's own logs, with the
 * likely slip, or undefined when it is plausible.
 */
export const storageProblem = (quantity: string) =>
  bytesProblem(quantity, MIN_EPHEMERAL_STORAGE, "the container's logs count against it");

function bytesProblem(quantity: string, min: string, why: string): string | undefined {
  const bytes = quantityValue(quantity);
  if (bytes >= memoryBytes(min)) return undefined;
  const unit =
    bytes === 0
      ? undefined
      : quantity.endsWith("m")
        ? "milli-bytes"
        : /\d$/.test(quantity)
          ? "bytes"
          : undefined;
  const slip =
    unit !== undefined
      ? `; "${quantity}" is ${quantity.replace(/m$/, "")} ${unit}: did you mean "${resuffixed(quantity.replace(/m$/, ""), "Mi")}"?`
      : "";
  return `at least ${min} (${why})${slip}`;
}
