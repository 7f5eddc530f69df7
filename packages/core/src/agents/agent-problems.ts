/** What can be wrong with agent files, reported precisely enough to fix without reading code. */
import type { AetherError } from '../errors.ts';
import {
  type DefinitionFileProblem,
  definitionProblemsError,
  makeDefinitionFileProblem,
} from './definition-problems.ts';

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
export type AgentFileProblem = DefinitionFileProblem<AgentFileProblemCode>;

/** The parts of a problem from which {@link makeAgentFileProblem} builds the message. */
export type AgentFileProblemInput = Omit<AgentFileProblem, 'message'>;

/** Builds a problem and its one-line message. */
export function makeAgentFileProblem(input: AgentFileProblemInput): AgentFileProblem {
  return makeDefinitionFileProblem(input, 'AGENT_FIELD_UNKNOWN');
}

/**
 * One `AetherError` (`AGENT_FILES_INVALID`) listing problems, for callers that refuse to go
 * on with broken agent files.
 */
export function agentProblemsError(problems: readonly AgentFileProblem[]): AetherError {
  return definitionProblemsError(
    'AGENT_FILES_INVALID',
    'agent files',
    problems,
    'fix the files listed (the front matter is YAML between the two "---" lines)',
  );
}
