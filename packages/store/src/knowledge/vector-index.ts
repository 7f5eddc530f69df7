import type { Database } from '../drivers/database.ts';
import { SCHEMA_LOCK_SQL } from '../migrations/advisory-lock.ts';
import { checkedDimensions, MAX_INDEXED_DIMENSIONS, vectorIndexName, vectorIndexSql } from './vector-sql.ts';

/**
 * Creates the HNSW index for embeddings of `dimensions` if it is missing, as the migrating
 * role (application queries run as `aether_app`, which may not create indexes). Idempotent
 * and safe to race (the schema advisory lock serialises it). Returns `false`, doing
 * nothing, where no index can help: without pgvector, or above
 * {@link MAX_INDEXED_DIMENSIONS} dimensions; search is then exact.
 */
export async function ensureVectorIndex(
  database: Database,
  dimensions: number,
  vector: boolean,
): Promise<boolean> {
  const n = checkedDimensions(dimensions);
  if (!vector || n > MAX_INDEXED_DIMENSIONS) return false;
  const [state] = await database.query<{ chunks: string | null; index: string | null }>(
    `SELECT to_regclass('knowledge_chunks')::text AS chunks, to_regclass($1)::text AS index`,
    [vectorIndexName(n)],
  );
  // A database migrated with other migrations (tests) has no knowledge tables.
  if (state?.chunks === null || state?.chunks === undefined) return false;
  if (state.index !== null) return true;
  await database.transaction(async (tx) => {
    await tx.query(SCHEMA_LOCK_SQL);
    await tx.exec(vectorIndexSql(n));
  });
  return true;
}
