import type { InviteKind, InviteRecord, InviteRepository, MemberRole } from '@aether/core';
import type { TenantSession } from '../shared/session.ts';
import { toIso, toIsoOrNull } from '../shared/values.ts';

const COLUMNS = 'id, tenant_id, kind, role, email, created_by, created_at, expires_at, used_at';

interface InviteRow {
  id: string;
  tenant_id: string;
  kind: InviteKind;
  role: MemberRole;
  email: string | null;
  created_by: string;
  created_at: unknown;
  expires_at: unknown;
  used_at: unknown;
}

/** A tenant's invites, by the SHA-256 of their token; each can be used once. */
export function createInviteRepository(tenantId: string, session: TenantSession): InviteRepository {
  return {
    create: (input) =>
      session(async (tx) => {
        const [row] = await tx.query<InviteRow>(
          `INSERT INTO invites (id, tenant_id, token_hash, kind, role, email, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
          [
            crypto.randomUUID(),
            tenantId,
            input.tokenHash,
            input.kind,
            input.role,
            input.email?.trim().toLowerCase() ?? null,
            input.createdBy,
            input.expiresAt,
          ],
        );
        if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
        return toInvite(row);
      }),

    list: () =>
      session(async (tx) =>
        (await tx.query<InviteRow>(`SELECT ${COLUMNS} FROM invites ORDER BY created_order DESC`)).map(
          toInvite,
        ),
      ),

    consume: (tokenHash, now) =>
      session(async (tx) => {
        const [row] = await tx.query<InviteRow>(
          `UPDATE invites SET used_at = $2::timestamptz
           WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2::timestamptz
           RETURNING ${COLUMNS}`,
          [tokenHash, now],
        );
        return row === undefined ? undefined : toInvite(row);
      }),
  };
}

function toInvite(row: InviteRow): InviteRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    role: row.role,
    email: row.email,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    expiresAt: toIso(row.expires_at),
    usedAt: toIsoOrNull(row.used_at),
  };
}
