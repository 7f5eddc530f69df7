import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseDatabaseUrl } from '../drivers/database-url.ts';
import { openPostgresDatabase } from '../drivers/postgres-database.ts';

/** A database created for one test file on a PostgreSQL server. */
export interface TemporaryDatabase {
  /** `adminUrl` with the database name replaced by the new database's. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, disconnecting anyone still connected. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database `aether_test_<random>` on the server of `adminUrl` (a URL
 * whose role may `CREATE DATABASE`), so concurrent test files never share a schema. Fails
 * (it does not skip) when the server is unreachable, with `DATABASE_UNREACHABLE`.
 *
 * @example
 * const database = await createTemporaryDatabase(process.env.DATABASE_URL!);
 * afterAll(() => database.drop());
 * const store = await openStore({ databaseUrl: database.url });
 */
export async function createTemporaryDatabase(adminUrl: string): Promise<TemporaryDatabase> {
  // Opening through the driver gives the same one-line error as the store for a bad URL.
  const admin = await openPostgresDatabase({ url: adminUrl, maxConnections: 1 });
  const name = `aether_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.close();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop(): Promise<void> {
      if (dropped) return;
      dropped = true;
      const dropper = await openPostgresDatabase({ url: adminUrl, maxConnections: 1 });
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await dropper.close();
      }
    },
  };
}

/** `host:port/database` of a URL, for test names that must not show a password. */
export function describeDatabaseUrl(url: string): string {
  return parseDatabaseUrl(url).display;
}
