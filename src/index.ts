/**
 * Entry point: validate the stack's config, resolve the images (asking the registry
 * and, to promote, the source stack), compose the components and export the stack
 * outputs (`github` only where the stack manages it).
 */
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config/load";
import { resolveImageSources } from "./images/resolve";
import { composeStack } from "./stack";
import { liveImageLookup } from "./images/lookup";

async function main() {
  const cfg = loadConfig();
  const outputs = composeStack(cfg, await resolveImageSources(cfg, liveImageLookup(cfg)));
  // An update ends here when a rollout failed (a RolloutError with every failed rollout).
  await outputs.rollouts;
  // Then when a check through the Gateway failed (a VerificationError naming each one).
  const verification = await outputs.verification;
  const github = outputs.github;
  return {
    url: outputs.url,
    namespace: outputs.namespace,
    services: outputs.services,
    images: outputs.images,
    verifiedImages: outputs.verifiedImages,
    // Each check's result and when they passed (unknown in a preview).
    verification: verification ?? pulumi.output(pulumi.unknown),
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
}

const stackOutputs = main();
// Handled here as well as by Pulumi's runner, which still reports the error and fails the
// run. Left unhandled, the rejection went through the runner's unhandledRejection path and a
// failed preview took 20-30 s longer on the local environment (measured); handled, it ends
// at once, without a PromiseRejectionHandledWarning.
stackOutputs.catch(() => undefined);
export = stackOutputs;
