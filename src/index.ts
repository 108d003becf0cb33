/**
 * Entry point. An app stack: validate the stack's config, resolve the images (asking the
 * registry and, to promote, the source stack), compose the components and export the
 * stack outputs. The settings stack (names.ts SETTINGS_STACK): validate its `github` and
 * manage the repository's GitHub settings, nothing else (src/github).
 */
import * as pulumi from "@pulumi/pulumi";
import { hasKubeconfig, loadConfig, loadSettingsConfig } from "./config/load";
import { isSettingsStack } from "./config/settings";
import { composeGitHub } from "./github";
import { recordRelease } from "./images/releases";
import { resolveImageSources } from "./images/resolve";
import { composeStack } from "./stack";
import { liveImageLookup } from "./images/lookup";

async function main() {
  const cfg = loadConfig();
  const lookup = liveImageLookup(cfg);
  const outputs = composeStack(cfg, await resolveImageSources(cfg, lookup), {
    clusterReadable: !pulumi.runtime.isDryRun() || hasKubeconfig(),
  });
  // During an update, the releases verified before this one, read while the rollouts run.
  const earlier = pulumi.runtime.isDryRun() ? undefined : lookup.ownReleases();
  earlier?.catch(() => undefined);
  // An update ends here when a rollout failed (a RolloutError with every failed rollout).
  await outputs.rollouts;
  // Then when a check through the Gateway failed (a VerificationError naming each one).
  const verification = await outputs.verification;
  return {
    url: outputs.url,
    namespace: outputs.namespace,
    services: outputs.services,
    images: outputs.images,
    verifiedImages: outputs.verifiedImages,
    // The verified releases, newest first (what the rollback command may go back to).
    releases: earlier
      ? pulumi.all([outputs.verifiedImages, earlier]).apply(([v, e]) => recordRelease(e, v))
      : pulumi.output(pulumi.unknown),
    // Each check's result and when they passed (unknown in a preview).
    verification: verification ?? pulumi.output(pulumi.unknown),
    gitSha: outputs.gitSha,
    registry: pulumi.output(outputs.registry),
  };
}

async function settings() {
  const github = composeGitHub(loadSettingsConfig());
  return {
    repository: github.repository,
    protectedBranch: github.protectedBranch,
    environments: github.environments,
  };
}

const stackOutputs = isSettingsStack(pulumi.getStack()) ? settings() : main();
// Handled here as well as by Pulumi's runner, which still reports the error and fails the
// run. Left unhandled, the rejection went through the runner's unhandledRejection path and a
// failed preview took 20-30 s longer on the local environment (measured); handled, it ends
// at once, without a PromiseRejectionHandledWarning.
stackOutputs.catch(() => undefined);
export = stackOutputs;
