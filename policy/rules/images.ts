/** Every container image is pinned by digest: what runs is exactly what was pushed. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { FORMAT } from "../../src/names";
import { podObjectOf } from "./k8s";

/** Why `image` is not a digest reference, or undefined when it is one. */
export function imageProblem(image: string | undefined): string | undefined {
  if (image === undefined || image === "") return "has no image";
  if (FORMAT.pinnedByDigest.test(image)) return undefined;
  if (image.includes("@")) return `has a malformed digest (${image})`;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  if (tag === "latest") return `uses the mutable tag "latest" (${image})`;
  if (tag !== "") return `is pinned by tag only (${image})`;
  return `has neither tag nor digest, so it means "latest" (${image})`;
}

export const imagesPinnedByDigest: ResourceValidationPolicy = {
  name: "images-pinned-by-digest",
  description:
    "Every container and init container image is referenced by digest (@sha256:<64 hex>).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const { container, where } of podObjectOf(args)?.containers() ?? []) {
      const problem = imageProblem(container.image);
      if (problem !== undefined) {
        reportViolation(
          `${where}: the image ${problem}. Fix: deploy the digest the push returned, ` +
            `"<registry>/<owner>/<name>@sha256:<64 hex>" (RegistryImage.ref, or images.mode ` +
            `"pinned" with the ref), never a tag.`,
        );
      }
    }
  },
};
