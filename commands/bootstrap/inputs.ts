/**
 * The secret values of a run: those given in the environment, and the answers to the
 * prompts for the rest (one prompt per variable, shared by the stacks that read it).
 * Without a terminal, every missing value is named at once instead.
 */
import { readFileSync } from "node:fs";
import { canPrompt, promptHidden, promptLine } from "./prompt";
import { secretKey } from "./plan";
import { type SecretInput, type SecretNeed, secretFromEnv } from "./secrets";

type Env = Readonly<Record<string, string | undefined>>;

/** The secrets the environment gives, by `<stack>:<path>`; throws every unreadable file at once. */
export function givenSecrets(needs: readonly SecretNeed[], env: Env): Map<string, SecretInput> {
  const given = new Map<string, SecretInput>();
  const problems: string[] = [];
  for (const need of needs) {
    try {
      const input = secretFromEnv(need, env);
      if (input) given.set(secretKey(need.stack, need.path), input);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new Error([...new Set(problems)].join("\n"));
  return given;
}

/** The variable a prompt stands for: the one the stacks share (the last tried). */
const sharedName = (need: SecretNeed) => need.env.at(-1)!;

/** The lines naming what to set when there is no terminal to ask on. */
export function missingLines(prompts: readonly SecretNeed[]): string[] {
  const byName = new Map<string, SecretNeed[]>();
  for (const p of prompts) byName.set(sharedName(p), [...(byName.get(sharedName(p)) ?? []), p]);
  return [...byName].map(
    ([name, needs]) =>
      `${name}: expected ${needs[0]!.kind === "file" ? "the path of a file with " : ""}${needs[0]!.what} ` +
      `(${needs.map((n) => `${n.path} of ${n.stack}`).join(", ")})`,
  );
}

/**
 * Asks for every prompted secret once; returns the answers by variable name. A file that
 * cannot be read, or whose content `check` finds a problem with, is asked for again.
 */
export async function askFor(
  prompts: readonly SecretNeed[],
  check: (need: SecretNeed, value: string) => string | undefined = () => undefined,
): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  if (prompts.length === 0) return answers;
  if (!canPrompt()) {
    throw new Error(
      `no terminal to ask on: set these in the environment:\n${missingLines(prompts).join("\n")}`,
    );
  }
  for (const need of prompts) {
    const name = sharedName(need);
    if (answers.has(name)) continue;
    const stacks = prompts.filter((p) => sharedName(p) === name).map((p) => p.stack);
    for (;;) {
      const label = `${name} — ${need.what}, for ${stacks.join(", ")}`;
      const answer =
        need.kind === "file"
          ? await promptLine(`${label}: file?`)
          : await promptHidden(`${label} (hidden):`);
      if (answer === "") continue;
      if (need.kind === "file") {
        let content: string;
        try {
          content = readFileSync(answer, "utf8");
        } catch (err) {
          process.stderr.write(`  cannot read ${answer}: ${(err as Error).message}\n`);
          continue;
        }
        const problem = check(need, content);
        if (problem !== undefined) {
          process.stderr.write(`  cannot use ${answer}: expected ${problem}\n`);
          continue;
        }
        answers.set(name, content);
      } else answers.set(name, answer);
      break;
    }
  }
  return answers;
}

/** The value of a need: given in the environment, else answered at its prompt. */
export function secretValueFrom(
  given: ReadonlyMap<string, SecretInput>,
  answers: ReadonlyMap<string, string>,
): (need: SecretNeed) => string {
  return (need) => {
    const v = given.get(secretKey(need.stack, need.path))?.value ?? answers.get(sharedName(need));
    if (v === undefined) throw new Error(`no value for ${need.path} of ${need.stack}`);
    return v;
  };
}
