/** Container environment: secrets by reference only (plain values go to a ConfigMap). */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** A variable read from a key of a Secret; the value never enters the pod spec. */
export function secretKeyEnv(name: string, secretName: pulumi.Input<string>, key = name): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}
