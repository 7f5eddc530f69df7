import { AetherError } from '@aether/core';
import type { Database } from '../drivers/database.ts';
import { SCHEMA_LOCK_SQL } from './advisory-lock.ts';
import { ensureVectorExtension } from './extensions.ts';
import { type Migration, readMigrations } from './migration-files.ts';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Directory of `NNNN_name.sql` files; Aether's own migrations by default. */
  directory?: string;
}

/** A migration as recorded in `schema_migrations`. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Migrations applied by this call, in order (empty when the schema was current). */
  applied: AppliedMigration[];
  /** The highest version now applied (0 for none). */
  version: number;
  /** Whether the `vector` extension is available (created) in this database. */
  vector: boolean;
}

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`;

/**
 * Brings the database's schema up to date: creates the `vector` extension where available,
 * then applies each pending migration in its own transaction and records it in
 * `schema_migrations` (version, name, checksum, applied_at). A failing migration is rolled
 * back entirely (`MIGRATION_FAILED`, naming the file) and later ones are not attempted.
 * Several processes may migrate the same database at once: an advisory lock serialises
 * them and each migration is applied exactly once.
 *
 * Refuses to run when an applied migration's file changed (`MIGRATION_CHECKSUM_MISMATCH`)
 * or the database has migrations this code does not know (`SCHEMA_TOO_NEW`).
 *
 * @example
 * const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
 * const report = await migrate(database);
 * console.log(`schema at version ${report.version}, ${report.applied.length} applied`);
 * await database.close();
 */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<MigrationReport> {
  const migrations = await readMigrations(options.directory);
  const vector = await ensureVectorExtension(database);

  const recorded = await database.transaction(async (tx) => {
    await tx.query(SCHEMA_LOCK_SQL);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
    return tx.query<AppliedMigration>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
  });
  for (const row of recorded) verifyRecorded(row, migrations);

  const applied: AppliedMigration[] = [];
  for (const migration of migrations) {
    if (recorded.some((row) => row.version === migration.version)) continue;
    const didApply = await database.transaction(async (tx) => {
      await tx.query(SCHEMA_LOCK_SQL);
      // Another process may have applied it while we waited for the lock.
      const [existing] = await tx.query<AppliedMigration>(
        'SELECT version, name, checksum FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      if (existing !== undefined) {
        verifyRecorded(existing, migrations);
        return false;
      }
      try {
        await tx.exec(migration.sql);
      } catch (cause) {
        throw new AetherError(
          'MIGRATION_FAILED',
          `migration ${migration.fileName} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`,
          { category: 'system', cause },
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (didApply)
      applied.push({ version: migration.version, name: migration.name, checksum: migration.checksum });
  }

  const [current] = await database.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return { applied, version: current?.version ?? 0, vector };
}

function verifyRecorded(row: AppliedMigration, migrations: readonly Migration[]): void {
  const migration = migrations.find((candidate) => candidate.version === row.version);
  if (migration === undefined) {
    throw new AetherError(
      'SCHEMA_TOO_NEW',
      `the database has migration ${String(row.version).padStart(4, '0')}_${row.name}, which this version of Aether does not know`,
      { category: 'user', hint: 'upgrade Aether, or point it at the database this version created' },
    );
  }
  if (migration.checksum !== row.checksum) {
    throw new AetherError(
      'MIGRATION_CHECKSUM_MISMATCH',
      `migration ${migration.fileName} was changed after it was applied (checksum differs); migrations are forward-only`,
      { category: 'system', hint: 'restore the original file and add the change as a new migration' },
    );
  }
}
