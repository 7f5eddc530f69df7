import { AetherError } from '@aether/core';
import type { Queryable } from '../drivers/database.ts';

/**
 * Refuses a write that names a run the tenant cannot see (unknown, or another tenant's:
 * RLS hides those rows). One indexed lookup per batch replaces a foreign-key check per
 * row; run rows are never deleted, so a run seen here stays valid for the transaction.
 */
export async function requireVisibleRuns(
  tx: Queryable,
  runIds: readonly string[],
  what: string,
): Promise<void> {
  const wanted = [...new Set(runIds)];
  const rows = await tx.query<{ id: string }>('SELECT id FROM runs WHERE id = ANY($1::uuid[])', [wanted]);
  if (rows.length === wanted.length) return;
  const seen = new Set(rows.map((row) => row.id));
  const missing = wanted.filter((id) => !seen.has(id));
  throw new AetherError('RUN_NOT_FOUND', `no run ${missing.join(', ')} for ${what}; nothing was written`, {
    category: 'user',
  });
}
