import type { ApiKeyRecord, ApiKeyRepository, MemberRole } from '@aether/core';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso, toIsoOrNull } from '../shared/values.ts';

const COLUMNS = 'id, name, user_id, role, prefix, created_at, last_used_at, revoked_at';

interface ApiKeyRow {
  id: string;
  name: string;
  user_id: string;
  role: MemberRole;
  prefix: string;
  created_at: unknown;
  last_used_at: unknown;
  revoked_at: unknown;
  key_hash?: string;
}

/** A tenant's API keys: the SHA-256 of each key's secret, never the key. */
export function createApiKeyRepository(tenantId: string, session: TenantSession): ApiKeyRepository {
  return {
    create: (input) =>
      session(async (tx) => {
        const [row] = await tx.query<ApiKeyRow>(
          `INSERT INTO api_keys (id, tenant_id, user_id, name, role, prefix, key_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [input.id, tenantId, input.userId, input.name, input.role, input.prefix, input.keyHash],
        );
        if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
        return toKey(row);
      }),

    findForAuth: (id) =>
      isUuid(id)
        ? session(async (tx) => {
            const [row] = await tx.query<ApiKeyRow>(
              `SELECT ${COLUMNS}, key_hash FROM api_keys WHERE id = $1`,
              [id],
            );
            return row === undefined ? undefined : { ...toKey(row), keyHash: row.key_hash ?? '' };
          })
        : Promise.resolve(undefined),

    list: () =>
      session(async (tx) =>
        (await tx.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_order DESC`)).map(toKey),
      ),

    revoke: (id) =>
      isUuid(id)
        ? session(async (tx) => {
            const [row] = await tx.query<ApiKeyRow>(
              `UPDATE api_keys SET revoked_at = coalesce(revoked_at, clock_timestamp()) WHERE id = $1
               RETURNING ${COLUMNS}`,
              [id],
            );
            return row === undefined ? undefined : toKey(row);
          })
        : Promise.resolve(undefined),

    touch: (id) =>
      isUuid(id)
        ? session(async (tx) => {
            await tx.query('UPDATE api_keys SET last_used_at = clock_timestamp() WHERE id = $1', [id]);
          })
        : Promise.resolve(),
  };
}

function toKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    userId: row.user_id,
    role: row.role,
    prefix: row.prefix,
    createdAt: toIso(row.created_at),
    lastUsedAt: toIsoOrNull(row.last_used_at),
    revokedAt: toIsoOrNull(row.revoked_at),
  };
}
