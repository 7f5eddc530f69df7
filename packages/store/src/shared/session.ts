import type { Queryable } from '../drivers/database.ts';

/**
 * Runs `work` in a transaction already set up for one tenant (role + `app.tenant_id`).
 * Repositories receive one and never open transactions themselves.
 */
export type TenantSession = <T>(work: (tx: Queryable) => Promise<T>) => Promise<T>;

/** `count` parameter references starting at `$first`, e.g. `$2, $3, $4`. */
export function parameterList(first: number, count: number): string {
  return Array.from({ length: count }, (_, index) => `$${first + index}`).join(', ');
}

/**
 * Most rows one multi-row INSERT carries. PostgreSQL allows 65,535 parameters per
 * statement; larger batches become several statements in the same transaction.
 */
export const MAX_ROWS_PER_INSERT = 4_000;

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
