import { describe, it } from 'vitest';
import type { Database } from '../drivers/database.ts';
import { openPgliteDatabase } from '../drivers/pglite-database.ts';
import { openPostgresDatabase } from '../drivers/postgres-database.ts';
import { createTemporaryDatabase, describeDatabaseUrl } from './temporary-database.ts';

/** An empty database for one test, and how to open more connections to it. */
export interface FreshDatabase {
  readonly database: Database;
  /** Another independent handle on the same database (a pool on a server; PGlite: the same instance). */
  openAnother(): Promise<Database>;
  /** Closes every handle and drops the database. */
  dispose(): Promise<void>;
}

/** Opens an empty database of one kind. */
export type FreshDatabaseFactory = () => Promise<FreshDatabase>;

/**
 * Declares `body` once for PGlite (in memory) and once for the PostgreSQL server at
 * `adminUrl`, each time with a factory of empty databases. Without `adminUrl` the server
 * variant is declared skipped, so the report shows it was not run; with an unreachable
 * one it fails.
 */
export function describeOnEachDatabase(
  title: string,
  adminUrl: string | undefined,
  body: (fresh: FreshDatabaseFactory, kind: Database['kind']) => void,
): void {
  describe(`${title} (PGlite)`, () => body(freshPglite, 'pglite'));
  if (adminUrl === undefined || adminUrl === '') {
    describe.skip(`${title} (PostgreSQL: set DATABASE_URL to run)`, () => {
      it('runs on a server', () => {});
    });
    return;
  }
  describe(`${title} (PostgreSQL at ${describeDatabaseUrl(adminUrl)})`, () =>
    body(() => freshPostgres(adminUrl), 'postgres'));
}

async function freshPglite(): Promise<FreshDatabase> {
  const database = await openPgliteDatabase();
  return {
    database,
    openAnother: async () => database,
    dispose: () => database.close(),
  };
}

async function freshPostgres(adminUrl: string): Promise<FreshDatabase> {
  const temporary = await createTemporaryDatabase(adminUrl);
  const handles: Database[] = [];
  const open = async (): Promise<Database> => {
    const handle = await openPostgresDatabase({ url: temporary.url });
    handles.push(handle);
    return handle;
  };
  try {
    const database = await open();
    return {
      database,
      openAnother: open,
      async dispose() {
        await Promise.all(handles.map((handle) => handle.close()));
        await temporary.drop();
      },
    };
  } catch (error) {
    await temporary.drop();
    throw error;
  }
}
