import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { mapChecksum } from "../builders/checksum";
import { dockerConfigJson } from "../builders/docker-config";
import { secretKeyEnv } from "../builders/env";
import type { RegistryCredentials } from "../images/types";
import { TYPE } from "../names";

export interface SecretsArgs {
  /** The app's namespace. */
  readonly namespace: pulumi.Input<string>;
  /** The app's labels (`appLabels`). */
  readonly labels: Record<string, string>;
  /** The app's secret values by environment variable name (a Pulumi secret). */
  readonly appSecrets: pulumi.Input<Record<string, string>>;
  /** The names of the app secrets, known without revealing their values. */
  readonly appSecretKeys: readonly string[];
  /** The pull credentials of the pull secret; none for a public registry. */
  readonly pull?: RegistryCredentials;
}

/**
 * The app Secret (the seed's `travel-secrets`) and the registry pull secret (made
 * from the read-only pull credentials: the push token never enters the cluster).
 * Values stay Pulumi secrets end to end; workloads reference them by name.
 */
export class Secrets extends pulumi.ComponentResource {
  /** Name of the Opaque Secret holding the app's API keys. */
  public readonly appSecretName: pulumi.Output<string>;
  /** Name of the `kubernetes.io/dockerconfigjson` pull secret (none for a public registry). */
  public readonly pullSecretName?: pulumi.Output<string>;
  private readonly keys: readonly string[];
  private readonly data: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.secrets, name, {}, opts);
    this.keys = [...args.appSecretKeys].sort();
    const data = pulumi.secret(args.appSecrets);
    this.data = data;

    const app = new k8s.core.v1.Secret(
      `${name}-secrets`,
      {
        metadata: { namespace: args.namespace, labels: args.labels },
        type: "Opaque",
        stringData: data,
      },
      { parent: this },
    );

    if (args.pull) {
      const { server, username, token } = args.pull;
      const pull = new k8s.core.v1.Secret(
        `${name}-registry`,
        {
          metadata: { namespace: args.namespace, labels: args.labels },
          type: "kubernetes.io/dockerconfigjson",
          stringData: {
            ".dockerconfigjson": pulumi
              .secret(token)
              .apply((t) => dockerConfigJson(server, username, t)),
          },
        },
        { parent: this },
      );
      this.pullSecretName = pull.metadata.name;
    }

    this.appSecretName = app.metadata.name;
    this.registerOutputs({
      appSecretName: this.appSecretName,
      pullSecretName: this.pullSecretName,
    });
  }

  /**
   * SHA-256 over the values of `keys` only, for the pod template annotation of a
   * workload that reads them: a changed value rolls exactly the pods that use it. It is
   * deliberately not a Pulumi secret: a secret inside a Deployment's spec would hide the
   * whole spec in every preview, and a digest of high-entropy API keys reveals nothing.
   */
  public checksumOf(keys: readonly string[]): pulumi.Output<string> {
    for (const key of keys) this.known(key);
    return pulumi.unsecret(
      this.data.apply((d) => mapChecksum(Object.fromEntries(keys.map((k) => [k, d[k] ?? ""])))),
    );
  }

  /** An env var read from the app Secret; throws if the key is not one of its keys. */
  public envVar(key: string): k8s.types.input.core.v1.EnvVar {
    this.known(key);
    return secretKeyEnv(key, this.appSecretName);
  }

  private known(key: string): void {
    if (!this.keys.includes(key)) {
      throw new Error(
        `Secrets: "${key}" is not an app secret key; expected one of ${this.keys.join(", ")}`,
      );
    }
  }
}
