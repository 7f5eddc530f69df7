import type { Database } from '../drivers/database.ts';
import { SCHEMA_LOCK_SQL } from './advisory-lock.ts';

/**
 * Creates the `vector` extension where the database offers it (always on PGlite, where
 * pgvector is bundled; on a server only if pgvector is installed and we may create it),
 * and reports whether it is present. Never fails because pgvector is missing: callers fall
 * back to exact search.
 */
export async function ensureVectorExtension(database: Database): Promise<boolean> {
  if (await hasVectorExtension(database)) return true;
  try {
    await database.transaction(async (tx) => {
      await tx.query(SCHEMA_LOCK_SQL);
      const available = await tx.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
      if (available.length > 0) await tx.exec('CREATE EXTENSION IF NOT EXISTS vector');
    });
  } catch {
    // Installed on the server but not creatable by this role: report it as absent.
    return false;
  }
  return hasVectorExtension(database);
}

/** True when the `vector` extension is created in the current database. */
export async function hasVectorExtension(database: Database): Promise<boolean> {
  const rows = await database.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
  return rows.length > 0;
}
