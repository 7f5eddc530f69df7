import type {
  ChecklistItem,
  ChecklistItemStatus,
  ChecklistOutcome,
  ChecklistRepository,
  JournalRepository,
} from '@aether/core';
import type { TenantSession } from '../shared/session.ts';
import { isUuid } from '../shared/values.ts';

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
export function createChecklistRepository(
  session: TenantSession,
  journal: JournalRepository,
): ChecklistRepository {
  return {
    async upsert(runId: string, items: readonly ChecklistItem[]): Promise<void> {
      if (items.length === 0) return;
      await journal.write({ checklist: [{ runId, items }] });
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
