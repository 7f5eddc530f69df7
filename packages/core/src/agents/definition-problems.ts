/**
 * What can be wrong with a definition file (an agent or a team), reported precisely enough
 * to fix without reading code. Agents and teams each name their own problem codes
 * (`agent-problems.ts`, `team-problems.ts`); the shape and the message are the same.
 */
import { AetherError } from '../errors.ts';

/** One problem in one definition file. */
export interface DefinitionFileProblem<Code extends string> {
  code: Code;
  /** The file (or directory) the problem is in, as given to the loader. */
  path: string;
  /** The field as a dotted path (`limits.timeoutMs`, `members[1].relationship`); absent for whole-file problems. */
  field?: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** 1-based column in the file, when known. */
  column?: number;
  /** What would have been accepted. */
  expected: string;
  /** What was found. */
  got: string;
  /** A close valid name, for "did you mean …?". */
  suggestion?: string;
  /** The whole problem in one line: `agents/coder.agent.md:4:7: tier: expected …, got …`. */
  message: string;
}

/**
 * Builds a problem and its one-line message. `unknownFieldCode` is the kind's code for a
 * field the format does not have, whose message reads "unknown field" instead of "got".
 */
export function makeDefinitionFileProblem<Code extends string>(
  input: Omit<DefinitionFileProblem<Code>, 'message'>,
  unknownFieldCode: Code,
): DefinitionFileProblem<Code> {
  const where = input.line === undefined ? input.path : `${input.path}:${input.line}:${input.column ?? 1}`;
  const subject = input.field === undefined || input.field === '' ? where : `${where}: ${input.field}`;
  const hint = input.suggestion === undefined ? '' : ` (did you mean "${input.suggestion}"?)`;
  const message =
    input.code === unknownFieldCode
      ? `${subject}: unknown field${hint}; expected ${input.expected}`
      : `${subject}: expected ${input.expected}, got ${input.got}${hint}`;
  const problem: DefinitionFileProblem<Code> = { ...input, message };
  for (const key of ['field', 'line', 'column', 'suggestion'] as const) {
    if (problem[key] === undefined) delete problem[key];
  }
  return problem;
}

/** One `AetherError` listing problems, e.g. `3 problems in agent files:` and a line each. */
export function definitionProblemsError(
  code: string,
  files: string,
  problems: readonly { message: string }[],
  hint: string,
): AetherError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${problem.message}`).join('\n');
  return new AetherError(code, `${count} in ${files}:\n${lines}`, { category: 'user', hint });
}
