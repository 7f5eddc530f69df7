import { mkdir } from 'node:fs/promises';
import { AetherError } from '@aether/core';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Database, Transaction } from './database.ts';
import { transactionClosed } from './transaction-closed.ts';

/** Options of {@link openPgliteDatabase}. */
export interface PgliteDatabaseOptions {
  /** Data directory (created if missing); in memory when absent. */
  dataDir?: string;
  /** PostgreSQL settings on top of {@link EMBEDDED_SETTINGS} (`-c name=value` at start). */
  settings?: Readonly<Record<string, string>>;
}

/**
 * PostgreSQL's defaults size shared memory for a server with 100 connections and 128 MB
 * of buffers. The embedded database has one connection and lives in this process's
 * memory (WebAssembly), so it gets buffers and connection slots to match. Measured on an
 * existing data directory, the process right after opening it: ~370–450 MB resident with
 * the defaults, ~210–220 MB with these. Pages that do not fit stay in the operating
 * system's file cache.
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  max_connections: '4',
  wal_buffers: '512kB',
};

/**
 * Opens an embedded PGlite database with the pgvector extension loaded (not yet created
 * in the database: see `ensureVectorExtension`). One instance serves the whole process:
 * PGlite is a single connection, so transactions run one after another.
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  const { dataDir } = options;
  const location = dataDir ?? 'memory';
  let pglite: PGlite;
  try {
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    const startParams = [
      ...PGlite.defaultStartParams,
      ...Object.entries({ ...EMBEDDED_SETTINGS, ...options.settings }).flatMap(([name, value]) => [
        '-c',
        `${name}=${value}`,
      ]),
    ];
    pglite = await PGlite.create(
      dataDir === undefined
        ? { extensions: { vector }, startParams }
        : { dataDir, extensions: { vector }, startParams },
    );
  } catch (cause) {
    throw new AetherError(
      'DATABASE_OPEN_FAILED',
      `cannot open the embedded database at ${location}: ${describe(cause)}`,
      {
        category: 'system',
        hint: 'check that the directory is writable and not used by another Aether process',
        cause,
      },
    );
  }
  return {
    kind: 'pglite',
    location,
    async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await pglite.query<Row>(sql, [...params]);
      return result.rows;
    },
    transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      return pglite.transaction(async (tx) => {
        let open = true;
        const ensureOpen = (): void => {
          if (!open) throw transactionClosed();
        };
        try {
          return await work({
            async query<Row extends object>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
              ensureOpen();
              const result = await tx.query<Row>(sql, [...params]);
              return result.rows;
            },
            async exec(sql: string): Promise<void> {
              ensureOpen();
              await tx.exec(sql);
            },
          });
        } finally {
          open = false;
        }
      });
    },
    async close(): Promise<void> {
      if (!pglite.closed) await pglite.close();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
