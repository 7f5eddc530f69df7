/** What can be wrong with team files, reported precisely enough to fix without reading code. */
import { AetherError } from '../errors.ts';

/** What kind of problem a {@link TeamFileProblem} is. */
export type TeamFileProblemCode =
  /** The directory could not be listed. */
  | 'TEAM_DIRECTORY_UNREADABLE'
  /** The file could not be read. */
  | 'TEAM_FILE_UNREADABLE'
  /** The file is not valid YAML, or not a mapping. */
  | 'TEAM_YAML_INVALID'
  /** A required field is missing. */
  | 'TEAM_FIELD_MISSING'
  /** A field has the wrong type or value. */
  | 'TEAM_FIELD_INVALID'
  /** A field the format does not have (often a typo). */
  | 'TEAM_FIELD_UNKNOWN'
  /** The id differs from the file name. */
  | 'TEAM_ID_MISMATCH'
  /** Another file already defines this team id. */
  | 'TEAM_ID_DUPLICATE'
  /** An agent is listed twice among the members. */
  | 'TEAM_MEMBER_DUPLICATE'
  /** The lead is also listed as a member. */
  | 'TEAM_LEAD_IS_MEMBER';

/** One problem in one team file. */
export interface TeamFileProblem {
  code: TeamFileProblemCode;
  /** The file (or directory) the problem is in, as given to the loader. */
  path: string;
  /** The field as a dotted path (`policy.maxConcurrency`, `members[1].relationship`). */
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
  /** The whole problem in one line: `teams/core.team.yaml:4:3: lead: expected …, got …`. */
  message: string;
}

/** The parts of a problem from which {@link makeTeamFileProblem} builds the message. */
export type TeamFileProblemInput = Omit<TeamFileProblem, 'message'>;

/** Builds a problem and its one-line message. */
export function makeTeamFileProblem(input: TeamFileProblemInput): TeamFileProblem {
  const where = input.line === undefined ? input.path : `${input.path}:${input.line}:${input.column ?? 1}`;
  const subject = input.field === undefined || input.field === '' ? where : `${where}: ${input.field}`;
  const hint = input.suggestion === undefined ? '' : ` (did you mean "${input.suggestion}"?)`;
  const message =
    input.code === 'TEAM_FIELD_UNKNOWN'
      ? `${subject}: unknown field${hint}; expected ${input.expected}`
      : `${subject}: expected ${input.expected}, got ${input.got}${hint}`;
  const problem: TeamFileProblem = { ...input, message };
  for (const key of ['field', 'line', 'column', 'suggestion'] as const) {
    if (problem[key] === undefined) delete problem[key];
  }
  return problem;
}

/** One `AetherError` (`TEAM_FILES_INVALID`) listing problems, for callers that refuse to go on. */
export function teamProblemsError(problems: readonly TeamFileProblem[]): AetherError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${problem.message}`).join('\n');
  return new AetherError('TEAM_FILES_INVALID', `${count} in team files:\n${lines}`, {
    category: 'user',
    hint: 'fix the files listed (.aether/teams/*.team.yaml)',
  });
}
