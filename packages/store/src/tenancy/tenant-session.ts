import type { Database, Transaction } from '../drivers/database.ts';

/** The role application queries run as: not the owner of anything, subject to RLS. */
export const APP_ROLE = 'aether_app';

/**
 * Switches the transaction to {@link APP_ROLE} and sets the tenant, in one round trip.
 * Both are transaction-local (`is_local = true`), so they end with the transaction and a
 * pooled connection never carries a tenant over. An empty tenant id means "no tenant":
 * every tenant-owned table then looks empty.
 */
export const TENANT_SESSION_SQL = `SELECT set_config('role', '${APP_ROLE}', true), set_config('app.tenant_id', $1, true)`;

/**
 * Runs `work` as {@link APP_ROLE} for `tenantId` ('' for none): in `tx` when given (its
 * session is already set), else in a new transaction that sets it first.
 */
export function withTenant<T>(
  database: Database,
  tenantId: string,
  tx: Transaction | undefined,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  if (tx !== undefined) return work(tx);
  return database.transaction(async (transaction) => {
    await transaction.query(TENANT_SESSION_SQL, [tenantId]);
    return work(transaction);
  });
}
