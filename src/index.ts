/**
 * Entry point: validate the stack's config, resolve the images, compose the
 * components and export the stack outputs (`github` only where the stack manages it).
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { composeStack } from "./stack";

const outputs = composeStack(loadConfig());
const github = outputs.github;

export = {
  url: outputs.url,
  namespace: outputs.namespace,
  services: outputs.services,
  images: outputs.images,
  verifiedImages: outputs.verifiedImages,
  gitSha: outputs.gitSha,
  registry: pulumi.output(outputs.registry),
  ...(github
    ? {
        github: {
          repository: github.repository,
          environment: github.environment,
          secretNames: github.secretNames,
        },
      }
    : {}),
};
