/**
 * The settings file on disk (`.aether/settings.json`): read, load (merged over defaults)
 * and written atomically, so a crash mid-write never leaves half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AetherError, describeError } from '../errors.ts';
import {
  defaultSettings,
  parseSettings,
  type SettingsFile,
  settingsProblemsError,
  validateSettings,
} from './settings-parse.ts';
import type { Settings } from './settings-schema.ts';
import { isPlainObject } from './validation-text.ts';

/** The settings file's name inside the `.aether` directory. */
export const SETTINGS_FILE_NAME = 'settings.json';

/** The settings file of an `.aether` directory. */
export function settingsFilePath(aetherDirectory: string): string {
  return join(aetherDirectory, SETTINGS_FILE_NAME);
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

async function readText(filePath: string): Promise<string | undefined> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new AetherError(
      'SETTINGS_UNREADABLE',
      `cannot read settings file ${filePath}: ${errorCode(error) ?? error}`,
      {
        category: 'user',
        hint: 'check that the path is a readable file',
        cause: error,
      },
    );
  }
}

/**
 * The overrides stored in a settings file, as written (not merged, not checked beyond
 * being a JSON object), so `config set` and `config reset` can change a file that has
 * problems. A missing file is `{}`. Throws `SETTINGS_JSON_INVALID` with line and column,
 * `SETTINGS_INVALID` when the file is not an object, or `SETTINGS_UNREADABLE`.
 */
export async function readSettingsFile(filePath: string): Promise<SettingsFile> {
  const text = await readText(filePath);
  if (text === undefined) return {};
  const stripped = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(stripped);
  } catch {
    throw settingsProblemsError(validateSettings(stripped, filePath).problems, filePath);
  }
  if (!isPlainObject(value))
    throw settingsProblemsError(validateSettings(value, filePath).problems, filePath);
  return value as SettingsFile;
}

/**
 * The full settings from a file, merged over the defaults; a missing file gives the
 * defaults. Throws `SETTINGS_INVALID` or `SETTINGS_JSON_INVALID` listing every problem with
 * its key, line, expected and found values.
 *
 * @example
 * const settings = await loadSettings(settingsFilePath('.aether'));
 */
export async function loadSettings(filePath: string): Promise<Settings> {
  const text = await readText(filePath);
  if (text === undefined) return defaultSettings();
  return parseSettings(text, filePath);
}

/**
 * Writes a settings file atomically: the JSON goes to a temporary file in the same
 * directory, is flushed to disk, then renamed over the target (a symbolic link is
 * followed, the file's permissions kept). Creates the directory when needed. Throws
 * `SETTINGS_WRITE_FAILED` (and removes the temporary file) on failure.
 */
export async function writeSettingsFile(filePath: string, file: SettingsFile): Promise<void> {
  if (!isPlainObject(file)) {
    throw new AetherError('SETTINGS_WRITE_FAILED', 'settings to write must be a JSON object', {
      category: 'system',
    });
  }
  const target = await realpath(filePath).catch(() => filePath);
  const directory = dirname(target);
  const temporary = join(directory, `.${basename(target)}.${randomUUID()}.tmp`);
  try {
    const text = `${JSON.stringify(file, null, 2)}\n`;
    await mkdir(directory, { recursive: true });
    const mode = await stat(target).then(
      (stats) => stats.mode & 0o777,
      () => 0o644,
    );
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new AetherError(
      'SETTINGS_WRITE_FAILED',
      `cannot write settings file ${filePath}: ${errorCode(error) ?? describeError(error)}`,
      {
        category: 'system',
        hint: 'check that the directory exists and is writable',
        cause: error,
      },
    );
  }
  await syncDirectory(directory);
}

/** Makes the rename itself durable; not every platform can open a directory, hence best effort. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The file is already complete and in place; only durability across power loss is weaker.
  }
}
