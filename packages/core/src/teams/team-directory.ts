/** Loading every team file of a directory, keeping the good ones when some are broken. */
import { readDefinitionFiles } from '../agents/definition-files.ts';
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

/** The line of the top-level `id:` key, found without parsing again. */
function idPosition(text: string): { line?: number; column?: number } {
  const index = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .findIndex((line) => /^id\s*:/.test(line));
  return index === -1 ? {} : { line: index + 1, column: 1 };
}

/**
 * Parses team files given as text (pure). Each file is parsed on its own, so a broken file
 * does not stop the others; an id defined by an earlier file is reported on the later one
 * (`TEAM_ID_DUPLICATE`, naming both files) and the earlier team is kept.
 */
export function loadTeamFiles(files: Iterable<TeamFileSource>, defaults: TeamPolicyDefaults): TeamLoadResult {
  const teams: TeamDefinition[] = [];
  const problems: TeamFileProblem[] = [];
  const firstPath = new Map<string, string>();
  for (const file of files) {
    const result = parseTeamFile(file.path, file.text, defaults);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const earlier = firstPath.get(result.team.id);
    if (earlier !== undefined) {
      problems.push(
        makeTeamFileProblem({
          code: 'TEAM_ID_DUPLICATE',
          path: file.path,
          field: 'id',
          ...idPosition(file.text),
          expected: `an id no other team file uses ("${result.team.id}" is already defined in ${earlier})`,
          got: JSON.stringify(result.team.id),
        }),
      );
      continue;
    }
    firstPath.set(result.team.id, file.path);
    teams.push(result.team);
  }
  return { teams, problems };
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
