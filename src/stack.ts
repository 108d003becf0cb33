/**
 * Composition of one stack: Namespace -> Secrets -> images -> Backend ->
 * Frontend (wired to the Backend's URL) -> HTTPRoute, from a validated config and the
 * image sources resolved before it (images/resolve.ts); during an update, the rollouts,
 * then the checks through the Gateway, decide verifiedImages.
 */
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels } from "./builders/labels";
import { Backend } from "./components/backend";
import { Frontend } from "./components/frontend";
import { DeletionGuard } from "./components/deletion-guard";
import { HttpRoute } from "./components/http-route";
import { Namespace } from "./components/namespace";
import { RegistryImage } from "./components/registry-image";
import {
  awaitRolloutLive,
  requireRollouts,
  rolloutGroup,
  type RolloutAwaiter,
} from "./components/rollout";
import { Secrets } from "./components/secrets";
import {
  checksOf,
  releaseServing,
  targetOf,
  verifyRelease,
  whenResolved,
  type CheckRunner,
  type Verification,
} from "./components/verification";
import { runChecks } from "./components/verification-checks";
import { verifiedHostname } from "./config/verify-schema";
import type { StackConfig } from "./config/load";
import { releaseName } from "./images/releases";
import type { ImageSet, ImageSources, VerifiedImageSet } from "./images/types";
import { APP, componentName, type WorkloadName } from "./names";

export interface StackOutputs {
  /** Public URL of the first hostname. */
  url: string;
  namespace: pulumi.Output<string>;
  services: { backend: pulumi.Output<string>; frontend: pulumi.Output<string> };
  /** Digest-pinned image references and the git SHA each was built from. */
  images: pulumi.Output<ImageSet>;
  /**
   * The same images and when they were verified, once both rollouts succeeded, the route
   * was accepted and every verification check passed: what a stack promoting from this
   * one may take.
   */
  verifiedImages: pulumi.Output<VerifiedImageSet>;
  /**
   * During an update, each workload's completed revision, or a RolloutError with every
   * failed rollout: the program awaits it before it returns (undefined in a preview).
   */
  rollouts?: Promise<Record<WorkloadName, string>>;
  /**
   * During an update, the checks through the Gateway once the rollouts and the route are
   * done, or a VerificationError naming each failed check: awaited like `rollouts`.
   */
  verification?: Promise<Verification>;
  /** The git SHA deployed (both images' SHAs when they differ). */
  gitSha: pulumi.Output<string>;
  registry: { server: string; owner: string };
}

/** What composition needs from outside the program (tests pass stand-ins). */
export interface StackPorts {
  /** @default awaitRolloutLive */
  readonly awaitRollout?: RolloutAwaiter;
  /**
   * Whether the cluster can be read (a kubeconfig is there); false only in a preview without
   * one, where an admin-made namespace is not read.
   * @default true
   */
  readonly clusterReadable?: boolean;
  /** @default runChecks (HTTPS requests through the Gateway) */
  readonly runChecks?: CheckRunner;
}

