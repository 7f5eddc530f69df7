/** What can be wrong with agent files, reported precisely enough to fix without reading code. */
import { AetherError } from '../errors.ts';

/** What kind of problem an {@link AgentFileProblem} is. */
export type AgentFileProblemCode =
  /** The directory could not be listed (it exists, but is not a readable directory). */
  | 'AGENT_DIRECTORY_UNREADABLE'
  /** The file could not be read. */
  | 'AGENT_FILE_UNREADABLE'
  /** No `---` front matter block at the top, or it is never closed. */
  | 'AGENT_FRONT_MATTER_MISSING'
  /** The front matter is not valid YAML, or not a mapping. */
  | 'AGENT_YAML_INVALID'
  /** A required field is missing. */
  | 'AGENT_FIELD_MISSING'
  /** A field has the wrong type or value. */
  | 'AGENT_FIELD_INVALID'
  /** A field the format does not have (often a typo). */
  | 'AGENT_FIELD_UNKNOWN'
  /** The id differs from the file name. */
  | 'AGENT_ID_MISMATCH'
  /** Another file already defines this id. */
  | 'AGENT_ID_DUPLICATE'
  /** The Markdown body (the system prompt) is empty. */
  | 'AGENT_BODY_EMPTY';

/** One problem in one agent file. */
export interface AgentFileProblem {
  code: AgentFileProblemCode;
  /** The file (or directory) the problem is in, as given to the loader. */
  path: string;
  /** The field as a dotted path (`limits.timeoutMs`, `capabilities[1]`); absent for whole-file problems. */
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

/** The parts of a problem from which {@link makeAgentFileProblem} builds the message. */
export type AgentFileProblemInput = Omit<AgentFileProblem, 'message'>;

/** Builds a problem and its one-line message. */
export function makeAgentFileProblem(input: AgentFileProblemInput): AgentFileProblem {
  const where = input.line === undefined ? input.path : `${input.path}:${input.line}:${input.column ?? 1}`;
  const subject = input.field === undefined || input.field === '' ? where : `${where}: ${input.field}`;
  const hint = input.suggestion === undefined ? '' : ` (did you mean "${input.suggestion}"?)`;
  const message =
    input.code === 'AGENT_FIELD_UNKNOWN'
      ? `${subject}: unknown field${hint}; expected ${input.expected}`
      : `${subject}: expected ${input.expected}, got ${input.got}${hint}`;
  const problem: AgentFileProblem = { ...input, message };
  for (const key of ['field', 'line', 'column', 'suggestion'] as const) {
    if (problem[key] === undefined) delete problem[key];
  }
  return problem;
}

/**
 * One `AetherError` (`AGENT_FILES_INVALID`) listing problems, for callers that refuse to go
 * on with broken agent files.
 */
export function agentProblemsError(problems: readonly AgentFileProblem[]): AetherError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${problem.message}`).join('\n');
  return new AetherError('AGENT_FILES_INVALID', `${count} in agent files:\n${lines}`, {
    category: 'user',
    hint: 'fix the files listed (the front matter is YAML between the two "---" lines)',
  });
}
