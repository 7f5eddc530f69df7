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
