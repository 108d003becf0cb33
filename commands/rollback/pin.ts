/**
 * Pinning and deploying: the pulumi commands that set travel:images to mode pinned (the
 * values are not secrets) and run `pulumi up`, and the stack file they change, kept to
 * be put back afterwards so that the next deploy from main promotes or builds again.
 */
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WORKLOADS, type WorkloadName } from "../../src/names";
import type { Options } from "./options";
import { commandLine, commandName, Failure, holdSignals, type Pulumi } from "./pulumi";

/** The argv of `pulumi up --yes` of the stack, with its policy pack and an update message. */
export function upCommand(o: Pick<Options, "stack" | "policyPack">, message?: string): string[] {
  return [
    "up",
    "--yes",
    "--stack",
    o.stack,
    ...(o.policyPack !== undefined ? ["--policy-pack", o.policyPack] : []),
    ...(message !== undefined ? ["--message", message] : []),
  ];
}

/** The argv of each pulumi command, in order: config rm, config set --path …, up. */
export function pinCommands(
  o: Pick<Options, "stack" | "policyPack">,
  target: { sha: string; refs: Record<WorkloadName, string>; message?: string; reason?: string },
): string[][] {
  const stack = ["--stack", o.stack];
  const set = (path: string, value: string) => ["config", "set", "--path", path, value, ...stack];
  return [
    ["config", "rm", "images", ...stack],
    set("images.mode", "pinned"),
    ...WORKLOADS.flatMap((w) => [
      set(`images.${w}.ref`, target.refs[w]),
      set(`images.${w}.gitSha`, target.sha),
    ]),
    upCommand(
      o,
      target.message ??
        `rollback ${o.stack} to ${target.sha}` +
          (target.reason !== undefined ? ` (never verified there: ${target.reason})` : ""),
    ),
  ];
}

/**
 * Keeps the stack's file (`Pulumi.<name>.yaml` of an org/project/name stack) as it is
 * now; the function returned puts it back, or removes it if there was none.
 */
export function keepStackFile(projectDir: string, stack: string, log: (line: string) => void) {
  const name = `Pulumi.${stack.split("/").at(-1)}.yaml`;
  const file = join(projectDir, name);
  if (!existsSync(file)) return () => rmSync(file, { force: true });
  const text = readFileSync(file);
  const mode = statSync(file).mode & 0o7777;
  return () => {
    writeFileSync(file, text);
    chmodSync(file, mode);
    log(`restored ${name}`);
  };
}

/**
 * Runs the pinning `commands` in order, with the stack file kept and put back afterwards
 * (unless keepConfig) and the signals held meanwhile; a Failure names the command that
 * failed, or the signal that stopped it.
 */
export async function runPinned(
  pulumi: Pulumi,
  projectDir: string,
  o: Pick<Options, "stack" | "keepConfig">,
  commands: readonly string[][],
  log: (line: string) => void,
): Promise<void> {
  const signals = holdSignals();
  const restore = o.keepConfig ? undefined : keepStackFile(projectDir, o.stack, log);
  try {
    for (const c of commands) {
      log(commandLine(c));
      const status = await pulumi.run(c);
      if (status !== 0) throw new Failure(`${commandName(c)} failed (exit ${status})`);
      const signal = signals.received();
      if (signal !== undefined) throw new Failure(`stopped by ${signal} after ${commandName(c)}`);
    }
  } finally {
    restore?.();
    signals.release();
  }
}
