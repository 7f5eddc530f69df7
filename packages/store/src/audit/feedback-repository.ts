import { AetherError, type FeedbackRecord, type FeedbackRepository } from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso } from '../shared/values.ts';

interface FeedbackRow {
  id: string;
  run_id: string;
  user_id: string | null;
  rating: number;
  comment: string | null;
  created_at: unknown;
}

const COLUMNS = 'id, run_id, user_id, rating, comment, created_at';

/** Ratings of a tenant's results (append-only). */
export function createFeedbackRepository(tenantId: string, session: TenantSession): FeedbackRepository {
  return {
    add: (input) => {
      if (!isUuid(input.runId)) {
        return Promise.reject(
          new AetherError('RUN_NOT_FOUND', `no run ${input.runId}`, { category: 'user' }),
        );
      }
      return session(async (tx) => {
        try {
          const [row] = await tx.query<FeedbackRow>(
            `INSERT INTO feedback (id, tenant_id, run_id, user_id, rating, comment) VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING ${COLUMNS}`,
            [crypto.randomUUID(), tenantId, input.runId, input.userId, input.rating, input.comment],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toRecord(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) {
            throw new AetherError('RUN_NOT_FOUND', `no run ${input.runId}`, {
              category: 'user',
              cause: error,
            });
          }
          if (isSqlError(error, SQL_STATE.checkViolation)) {
            throw new AetherError('FEEDBACK_INVALID', 'rating must be an integer from 1 to 5', {
              category: 'user',
              cause: error,
            });
          }
          throw error;
        }
      });
    },
    list: (runId) =>
      isUuid(runId)
        ? session(async (tx) =>
            (
              await tx.query<FeedbackRow>(
                `SELECT ${COLUMNS} FROM feedback WHERE run_id = $1 ORDER BY created_order`,
                [runId],
              )
            ).map(toRecord),
          )
        : Promise.resolve([]),
  };
}

function toRecord(row: FeedbackRow): FeedbackRecord {
  return {
    id: row.id,
    runId: row.run_id,
    userId: row.user_id,
    rating: Number(row.rating),
    comment: row.comment,
    createdAt: toIso(row.created_at),
  };
}
