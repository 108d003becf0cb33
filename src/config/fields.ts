/**
 * The building blocks of the config schema: formats (RFC 1123 labels, hostnames,
 * quantities, digests...) as zod fields whose messages are the "expected" half of an
 * error line.
 */
import { z } from "zod";
import { QUANTITY } from "./quantity";
import { FORMAT } from "../names";

export const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Gateway API's Hostname: lowercase DNS labels of at most 63 characters, a leading "*." allowed. */
export const HOSTNAME =
  /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
/** Gateway API refuses IP addresses as hostnames. */
export const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A Kubernetes label or annotation key: an optional DNS-subdomain prefix and "/", then a
 * name of at most 63.
 */
export const QUALIFIED_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** An absolute path, with an optional query string (probes send both). */
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$/;
export const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
/** Namespaces an app may not take: `default` and every `kube-*`. */
export const isReservedNamespace = (n: string) => n === "default" || n.startsWith("kube-");

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
/** One of a closed set (from names.ts), e.g. '"ambient" or "none"'. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: values
      .map((v) => `"${v}"`)
      .join(values.length > 2 ? ", " : " or ")
      .replace(/, ([^,]*)$/, " or $1"),
  });

export const label = pattern(
  RFC1123_LABEL,
  "an RFC 1123 label (lowercase a-z, 0-9, '-'; max 63)",
  63,
);
export const envName = pattern(ENV_NAME, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
export const annotationKey = pattern(
  QUALIFIED_KEY,
  "an annotation key ([prefix/]name, e.g. eks.amazonaws.com/role-arn)",
  317,
);
export const httpPath = pattern(HTTP_PATH, "an absolute HTTP path starting with '/'", 1024);
export const port = intIn(1, 65535);
/** A quantity, from a string or (YAML) a number. */
const quantity = (expected: string) =>
  z.preprocess(
    (v) => (typeof v === "number" && v >= 0 ? String(v) : v),
    pattern(QUANTITY, expected, 64),
  );
export const cpu = quantity('a CPU quantity such as "250m", "0.5" or 2');
export const memory = quantity('a memory quantity such as "256Mi", "1Gi" or "512M"');
export const storage = quantity('a storage quantity such as "256Mi", "1Gi" or "512M"');
export const gitSha = pattern(FORMAT.gitSha, "a full 40-character lowercase git commit SHA");
/** `registry/name@sha256:…`, optionally with the tag it was pushed under (`name:tag@sha256:…`). */
export const digestRef = (() => {
  const expected = "a digest-pinned image reference 'registry/name[:tag]@sha256:<64 hex>'";
  return pattern(FORMAT.imageRef, expected, 512).refine(
    (ref) => FORMAT.imageRef.exec(ref)?.groups?.digest !== undefined,
    { error: expected },
  );
})();
