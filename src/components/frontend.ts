import type * as pulumi from "@pulumi/pulumi";
import type { FrontendConfig } from "../config/schema";
import { TYPE } from "../names";
import type { WorkloadArgs } from "./workload";
import { WorkloadComponent } from "./workload-component";

export interface FrontendArgs extends WorkloadArgs {
  /** The `frontend` config key. */
  readonly config: FrontendConfig;
  /** The backend endpoint, from `Backend.actionUrl`; set as REMOTE_ACTION_URL. */
  readonly remoteActionUrl: pulumi.Input<string>;
}

/** The web frontend (Next.js): Deployment and Service, wired to the backend. */
export class Frontend extends WorkloadComponent {
  constructor(name: string, args: FrontendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.frontend, "frontend", name, args, { REMOTE_ACTION_URL: args.remoteActionUrl }, opts);
    this.registerWorkloadOutputs();
  }
}
