import type * as pulumi from "@pulumi/pulumi";
import type { FrontendConfig } from "../config/schema";
import type { NetworkConfig } from "../config/network-schema";
import { frontendPolicySpec } from "../builders/network-policy";
import { type MeshMode, TYPE } from "../names";
import type { WorkloadArgs } from "./workload";
import { WorkloadComponent } from "./workload-component";

export interface FrontendArgs extends WorkloadArgs {
  /** The `frontend` config key. */
  readonly config: FrontendConfig;
  /** The backend endpoint, from `Backend.actionUrl`; set as REMOTE_ACTION_URL. */
  readonly remoteActionUrl: pulumi.Input<string>;
  /** The backend's pod selector labels and port: the one workload the frontend may call. */
  readonly backend: { readonly labels: Record<string, string>; readonly port: number };
  /** The namespace of the parent Gateway (`gateway.namespace`): its pods alone may call in. */
  readonly gatewayNamespace: string;
  /** The namespace's mesh (`meshMode`): ambient admits the HBONE port and the node agent's probes. */
  readonly meshMode: MeshMode;
  /** The `network` config key: where cluster DNS is. */
  readonly network: NetworkConfig;
}

/**
 * The web frontend (Next.js): Deployment and Service, wired to the backend, and a
 * NetworkPolicy admitting the Gateway in, and cluster DNS and the backend out.
 */
export class Frontend extends WorkloadComponent {
  constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.frontend, "frontend", name, args, { REMOTE_ACTION_URL: args.remoteActionUrl }, opts);
    this.restrictTraffic((pods) =>
      frontendPolicySpec(pods, {
        gatewayNamespace: args.gatewayNamespace,
        appPort: args.config.port,
        backend: args.backend,
        meshMode: args.meshMode,
        network: args.network,
      }),
    );
    this.registerWorkloadOutputs();
  }
}