export function composeStack(
  cfg: StackConfig,
  sources: ImageSources,
  ports: StackPorts = {},
): StackOutputs {
  const environment = cfg.environment;
  const labels = appLabels(environment);
  const names = { backend: componentName("backend"), frontend: componentName("frontend") };

  const images = {
    backend: new RegistryImage(names.backend, { source: sources.backend }),
    frontend: new RegistryImage(names.frontend, { source: sources.frontend }),
  };
  const ns = new Namespace(
    APP,
    {
      name: cfg.namespace,
      environment,
      meshMode: cfg.meshMode,
      protect: cfg.protect,
      create: cfg.createNamespace,
      read: ports.clusterReadable ?? true,
    },
    { dependsOn: [images.backend, images.frontend] },
  );
  const secrets = new Secrets(APP, {
    namespace: ns.name,
    labels,
    appSecrets: cfg.appSecrets,
    appSecretKeys: cfg.appSecretKeys,
    // The pull credentials (a read-only token); none for a public registry.
    pull:
      cfg.registryPullToken === undefined
        ? undefined
        : {
            server: cfg.registry.server,
            username: cfg.registry.pullUsername,
            token: cfg.registryPullToken,
          },
  });
  const common = {
    namespace: ns.name,
    environment,
    secrets,
    rollout: {
      timeoutSeconds: cfg.rolloutTimeoutSeconds,
      progressDeadlineSeconds: cfg.rolloutProgressDeadlineSeconds,
      maxRestarts: cfg.rolloutMaxRestarts,
      unschedulableSeconds: cfg.rolloutUnschedulableSeconds,
    },
    // One group: a failed rollout stops the wait for the others.
    awaitRollout: rolloutGroup(ports.awaitRollout ?? awaitRolloutLive),
  };
  const backend = new Backend(names.backend, {
    ...common,
    config: cfg.backend,
    image: images.backend.ref,
    version: images.backend.gitSha,
    meshMode: cfg.meshMode,
    network: cfg.network,
    allowedClientLabels: selectorLabels({
      name: names.frontend,
      component: "frontend",
      environment,
    }),
  });
  const frontend = new Frontend(names.frontend, {
    ...common,
    config: cfg.frontend,
    image: images.frontend.ref,
    version: images.frontend.gitSha,
    remoteActionUrl: backend.actionUrl,
    backend: {
      labels: selectorLabels({ name: names.backend, component: "backend", environment }),
      port: cfg.backend.port,
    },
    gatewayNamespace: cfg.gateway.namespace,
    meshMode: cfg.meshMode,
    network: cfg.network,
  });
  const route = new HttpRoute(names.frontend, {
    namespace: ns.name,
    labels,
    hostnames: cfg.hostnames,
    gateway: cfg.gateway,
    service: { serviceName: frontend.serviceName, port: frontend.port },
  });

  new DeletionGuard(APP, {
    namespace: ns.name,
    labels,
    guards: [secrets, backend, frontend, route],
    protect: cfg.protect,
  });

  // During an update, every rollout's outcome; a preview awaits none.
  const rollouts = pulumi.runtime.isDryRun()
    ? undefined
    : requireRollouts({ backend: backend.rolloutDone, frontend: frontend.rolloutDone });
  // Then the checks through the Gateway, once every rollout completed, the route is accepted
  // and the previous pods have drained (so the new release answers).
  const verification = rollouts
    ? verifyRelease(
        releaseServing(
          Promise.all([rollouts, whenResolved(route.ready)]),
          { backend: backend.rolloutDone, frontend: frontend.rolloutDone },
          { backend: cfg.backend.drainSeconds, frontend: cfg.frontend.drainSeconds },
        ),
        // The config rules refused a stack whose every hostname is a wildcard.
        targetOf(verifiedHostname(cfg.hostnames)!, cfg.verify),
        checksOf(cfg.verify),
        ports.runChecks ?? runChecks,
      )
    : undefined;
  const imageOutputs = pulumi
    .all([images.backend.ref, images.backend.gitSha, images.frontend.ref, images.frontend.gitSha])
    .apply(([bRef, bSha, fRef, fSha]) => ({
      backend: { ref: bRef, gitSha: bSha },
      frontend: { ref: fRef, gitSha: fSha },
    }));
  return {
    url: `https://${cfg.hostnames[0]}`,
    namespace: ns.name,
    services: { backend: backend.serviceName, frontend: frontend.serviceName },
    images: imageOutputs,
    rollouts,
    verification,
    verifiedImages: verification
      ? pulumi
          // Never resolved when verification failed: the program fails with its error instead.
          .all([verification.catch(() => new Promise<never>(() => undefined)), imageOutputs])
          .apply(([v, deployed]) => ({ ...deployed, verifiedAt: v.verifiedAt }))
      : pulumi.output(pulumi.unknown as unknown as VerifiedImageSet),
    gitSha: imageOutputs.apply(releaseName),
    registry: { server: cfg.registry.server, owner: cfg.registry.owner },
  };
}
