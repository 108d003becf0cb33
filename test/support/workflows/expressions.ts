/**
 * GitHub Actions' expression language, as far as the workflows use it, for the workflow
 * runner (harness.ts): contexts and property access (missing is null),
 * literals, `!`, `==`/`!=` with GitHub's loose equality (strings ignore case, other
 * types compare as numbers), `&&`/`||` returning an operand, format(), contains(),
 * startsWith() and the status functions. Tested by test/unit/workflows/expressions.test.ts.
 */

type Value = unknown;
export type Contexts = Record<string, Value>;

const TOKEN =
  /\s*(?:('(?:[^']|'')*')|(-?\d+(?:\.\d+)?)|(==|!=|&&|\|\||<=|>=|[!<>()[\].,])|([A-Za-z_][A-Za-z0-9_-]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`cannot read expression at "${src.slice(TOKEN.lastIndex)}"`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return out;
}

const toNumber = (v: Value): number => {
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return v.trim() === "" ? 0 : Number(v);
  return NaN;
};
/** GitHub's loose equality. */
export function looseEquals(a: Value, b: Value): boolean {
  const na = a ?? null;
  const nb = b ?? null;
  if (typeof na === "string" && typeof nb === "string")
    return na.toLowerCase() === nb.toLowerCase();
  if (typeof na === typeof nb && typeof na !== "object") return na === nb;
  if (na === null && nb === null) return true;
  return toNumber(na) === toNumber(nb);
}
const truthy = (v: Value) =>
  !(v === false || v === 0 || v === "" || v === null || v === undefined || Number.isNaN(v));
/** How GitHub turns a value into the text of an interpolation. */
export const asText = (v: Value): string =>
  v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);

const FUNCTIONS: Record<string, (...a: Value[]) => Value> = {
  format: (f, ...args) =>
    String(f).replace(/\{(\d+)\}/g, (_, i: string) => asText(args[Number(i)])),
  contains: (s, x) => asText(s).toLowerCase().includes(asText(x).toLowerCase()),
  startsWith: (s, x) => asText(s).toLowerCase().startsWith(asText(x).toLowerCase()),
};

/** A property, looked up as GitHub does: ignoring case. */
function property(v: Value, key: string): Value {
  if (v === null || typeof v !== "object") return undefined;
  const found = Object.keys(v).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : (v as Record<string, Value>)[found];
}

/** Evaluates one expression (without the `${{ }}`) against the contexts. */
export function evaluate(src: string, ctx: Contexts, status = { failed: false }): Value {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const take = (want?: string) => {
    const tok = t[i++];
    if (want !== undefined && tok !== want) throw new Error(`expected ${want} in "${src}"`);
    return tok;
  };
  const primary = (): Value => {
    const tok = take()!;
    if (tok === "(") {
      const v = or();
      take(")");
      return v;
    }
    if (tok === "!") return !truthy(primary());
    if (tok.startsWith("'")) return tok.slice(1, -1).replace(/''/g, "'");
    if (/^-?\d/.test(tok)) return Number(tok);
    if (tok === "true" || tok === "false") return tok === "true";
    if (tok === "null") return null;
    if (peek() === "(") {
      take("(");
      const args: Value[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") take(",");
      }
      take(")");
      if (tok === "success") return !status.failed;
      if (tok === "failure") return status.failed;
      if (tok === "always") return true;
      const f = FUNCTIONS[tok];
      if (!f) throw new Error(`unknown function ${tok}`);
      return f(...args);
    }
    let v: Value = property(ctx, tok);
    for (;;) {
      if (peek() === ".") {
        take(".");
        v = property(v, take()!);
      } else if (peek() === "[") {
        take("[");
        const key = asText(or());
        take("]");
        v = property(v, key);
      } else return v ?? null;
    }
  };
  /** A left-associative run of `operand`s joined by one of `ops`, folded by `apply`. */
  const chain =
    (operand: () => Value, ops: string[], apply: (op: string, l: Value, r: Value) => Value) =>
    (): Value => {
      let v = operand();
      while (ops.includes(peek() ?? "")) {
        const op = take()!;
        v = apply(op, v, operand());
      }
      return v;
    };
  const compare = chain(primary, ["==", "!="], (op, l, r) =>
    op === "==" ? looseEquals(l, r) : !looseEquals(l, r),
  );
  const and = chain(compare, ["&&"], (_, l, r) => (truthy(l) ? r : l));
  const or = chain(and, ["||"], (_, l, r) => (truthy(l) ? l : r));
  const v = or();
  if (i !== t.length) throw new Error(`unexpected "${t[i]}" in "${src}"`);
  return v;
}

/** Replaces every `${{ expr }}` in a string. */
export function interpolate(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => asText(evaluate(e, ctx)));
}

/** Whether a step or job with this `if:` runs (GitHub adds success() unless a status function is used). */
export function condition(expr: string | undefined, ctx: Contexts, failed = false): boolean {
  if (expr === undefined) return !failed;
  const src = expr.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, "$1");
  const statusFn = /\b(success|failure|always|cancelled)\(\)/.test(src);
  return truthy(evaluate(statusFn ? src : `success() && (${src})`, ctx, { failed }));
}
