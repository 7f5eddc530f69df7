import { AetherError } from '@aether/core';
import type { Database } from '../drivers/database.ts';
import { openPgliteDatabase } from '../drivers/pglite-database.ts';
import { openPostgresDatabase } from '../drivers/postgres-database.ts';
import { ensureVectorIndex } from '../knowledge/vector-index.ts';
import { DEFAULT_INDEXED_DIMENSIONS } from '../knowledge/vector-sql.ts';
import { hasVectorExtension } from '../migrations/extensions.ts';
import { migrate } from '../migrations/migrate.ts';
import { createSqlStore, type SqlStore } from './sql-store.ts';

/**
 * Where the database is, first match wins: `databaseUrl` (a PostgreSQL server; an empty
 * string counts as unset, like an empty `DATABASE_URL`), `memory: true` (embedded, gone
 * at close; for tests), `dataDir` (embedded PGlite on disk; the CLI passes
 * `$AETHER_HOME/db`). So `{ databaseUrl: env.DATABASE_URL, dataDir }` does the right thing.
 */
export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  memory?: boolean;
  /** Server only: pool size (10). */
  maxConnections?: number;
  /** Server only: connection timeout in milliseconds (5,000). */
  connectTimeoutMs?: number;
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions extends DatabaseOptions {
  /**
   * Apply pending migrations on open (default `true`). Turn off where the schema is
   * migrated by a separate, more privileged step (`aether migrate`).
   */
  migrate?: boolean;
  /** Migrations to apply instead of Aether's own (tests). */
  migrationsDirectory?: string;
}

/**
 * Opens the database the options point at, without migrating it. Errors:
 * `STORE_OPTIONS_INVALID` when the options name no database; for a server,
 * `DATABASE_URL_INVALID`, `DATABASE_UNREACHABLE`, `DATABASE_AUTH_FAILED`,
 * `DATABASE_NOT_FOUND` (category `user`, naming host:port, never the password); for
 * PGlite, `DATABASE_OPEN_FAILED`.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    return openPostgresDatabase({
      url: options.databaseUrl,
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    });
  }
  if (options.memory === true) return openPgliteDatabase({});
  if (options.dataDir !== undefined) return openPgliteDatabase({ dataDir: options.dataDir });
  throw new AetherError(
    'STORE_OPTIONS_INVALID',
    'open the store with a databaseUrl, a dataDir or memory: true',
    {
      category: 'system',
    },
  );
}

/**
 * Opens Aether's store: PGlite (with pgvector) when there is no `databaseUrl`, else a pool
 * to the server; then migrates it. Keep the returned store for the life of the process
 * and close it at exit.
 *
 * @example
 * const store = await openStore({ dataDir: join(aetherHome, 'db') });
 * const tenant = await store.tenants.ensure({ slug: 'local', name: 'Local' });
 * const runs = store.forTenant(tenant.id).runs;
 */
export async function openStore(options: OpenStoreOptions): Promise<SqlStore> {
  const database = await openDatabase(options);
  try {
    let vector: boolean;
    if (options.migrate === false) {
      vector = await hasVectorExtension(database);
    } else {
      const report = await migrate(
        database,
        options.migrationsDirectory === undefined ? {} : { directory: options.migrationsDirectory },
      );
      vector = report.vector;
      // The knowledge base's HNSW index is built from code, where pgvector exists (0004_knowledge.sql).
      await ensureVectorIndex(database, DEFAULT_INDEXED_DIMENSIONS, vector);
    }
    return createSqlStore(database, { vector });
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
