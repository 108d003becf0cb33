/**
 * What a preview does to each Deployment: its image, whether its pods roll
 * and why, its replicas and its containers' resources, before and after.
 */
import { ANNOTATION, LABEL, UNKNOWN } from "../../src/names";
import type { ResourceChange, ResourceState } from "./preview";

/** Pod template annotation that changes with the app secrets (see src/components/workload.ts). */
const SECRET_CHECKSUM = ANNOTATION.secretChecksum;
/** Pod label holding the git SHA the image was built from (its tag). */
const VERSION_LABEL = LABEL.version;

type Obj = Record<string, unknown>;

interface Container {
  name?: string;
  image?: string;
  resources?: { requests?: Obj; limits?: Obj };
}

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[] } & Obj;
}

/** One Deployment's row. */
export interface WorkloadChange {
  name: string;
  op: string;
  image: { from?: string; to?: string };
  /** "no", "new", "removed", "yes: <reasons>" or "maybe: <reason>". */
  roll: string;
  replicas: { from?: string; to?: string };
  resources: { from?: string; to?: string };
}

const spec = (s: ResourceState | undefined): Obj | undefined =>
  (s?.inputs ?? s?.outputs)?.spec as Obj | undefined;
const templateOf = (s: ResourceState | undefined) => spec(s)?.template as Template | undefined;
const containersOf = (t: Template | undefined) => t?.spec?.containers ?? [];

/** "`3f2c1ab@sha256:0123456789ab`" from a digest reference and the version label. */
export function formatImage(image: string | undefined, version: string | undefined): string {
  if (image === undefined) return "none";
  const knownVersion = version !== undefined && version !== UNKNOWN ? version.slice(0, 7) : "";
  if (image === UNKNOWN) {
    return knownVersion === ""
      ? "(known after update)"
      : `\`${knownVersion}\` (digest known after update)`;
  }
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1).slice(0, "sha256:".length + 12) : undefined;
  const lastSegment = name.slice(name.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  const shownTag = tag !== "" ? tag : knownVersion;
  return `\`${[shownTag, digest].filter((p) => p !== undefined && p !== "").join("@")}\``;
}

function images(s: ResourceState | undefined): string | undefined {
  const t = templateOf(s);
  if (t === undefined) return undefined;
  const version = t.metadata?.labels?.[VERSION_LABEL];
  const list = containersOf(t);
  return (
    list
      // The version label is the tag of the app's image, the first container's.
      .map(
        (c, i) =>
          (list.length > 1 ? `${c.name}: ` : "") +
          formatImage(c.image, i === 0 ? version : undefined),
      )
      .join(", ")
  );
}

function resources(s: ResourceState | undefined): string | undefined {
  const list = containersOf(templateOf(s));
  if (list.length === 0) return undefined;
  const pair = (c: Container, r: string) =>
    `${String(c.resources?.requests?.[r] ?? "-")}/${String(c.resources?.limits?.[r] ?? "-")}`;
  return list
    .map(
      (c) =>
        `${list.length > 1 ? `${c.name}: ` : ""}cpu ${pair(c, "cpu")}, memory ${pair(c, "memory")}`,
    )
    .join("; ");
}

/** The replica count; "HPA" when the spec leaves it to an autoscaler (the program omits it then). */
function replicas(s: ResourceState | undefined): string | undefined {
  const sp = spec(s);
  if (sp === undefined) return undefined;
  return sp.replicas === undefined ? "HPA" : String(sp.replicas);
}

/** Absent, null, `[]` and `{}`: what Kubernetes treats alike in a manifest. */
const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === "object" && Object.keys(v).length === 0);

/**
 * Every leaf path where two JSON values differ, e.g. `spec.containers.0.env.1.value`.
 * An empty list or map is no difference from an absent one (a preview may show `env: []`
 * where the state has none).
 */
export function diffPaths(a: unknown, b: unknown, path = ""): string[] {
  if (isEmpty(a) && isEmpty(b)) return [];
  const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object";
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => diffPaths(a[k], b[k], path === "" ? k : `${path}.${k}`));
}

/** A changed template path in reviewer terms: `env`, `backend.env`, `volumes`, `labels`. */
function describePath(path: string, containers: Container[]): string {
  const parts = path.split(".");
  if (parts[0] === "metadata") return parts[1] ?? "metadata";
  if (parts[1] === "containers" && parts[2] !== undefined) {
    const c = containers[Number(parts[2])];
    const field = parts[3] ?? "containers";
    return containers.length > 1 ? `${c?.name ?? parts[2]}.${field}` : field;
  }
  return parts[1] ?? path;
}

/** Whether and why the Deployment's pods are replaced by the change. */
export function rollOf(change: ResourceChange): string {
  if (change.op === "create") return "new";
  if (change.op === "delete") return "removed";
  if (change.op === "replace") return "yes: Deployment replaced";
  const before = templateOf(change.old);
  const after = templateOf(change.new);
  const paths = diffPaths(before, after);
  if (paths.length === 0) return "no";
  const reasons: string[] = [];
  const isImage = (p: string) => /^spec\.containers\.\d+\.image$/.test(p);
  const imageChanged = paths.some(isImage);
  const unknownImage = containersOf(after).some((c) => c.image === UNKNOWN);
  if (imageChanged && !unknownImage) reasons.push("image");
  if (paths.includes(`metadata.annotations.${SECRET_CHECKSUM}`)) reasons.push("secret checksum");
  const other = paths.filter(
    (p) =>
      !isImage(p) &&
      p !== `metadata.annotations.${SECRET_CHECKSUM}` &&
      // The version label follows the image: it is the image's tag.
      !(imageChanged && p === `metadata.labels.${VERSION_LABEL}`),
  );
  const config = [...new Set(other.map((p) => describePath(p, containersOf(after))))];
  if (config.length > 0) reasons.push(`pod template (${config.join(", ")})`);
  if (reasons.length === 0 && unknownImage) return "maybe: image built during update";
  return `yes: ${reasons.join(", ")}${unknownImage ? "; maybe image (built during update)" : ""}`;
}

/** The rows of the Deployments a preview changes, in preview order. */
export function workloadChanges(changes: ResourceChange[]): WorkloadChange[] {
  return changes
    .filter((c) => c.type === "kubernetes:apps/v1:Deployment" && c.op !== "same")
    .map((c) => ({
      name: c.name,
      op: c.op,
      image: { from: images(c.old), to: images(c.new) },
      roll: rollOf(c),
      replicas: { from: replicas(c.old), to: replicas(c.new) },
      resources: { from: resources(c.old), to: resources(c.new) },
    }));
}
