/**
 * Pulumi mocks that record every custom resource registered, by type token,
 * with the inputs the program sent. Import this module before any code that
 * creates resources.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The ID a read (`Resource.get`) asked for; undefined for a resource the program manages. */
  id?: string;
}

export const recorded: Recorded[] = [];

/** Outputs a mocked StackReference returns, keyed by the referenced stack name. */
export const stackReferenceOutputs: Record<string, Record<string, unknown>> = {};

export const fakeDigest = (seed: string) =>
  `sha256:${createHash("sha256").update(seed).digest("hex")}`;

void pulumi.runtime.setMocks(
  {
    newResource(args) {
      recorded.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        ...(args.id ? { id: args.id } : {}),
      });
      const state: Record<string, unknown> = { ...args.inputs };
      if (args.type.startsWith("kubernetes:")) {
        const metadata = (args.inputs.metadata ?? {}) as Record<string, unknown>;
        state.metadata = {
          ...metadata,
          // A read's name is its ID's last part (`namespace/name`, or `name` cluster-wide).
          name: metadata.name ?? (args.id ? args.id.split("/").pop() : `${args.name}-0a1b2c3d`),
          generation: 1,
        };
      }
      if (args.type === "docker-build:index:Image") {
        state.digest = fakeDigest(String((args.inputs.tags as string[])[0]));
      }
      if (args.type === "pulumi:pulumi:StackReference") {
        const name = String(args.inputs.name);
        state.outputs = stackReferenceOutputs[name] ?? {};
        state.secretOutputNames = [];
      }
      return { id: `${args.name}-id`, state };
    },
    call(args) {
      return args.inputs;
    },
  },
  "travel",
  "dev",
  false,
);

/** Resolves an Output's value. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Whether an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/** Waits until no more resources are being registered. */
export async function settle(): Promise<void> {
  let seen = -1;
  while (seen !== recorded.length) {
    seen = recorded.length;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Clears the record (call before each composition). */
export function resetRecorded(): void {
  recorded.length = 0;
}

/** The recorded resources of one type token. */
export function ofType(type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

/** The one recorded resource of a type and name; throws if absent or ambiguous. */
export function one(type: string, name: string): Recorded {
  const found = recorded.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  }
  return found[0]!;
}

/** The signature key Pulumi uses to mark a serialized secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** If `value` is a serialized secret, its content; otherwise undefined. */
export function secretContent(value: unknown): unknown {
  const v = value as Record<string, unknown> | undefined;
  return v && v[SECRET_SIG] === SECRET_SIG_VALUE ? v.value : undefined;
}
