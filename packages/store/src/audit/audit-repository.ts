import type { AuditRecord, AuditRepository, JsonObject } from '@aether/core';
import { toJsonbText } from '../shared/jsonb.ts';
import type { TenantSession } from '../shared/session.ts';
import { toIso } from '../shared/values.ts';

interface AuditRow {
  id: string;
  at: unknown;
  actor: string;
  action: string;
  target: string | null;
  status: number;
  detail: JsonObject;
  request_id: string;
}

/** A tenant's audit log. The application role may only read and append to it. */
export function createAuditRepository(tenantId: string, session: TenantSession): AuditRepository {
  return {
    append: (entry) =>
      session(async (tx) => {
        await tx.query(
          `INSERT INTO audit_log (tenant_id, actor, action, target, status, detail, request_id)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
          [
            tenantId,
            entry.actor,
            entry.action,
            entry.target,
            entry.status,
            toJsonbText(entry.detail),
            entry.requestId,
          ],
        );
      }),

    list: (options = {}) =>
      session(async (tx) =>
        (
          await tx.query<AuditRow>(
            `SELECT id, at, actor, action, target, status, detail, request_id FROM audit_log
             ORDER BY at_order DESC LIMIT $1`,
            [Math.max(1, Math.min(options.limit ?? 100, 1000))],
          )
        ).map(
          (row): AuditRecord => ({
            id: row.id,
            at: toIso(row.at),
            actor: row.actor,
            action: row.action,
            target: row.target,
            status: Number(row.status),
            detail: row.detail,
            requestId: row.request_id,
          }),
        ),
      ),
  };
}
