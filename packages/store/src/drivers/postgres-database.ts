import { AetherError } from '@aether/core';
import pg from 'pg';
import type { Database, Transaction } from './database.ts';
import { type DatabaseAddress, parseDatabaseUrl, scrub } from './database-url.ts';
import { isSqlError } from './sql-state.ts';
import { transactionClosed } from './transaction-closed.ts';

/** Options of {@link openPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Pool size; 10 by default. */
  maxConnections?: number;
  /** How long to wait for a connection before `DATABASE_UNREACHABLE`; 5,000 ms by default. */
  connectTimeoutMs?: number;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT', // a Unix socket path that does not exist
]);

/**
 * Opens a pool of connections to a PostgreSQL server and checks that it answers, so a
 * wrong `DATABASE_URL` fails here, in one line, rather than at the first query. Errors:
 * `DATABASE_URL_INVALID`, `DATABASE_UNREACHABLE` (network), `DATABASE_AUTH_FAILED`,
 * `DATABASE_NOT_FOUND` — all category `user`, naming `host:port` and never the password.
 */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  const address = parseDatabaseUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: 'aether',
  });
  // An idle connection that dies (server restart) is dropped by the pool and reported
  // here; without a listener it would crash the process. The next query reconnects.
  pool.on('error', () => {});

  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (cause) {
      throw connectionError(cause, address);
    }
  };

  try {
    const client = await connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }

  let closed = false;
  return {
    kind: 'postgres',
    location: address.display,
    async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const client = await connect();
      try {
        const result = await client.query<Row & pg.QueryResultRow>(sql, [...params]);
        return result.rows;
      } finally {
        client.release();
      }
    },
    async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      const client = await connect();
      let broken: Error | undefined;
      // A transaction object kept past its end must not reach the client, which is back in
      // the pool serving someone else (possibly as another tenant).
      let open = true;
      const ensureOpen = (): void => {
        if (!open) throw transactionClosed();
      };
      try {
        await client.query('BEGIN');
        const result = await work({
          async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
            ensureOpen();
            const response = await client.query<Row & pg.QueryResultRow>(sql, [...params]);
            return response.rows;
          },
          async exec(sql: string): Promise<void> {
            ensureOpen();
            // Without parameters pg uses the simple protocol, which accepts several statements.
            await client.query(sql);
          },
        });
        open = false;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        open = false;
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable; destroy it rather than return it to the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Turns a failure to connect into a one-line, password-free {@link AetherError}. */
function connectionError(cause: unknown, address: DatabaseAddress): AetherError {
  const where = `${address.host}:${address.port}`;
  const hint =
    'check DATABASE_URL and that the server is running, or unset DATABASE_URL to use the embedded database';
  if (isSqlError(cause) && (cause.code === '28P01' || cause.code === '28000')) {
    return new AetherError(
      'DATABASE_AUTH_FAILED',
      `the database server at ${where} refused user "${address.user}": ${oneLine(scrub(cause.message, address.password))}`,
      { category: 'user', hint, cause },
    );
  }
  if (isSqlError(cause) && cause.code === '3D000') {
    return new AetherError(
      'DATABASE_NOT_FOUND',
      `database "${address.database}" does not exist on ${where}`,
      {
        category: 'user',
        hint: `create it (createdb ${address.database}) or point DATABASE_URL at an existing database`,
        cause,
      },
    );
  }
  const code = (cause as { code?: unknown } | null)?.code;
  const reason =
    typeof code === 'string' && NETWORK_ERROR_CODES.has(code)
      ? code
      : oneLine(scrub(cause instanceof Error ? cause.message : String(cause), address.password));
  return new AetherError('DATABASE_UNREACHABLE', `cannot reach the database server at ${where} (${reason})`, {
    category: 'user',
    isRetryable: true,
    hint,
    cause,
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
