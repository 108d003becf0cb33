/**
 * Composition of one stack: Namespace -> Secrets -> images -> Backend ->
 * Frontend (wired to the Backend's URL) -> HTTPRoute, from a validated config.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels } from "./builders/labels";
import { Backend } from "./components/backend";
import { Frontend } from "./components/frontend";
import { HttpRoute } from "./components/http-route";
import { Namespace } from "./components/namespace";
import { BuildSource, ExistingSource, RegistryImage } from "./components/registry-image";
import { RegistryCredentials, Secrets } from "./components/secrets";
import type { StackConfig } from "./config";
import { composeGitHub, GitHubOutputs } from "./github";
import { ImageSet, selectPromotion, Workload } from "./promotion";
import { sourceRevision } from "./source-revision";

/** The name every child resource is derived from. */
export const APP = "travel";

const WORKLOADS: readonly Workload[] = ["backend", "frontend"];

export interface StackOutputs {
  /** Public URL of the first hostname. */
  url: string;
  namespace: pulumi.Output<string>;
  services: { backend: pulumi.Output<string>; frontend: pulumi.Output<string> };
  /** Digest-pinned image references and the git SHA each was built from. */
  images: pulumi.Output<ImageSet>;
  /**
   * The same images once both rollouts (and the route) succeeded: what a stack
   * promoting from this one may take.
   */
  verifiedImages: pulumi.Output<ImageSet>;
  /** The git SHA deployed (both images' SHAs when they differ). */
  gitSha: pulumi.Output<string>;
  registry: { server: string; owner: string };
  /** The GitHub environment this stack manages, when `github` is configured. */
  github?: GitHubOutputs;
}

export function composeStack(cfg: StackConfig): StackOutputs {
  const sources = imageSources(cfg);
  const environment = cfg.environment;
  const labels = appLabels(environment);
  const names = { backend: `${APP}-backend`, frontend: `${APP}-frontend` };

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
    },
    { dependsOn: [images.backend, images.frontend] },
  );
  const secrets = new Secrets(APP, {
    namespace: ns.name,
    labels,
    appSecrets: cfg.appSecrets,
    appSecretKeys: cfg.appSecretKeys,
    registry: registryCredentials(cfg),
  });
  const common = {
    namespace: ns.name,
    environment,
    secrets,
    rollout: {
      timeoutSeconds: cfg.rolloutTimeoutSeconds,
      progressDeadlineSeconds: cfg.rolloutProgressDeadlineSeconds,
    },
  };
  const backend = new Backend(names.backend, {
    ...common,
    config: cfg.backend,
    image: images.backend.ref,
    version: images.backend.gitSha,
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
  });
  const route = new HttpRoute(names.frontend, {
    namespace: ns.name,
    labels,
    hostnames: cfg.hostnames,
    gateway: cfg.gateway,
    backend: { serviceName: frontend.serviceName, port: frontend.port },
  });

  const github = composeGitHub(cfg, {
    registryToken: cfg.registryToken,
    appSecrets: cfg.appSecrets,
    kubeconfig: cfg.kubeconfig,
  });

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
    verifiedImages: pulumi
      .all([backend.rolledOut, frontend.rolledOut, route.ready, imageOutputs])
      .apply(([, , , deployed]) => deployed),
    gitSha: imageOutputs.apply(({ backend: b, frontend: f }) =>
      b.gitSha === f.gitSha ? b.gitSha : `backend=${b.gitSha} frontend=${f.gitSha}`,
    ),
    registry: { server: cfg.registry.server, owner: cfg.registry.owner },
    ...(github ? { github } : {}),
  };
}

/** The registry login: pushes in build mode, and the pull secret in every mode. */
function registryCredentials(cfg: StackConfig): RegistryCredentials {
  return { server: cfg.registry.server, username: cfg.registry.username, token: cfg.registryToken };
}

/** Where each workload's image comes from; resolved before any resource exists. */
function imageSources(cfg: StackConfig): Record<Workload, BuildSource | ExistingSource> {
  const images = cfg.images;
  switch (images.mode) {
    case "build": {
      const build = (w: Workload): BuildSource => {
        const { context, dockerfile } = images[w];
        let gitSha: string;
        try {
          gitSha = sourceRevision(context, { allowDirty: images.allowDirty });
        } catch (err) {
          throw new pulumi.RunError(
            `${cfg.configNamespace}:images.${w}: ${(err as Error).message}`,
          );
        }
        return {
          kind: "build",
          context,
          dockerfile: dockerfile ?? path.join(context, "Dockerfile"),
          gitSha,
          platform: images.platform as BuildSource["platform"],
          builder: images.builder,
          repository: `${cfg.registry.server}/${cfg.registry.owner}/${cfg[w].imageName}`,
          registry: registryCredentials(cfg),
        };
      };
      return { backend: build("backend"), frontend: build("frontend") };
    }
    case "promote": {
      const source = new pulumi.StackReference(images.fromStack);
      const promoted = pulumi
        .all([source.getOutput("verifiedImages"), source.getOutput("images")])
        .apply(([verified, deployed]) => {
          let promotion;
          try {
            promotion = selectPromotion(
              { stack: images.fromStack, verified, deployed },
              { gitSha: images.gitSha, allowUnverified: images.allowUnverified },
            );
          } catch (err) {
            throw new pulumi.RunError(`${cfg.configNamespace}:images: ${(err as Error).message}`);
          }
          if (promotion.warning) void pulumi.log.warn(promotion.warning, source);
          return promotion.images;
        });
      const existing = (w: Workload): ExistingSource => ({
        kind: "existing",
        ref: promoted.apply((i) => i[w].ref),
        gitSha: promoted.apply((i) => i[w].gitSha),
      });
      return { backend: existing("backend"), frontend: existing("frontend") };
    }
    case "pinned":
      return Object.fromEntries(
        WORKLOADS.map((w) => [w, { kind: "existing", ...images[w] } satisfies ExistingSource]),
      ) as Record<Workload, ExistingSource>;
  }
}
