/**
 * Entry point: validate the stack's config, resolve the images, compose the
 * components and export the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { composeStack } from "./stack";

const outputs = composeStack(loadConfig());

export const url = outputs.url;
export const namespace = outputs.namespace;
export const services = outputs.services;
export const images = outputs.images;
export const verifiedImages = outputs.verifiedImages;
export const gitSha = outputs.gitSha;
export const registry = pulumi.output(outputs.registry);
export const github = outputs.github && {
  repository: outputs.github.repository,
  environment: outputs.github.environment,
  secretNames: outputs.github.secretNames,
};
