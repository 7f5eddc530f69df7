import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A definition file's path and content. */
export interface DefinitionSource {
  path: string;
  text: string;
}

/** A directory or file that could not be read, with the error code (`EACCES`, …). */
export interface DefinitionReadFailure {
  scope: 'directory' | 'file';
  path: string;
  /** What was found instead, e.g. `an error (EACCES)`. */
  got: string;
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function failed(error: unknown): string {
  return `an error (${errorCode(error) ?? String(error)})`;
}

/**
 * Reads the files of one directory (not its subdirectories) whose names `accept` takes, in
 * file-name order: agent and team definitions. A missing directory gives nothing and no
 * failure; an unreadable directory or file is a failure for the caller to report, and the
 * other files are still read.
 */
export async function readDefinitionFiles(
  directory: string,
  accept: (fileName: string) => boolean,
): Promise<{ sources: DefinitionSource[]; failures: DefinitionReadFailure[] }> {
  let names: string[];
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    names = entries
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && accept(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { sources: [], failures: [] };
    return { sources: [], failures: [{ scope: 'directory', path: directory, got: failed(error) }] };
  }
  const sources: DefinitionSource[] = [];
  const failures: DefinitionReadFailure[] = [];
  for (const name of names) {
    const path = join(directory, name);
    try {
      sources.push({ path, text: await readFile(path, 'utf8') });
    } catch (error) {
      failures.push({ scope: 'file', path, got: failed(error) });
    }
  }
  return { sources, failures };
}

/** A file parsed into one definition, or the problems that kept it from being one. */
export type ParsedDefinition<Definition, Problem> =
  | { ok: true; definition: Definition }
  | { ok: false; problems: Problem[] };

/**
 * Parses definition files (pure), each on its own, so a broken file does not stop the
 * others. An id defined by an earlier file is kept; the later file gets the problem
 * `duplicate` builds (naming both files, at the line of its top-level `id:`).
 */
export function keepFirstDefinitions<Definition extends { id: string }, Problem>(
  files: Iterable<DefinitionSource>,
  parse: (file: DefinitionSource) => ParsedDefinition<Definition, Problem>,
  duplicate: (
    file: DefinitionSource,
    id: string,
    earlierPath: string,
    position: { line?: number; column?: number },
  ) => Problem,
): { definitions: Definition[]; problems: Problem[] } {
  const definitions: Definition[] = [];
  const problems: Problem[] = [];
  const firstPath = new Map<string, string>();
  for (const file of files) {
    const result = parse(file);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const { id } = result.definition;
    const earlier = firstPath.get(id);
    if (earlier !== undefined) {
      problems.push(duplicate(file, id, earlier, idPosition(file.text)));
      continue;
    }
    firstPath.set(id, file.path);
    definitions.push(result.definition);
  }
  return { definitions, problems };
}

/** The line of the top-level `id:` key, found without parsing again. */
function idPosition(text: string): { line?: number; column?: number } {
  const index = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .findIndex((line) => /^id\s*:/.test(line));
  return index === -1 ? {} : { line: index + 1, column: 1 };
}
