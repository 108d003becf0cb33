/** Container environment: plain values from config, secrets by reference only. */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Plain variables, sorted by name so the pod spec is stable. */
export function plainEnv(env: Readonly<Record<string, pulumi.Input<string>>>): EnvVar[] {
  return Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name] }));
}

/** A variable read from a key of a Secret; the value never enters the pod spec. */
export function secretKeyEnv(name: string, secretName: pulumi.Input<string>, key = name): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}
