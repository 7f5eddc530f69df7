/** Loading every team file of a directory, keeping the good ones when some are broken. */
import { keepFirstDefinitions, readDefinitionFiles } from '../agents/definition-files.ts';
import type { TeamDefinition } from '../contracts/team.ts';
import { isTeamFileName, parseTeamFile } from './team-file.ts';
import { makeTeamFileProblem, type TeamFileProblem } from './team-problems.ts';
import type { TeamPolicyDefaults } from './team-schema.ts';

/** Teams that loaded, and the problems of those that did not. */
export interface TeamLoadResult {
  /** The loaded teams, in the order of their files. */
  teams: TeamDefinition[];
  /** Every problem found; a file with problems contributes no team. */
  problems: TeamFileProblem[];
}

/** A team file's path and content, for {@link loadTeamFiles}. */
export interface TeamFileSource {
  path: string;
  text: string;
}

/**
 * Parses team files given as text (pure). Each file is parsed on its own, so a broken file
 * does not stop the others; an id defined by an earlier file is reported on the later one
 * (`TEAM_ID_DUPLICATE`, naming both files) and the earlier team is kept.
 */
export function loadTeamFiles(files: Iterable<TeamFileSource>, defaults: TeamPolicyDefaults): TeamLoadResult {
  const { definitions, problems } = keepFirstDefinitions(
    files,
    (file) => {
      const result = parseTeamFile(file.path, file.text, defaults);
      return result.ok ? { ok: true, definition: result.team } : result;
    },
    (file, id, earlier, position) =>
      makeTeamFileProblem({
        code: 'TEAM_ID_DUPLICATE',
        path: file.path,
        field: 'id',
        ...position,
        expected: `an id no other team file uses ("${id}" is already defined in ${earlier})`,
        got: JSON.stringify(id),
      }),
  );
  return { teams: definitions, problems };
}

async function readTeamSources(directory: string, problems: TeamFileProblem[]): Promise<TeamFileSource[]> {
  const { sources, failures } = await readDefinitionFiles(directory, isTeamFileName);
  for (const failure of failures) {
    problems.push(
      makeTeamFileProblem({
        code: failure.scope === 'directory' ? 'TEAM_DIRECTORY_UNREADABLE' : 'TEAM_FILE_UNREADABLE',
        path: failure.path,
        expected:
          failure.scope === 'directory' ? 'a readable directory of *.team.yaml files' : 'a readable file',
        got: failure.got,
      }),
    );
  }
  return sources;
}

/**
 * Loads every `*.team.yaml` (and `*.team.yml`) file of a directory, in file-name order.
 * A missing directory gives no teams and no problems; unreadable or malformed files are
 * reported and skipped while the others load.
 *
 * @example
 * const { teams, problems } = await loadTeamDirectory('.aether/teams', teamPolicyDefaults(settings));
 * for (const problem of problems) console.error(problem.message);
 */
export async function loadTeamDirectory(
  directory: string,
  defaults: TeamPolicyDefaults,
): Promise<TeamLoadResult> {
  return loadTeamDirectories([directory], defaults);
}

/**
 * Loads several team directories as one set; an id defined in an earlier directory wins
 * and the later file is reported as `TEAM_ID_DUPLICATE`.
 */
export async function loadTeamDirectories(
  directories: readonly string[],
  defaults: TeamPolicyDefaults,
): Promise<TeamLoadResult> {
  const problems: TeamFileProblem[] = [];
  const sources: TeamFileSource[] = [];
  for (const directory of directories) sources.push(...(await readTeamSources(directory, problems)));
  const loaded = loadTeamFiles(sources, defaults);
  return { teams: loaded.teams, problems: [...problems, ...loaded.problems] };
}
