import type { Database } from '../drivers/database.ts';

/**
 * The id of every tenant, oldest first, for administration that must touch each tenant in
 * turn (master key rotation). Runs as the connecting (migrating) role, which 0001's
 * `tenant_directory` policy lets read the directory; tenant data still goes through
 * `Store.forTenant`.
 */
export async function listTenantIds(database: Database): Promise<string[]> {
  const rows = await database.query<{ id: string }>('SELECT id FROM tenants ORDER BY created_at, id');
  return rows.map((row) => row.id);
}
