/** Loading every agent file of a directory, keeping the good ones when some are broken. */
import type { AgentDefinition } from '../contracts/agent.ts';
import { AGENT_FILE_SUFFIX, parseAgentFile } from './agent-file.ts';
import { type AgentFileProblem, makeAgentFileProblem } from './agent-problems.ts';
import { keepFirstDefinitions, readDefinitionFiles } from './definition-files.ts';

/** Agents that loaded, and the problems of those that did not. */
export interface AgentLoadResult {
  /** The loaded agents, in the order of their files. */
  agents: AgentDefinition[];
  /** Every problem found; a file with problems contributes no agent. */
  problems: AgentFileProblem[];
}

/** An agent file's path and content, for {@link loadAgentFiles}. */
export interface AgentFileSource {
  path: string;
  text: string;
}

/**
 * Parses agent files given as text (pure). Each file is parsed on its own, so a broken
 * file does not stop the others; an id defined by an earlier file is reported on the later
 * one (`AGENT_ID_DUPLICATE`, naming both files) and the earlier definition is kept.
 */
export function loadAgentFiles(files: Iterable<AgentFileSource>): AgentLoadResult {
  const { definitions, problems } = keepFirstDefinitions(
    files,
    (file) => {
      const result = parseAgentFile(file.path, file.text);
      return result.ok ? { ok: true, definition: result.agent } : result;
    },
    (file, id, earlier, position) =>
      makeAgentFileProblem({
        code: 'AGENT_ID_DUPLICATE',
        path: file.path,
        field: 'id',
        ...position,
        expected: `an id no other agent file uses ("${id}" is already defined in ${earlier})`,
        got: JSON.stringify(id),
      }),
  );
  return { agents: definitions, problems };
}

async function readAgentSources(directory: string, problems: AgentFileProblem[]): Promise<AgentFileSource[]> {
  const { sources, failures } = await readDefinitionFiles(directory, (name) =>
    name.endsWith(AGENT_FILE_SUFFIX),
  );
  for (const failure of failures) {
    problems.push(
      makeAgentFileProblem({
        code: failure.scope === 'directory' ? 'AGENT_DIRECTORY_UNREADABLE' : 'AGENT_FILE_UNREADABLE',
        path: failure.path,
        expected:
          failure.scope === 'directory' ? 'a readable directory of *.agent.md files' : 'a readable file',
        got: failure.got,
      }),
    );
  }
  return sources;
}

/**
 * Loads every `*.agent.md` file of a directory (not its subdirectories), in file-name
 * order. A missing directory gives no agents and no problems; unreadable or malformed files
 * are reported and skipped while the others load.
 *
 * @example
 * const { agents, problems } = await loadAgentDirectory('.aether/agents');
 * for (const problem of problems) console.error(problem.message);
 */
export async function loadAgentDirectory(directory: string): Promise<AgentLoadResult> {
  return loadAgentDirectories([directory]);
}

/**
 * Loads several agent directories as one set (e.g. a shared library, then the project's
 * own). An id defined in an earlier directory wins, and the later file is reported as
 * `AGENT_ID_DUPLICATE`.
 */
export async function loadAgentDirectories(directories: readonly string[]): Promise<AgentLoadResult> {
  const problems: AgentFileProblem[] = [];
  const sources: AgentFileSource[] = [];
  for (const directory of directories) sources.push(...(await readAgentSources(directory, problems)));
  const loaded = loadAgentFiles(sources);
  return { agents: loaded.agents, problems: [...problems, ...loaded.problems] };
}
