import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AetherError } from '@aether/core';

/** One forward-only migration: a numbered plain `.sql` file. */
export interface Migration {
  /** The number in the file name (`0001_init.sql` → 1). */
  version: number;
  /** The rest of the file name (`init`). */
  name: string;
  fileName: string;
  sql: string;
  /** SHA-256 of the file, hex; recorded when applied so that an edited file is noticed. */
  checksum: string;
}

/** `packages/store/migrations`: Aether's own migrations, shared by PGlite and PostgreSQL. */
export const DEFAULT_MIGRATIONS_DIRECTORY: string = fileURLToPath(
  new URL('../../migrations/', import.meta.url),
);

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Reads the migrations of `directory`, in version order. Every `.sql` file must be named
 * `NNNN_name.sql` with a unique number (`MIGRATION_FILE_INVALID` otherwise); other files
 * are ignored.
 */
export async function readMigrations(directory: string = DEFAULT_MIGRATIONS_DIRECTORY): Promise<Migration[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (cause) {
    throw new AetherError('MIGRATION_FILE_INVALID', `cannot read the migrations directory ${directory}`, {
      cause,
    });
  }
  const migrations: Migration[] = [];
  for (const fileName of entries.filter((entry) => entry.endsWith('.sql')).sort()) {
    const match = FILE_NAME.exec(fileName);
    if (match === null) {
      throw new AetherError(
        'MIGRATION_FILE_INVALID',
        `migration file ${join(directory, fileName)} is not named NNNN_name.sql (four digits, lowercase name)`,
      );
    }
    const version = Number(match[1]);
    const previous = migrations.find((migration) => migration.version === version);
    if (previous !== undefined) {
      throw new AetherError(
        'MIGRATION_FILE_INVALID',
        `migrations ${previous.fileName} and ${fileName} in ${directory} have the same number`,
      );
    }
    const sql = await readFile(join(directory, fileName), 'utf8');
    migrations.push({
      version,
      name: match[2] ?? '',
      fileName,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations;
}
