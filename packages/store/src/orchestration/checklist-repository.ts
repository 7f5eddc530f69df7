import type { ChecklistItem, ChecklistItemStatus, ChecklistOutcome, ChecklistRepository } from '@aether/core';
import { toJsonbText } from '../shared/jsonb.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid } from '../shared/values.ts';
import { requireVisibleRuns } from '../shared/visible-runs.ts';

interface ItemRow {
  item_id: string;
  title: string;
  capability: string;
  acceptance: string;
  depends_on: string[];
  priority: number;
  files: string[];
  owner: string | null;
  status: ChecklistItemStatus;
  evidence: string | null;
}

/** The checklists of one tenant's runs. */
export function createChecklistRepository(tenantId: string, session: TenantSession): ChecklistRepository {
  return {
    async upsert(runId: string, items: readonly ChecklistItem[]): Promise<void> {
      if (items.length === 0) return;
      const rows = items.map((item, position) => ({
        item_id: item.id,
        position,
        title: item.title,
        capability: item.capability,
        acceptance: item.acceptance,
        depends_on: item.dependsOn,
        priority: item.priority,
        files: item.files,
        owner: item.owner,
        status: item.status,
        evidence: item.evidence,
      }));
      await session(async (tx) => {
        await requireVisibleRuns(tx, [runId], 'this checklist');
        await tx.query(
          `INSERT INTO checklist_items (tenant_id, run_id, item_id, position, title, capability, acceptance,
             depends_on, priority, files, owner, status, evidence)
           SELECT $1, $2, i.item_id, i.position, i.title, i.capability, i.acceptance, i.depends_on, i.priority,
             i.files, i.owner, i.status, i.evidence
           FROM jsonb_to_recordset($3::jsonb) AS i(item_id text, position integer, title text, capability text,
             acceptance text, depends_on text[], priority smallint, files text[], owner text, status text, evidence text)
           ON CONFLICT (tenant_id, run_id, item_id) DO UPDATE SET
             title = excluded.title, capability = excluded.capability, acceptance = excluded.acceptance,
             depends_on = excluded.depends_on, priority = excluded.priority, files = excluded.files,
             owner = excluded.owner, status = excluded.status, evidence = excluded.evidence,
             updated_at = clock_timestamp()`,
          [tenantId, runId, toJsonbText(rows)],
        );
      });
    },

    list(runId: string): Promise<ChecklistItem[]> {
      if (!isUuid(runId)) return Promise.resolve([]);
      return session(async (tx) =>
        (
          await tx.query<ItemRow>(
            `SELECT item_id, title, capability, acceptance, depends_on, priority, files, owner, status, evidence
             FROM checklist_items WHERE run_id = $1 ORDER BY position, item_id`,
            [runId],
          )
        ).map((row) => ({
          id: row.item_id,
          title: row.title,
          capability: row.capability,
          acceptance: row.acceptance,
          dependsOn: row.depends_on,
          priority: Number(row.priority),
          files: row.files,
          owner: row.owner,
          status: row.status,
          evidence: row.evidence,
        })),
      );
    },

    outcomes(limit: number): Promise<ChecklistOutcome[]> {
      return session(async (tx) =>
        (
          await tx.query<{ title: string; capability: string; owner: string; status: string }>(
            `SELECT title, capability, owner, status FROM checklist_items
             WHERE status IN ('done', 'failed') AND owner IS NOT NULL
             ORDER BY updated_at DESC LIMIT $1`,
            [limit],
          )
        ).map((row) => ({
          title: row.title,
          capability: row.capability,
          owner: row.owner,
          succeeded: row.status === 'done',
        })),
      );
    },
  };
}
