/** Composes a whole stack under the mocks and collects what it registered. */
import { parseStackConfig } from "../../src/config/load";
import { resolveImageSources } from "../../src/images/resolve";
import { composeStack, StackOutputs } from "../../src/stack";
import { recorded, Recorded, resetRecorded, settle, valueOf } from "./mocks";
import { fakeLookup } from "./image-lookup";
import { fakeRollouts } from "./rollouts";
import { fakeChecks } from "./checks";

export interface Composed {
  resources: Recorded[];
  outputs: StackOutputs;
}

/** Parses `raw` for `environment` and composes the stack; resolves once registrations settle. */
export async function compose(
  raw: Record<string, unknown>,
  environment = "dev",
  env: Readonly<Record<string, string>> = {},
): Promise<Composed> {
  // Build contexts are checked against the machine: the committed stacks' do not exist here.
  const cfg = parseStackConfig(raw, {
    namespace: "travel",
    environment,
    isDirectory: () => true,
    isFile: () => true,
    env,
  });
  resetRecorded();
  const outputs = composeStack(cfg, await resolveImageSources(cfg, fakeLookup), {
    awaitRollout: fakeRollouts.await,
    runChecks: fakeChecks.run,
  });
  await valueOf(outputs.images);
  await settle();
  return { resources: [...recorded], outputs };
}

/** Resolves every output of a stack into plain JSON-able values. */
export async function resolveOutputs(outputs: StackOutputs): Promise<Record<string, unknown>> {
  return {
    url: outputs.url,
    namespace: await valueOf(outputs.namespace),
    services: {
      backend: await valueOf(outputs.services.backend),
      frontend: await valueOf(outputs.services.frontend),
    },
    images: await valueOf(outputs.images),
    gitSha: await valueOf(outputs.gitSha),
    registry: outputs.registry,
  };
}
