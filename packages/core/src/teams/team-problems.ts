/** What can be wrong with team files, reported precisely enough to fix without reading code. */

import {
  type DefinitionFileProblem,
  definitionProblemsError,
  makeDefinitionFileProblem,
} from '../agents/definition-problems.ts';
import type { AetherError } from '../errors.ts';

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
export type TeamFileProblem = DefinitionFileProblem<TeamFileProblemCode>;

/** The parts of a problem from which {@link makeTeamFileProblem} builds the message. */
export type TeamFileProblemInput = Omit<TeamFileProblem, 'message'>;

/** Builds a problem and its one-line message. */
export function makeTeamFileProblem(input: TeamFileProblemInput): TeamFileProblem {
  return makeDefinitionFileProblem(input, 'TEAM_FIELD_UNKNOWN');
}

/** One `AetherError` (`TEAM_FILES_INVALID`) listing problems, for callers that refuse to go on. */
export function teamProblemsError(problems: readonly TeamFileProblem[]): AetherError {
  return definitionProblemsError(
    'TEAM_FILES_INVALID',
    'team files',
    problems,
    'fix the files listed (.aether/teams/*.team.yaml)',
  );
}
