/** Every policy of the travel pack, in the order the README lists them. */
import type { Policies } from "@pulumi/policy";
import { hpaTargetRequests, routeHostnames } from "./advisory";
import { backendNetworkPolicy, backendNotRouted, backendServiceClusterIp } from "./backend";
import { pdbAllowsEviction, pdbForReplicatedDeployments } from "./disruption";
import { imagesPinnedByDigest } from "./images";
import { namespaceRestricted } from "./namespaces";
import { egressNoMetadata, workloadEgressRestricted } from "./network";
import { containerProbes } from "./probes";
import { prodFrontendReplicas } from "./production";
import { containerResources } from "./resources";
import { emptyDirSizeLimit, spreadReplicatedDeployments } from "./scheduling";
import { noPlainSecretEnv, noSecretsInConfigMaps } from "./secrets";
import { podSecurityRestricted, readOnlyRootFilesystem } from "./security";

/** The pack's policies; `index.ts` serves them, tests call them directly. */
export const travelPolicies: Policies = [
  imagesPinnedByDigest,
  containerResources,
  emptyDirSizeLimit,
  podSecurityRestricted,
  readOnlyRootFilesystem,
  containerProbes,
  backendServiceClusterIp,
  backendNotRouted,
  backendNetworkPolicy,
  workloadEgressRestricted,
  egressNoMetadata,
  pdbForReplicatedDeployments,
  prodFrontendReplicas,
  namespaceRestricted,
  noSecretsInConfigMaps,
  noPlainSecretEnv,
  routeHostnames,
  pdbAllowsEviction,
  spreadReplicatedDeployments,
  hpaTargetRequests,
];
