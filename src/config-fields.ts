/**
 * The building blocks of the config schema: formats (RFC 1123 labels, hostnames,
 * quantities, digests...) as zod fields whose messages are the "expected" half of an
 * error line.
 */
import { z } from "zod";
import { CPU_QUANTITY, MEMORY_QUANTITY } from "./quantity";

export const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
export const GIT_SHA = /^[0-9a-f]{40}$/;
export const REGISTRY_SERVER = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/;
export const PATH_COMPONENT = /^[a-z0-9]+([._-][a-z0-9]+)*$/;
export const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const DIGEST_REF =
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)+@sha256:[0-9a-f]{64}$/;
export const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Stands in for a value that must not be echoed (it may be a pasted secret). */
export const HIDDEN = Symbol("hidden");

export const DEFAULT_APP_SECRET_KEYS = ["OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY"];

export const text = (expected: string) => z.string({ error: expected }).min(1, { error: expected });
export const pattern = (re: RegExp, expected: string, maxLength = 253) =>
  z.string({ error: expected }).max(maxLength, { error: expected }).regex(re, { error: expected });
export const intIn = (lo: number, hi: number) => {
  const expected = `an integer from ${lo} to ${hi}`;
  return z.int({ error: expected }).min(lo, { error: expected }).max(hi, { error: expected });
};
export const bool = () => z.boolean({ error: "true or false" });

export const label = pattern(
  RFC1123_LABEL,
  "an RFC 1123 label (lowercase a-z, 0-9, '-'; max 63)",
  63,
);
export const envName = pattern(ENV_NAME, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
export const httpPath = pattern(HTTP_PATH, "an absolute HTTP path starting with '/'", 1024);
export const port = intIn(1, 65535);
export const cpu = pattern(CPU_QUANTITY, 'a CPU quantity such as "250m" or "1"');
export const memory = pattern(MEMORY_QUANTITY, 'a memory quantity such as "256Mi" or "1Gi"');
export const gitSha = pattern(GIT_SHA, "a full 40-character lowercase git commit SHA");
export const digestRef = pattern(
  DIGEST_REF,
  "a digest-pinned image reference 'registry/name@sha256:<64 hex>'",
  512,
);
