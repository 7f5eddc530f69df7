import { AetherError, type JsonObject, type ToolWriteRecord, type ToolWriteRepository } from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso, toIsoOrNull } from '../shared/values.ts';

const COLUMNS =
  'idempotency_key, run_id, step_id, call_id, tool_name, status, outcome, started_at, completed_at';

interface WriteRow {
  idempotency_key: string;
  run_id: string;
  step_id: string;
  call_id: string;
  tool_name: string;
  status: 'started' | 'completed';
  outcome: JsonObject | null;
  started_at: unknown;
  completed_at: unknown;
}

/** The idempotency log of write tool calls of one tenant. */
export function createToolWriteRepository(tenantId: string, session: TenantSession): ToolWriteRepository {
  return {
    async begin(write) {
      if (write.key === '') {
        throw new AetherError('TOOL_WRITE_INVALID', 'an idempotency key is not empty', {
          category: 'system',
        });
      }
      if (!isUuid(write.runId)) {
        throw new AetherError('RUN_NOT_FOUND', `no run ${write.runId}`, { category: 'user' });
      }
      return session(async (tx) => {
        try {
          const inserted = await tx.query<WriteRow>(
            `INSERT INTO tool_writes (tenant_id, idempotency_key, run_id, step_id, call_id, tool_name)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
             RETURNING ${COLUMNS}`,
            [tenantId, write.key, write.runId, write.stepId, write.callId, write.toolName],
          );
          if (inserted.length > 0) return { claimed: true as const };
          const [existing] = await tx.query<WriteRow>(
            `SELECT ${COLUMNS} FROM tool_writes WHERE idempotency_key = $1`,
            [write.key],
          );
          if (existing === undefined) throw new Error('a conflicting write is not visible');
          return { claimed: false as const, existing: toRecord(existing) };
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) {
            throw new AetherError('RUN_NOT_FOUND', `no run ${write.runId}`, {
              category: 'user',
              cause: error,
            });
          }
          throw error;
        }
      });
    },

    complete: (key, outcome) =>
      session(async (tx) => {
        const rows = await tx.query(
          `UPDATE tool_writes SET status = 'completed', outcome = $2, completed_at = clock_timestamp()
           WHERE idempotency_key = $1 AND status = 'started' RETURNING idempotency_key`,
          [key, JSON.stringify(outcome)],
        );
        if (rows.length === 0) {
          throw new AetherError('TOOL_WRITE_NOT_STARTED', `no started write with idempotency key ${key}`, {
            category: 'system',
          });
        }
      }),

    get: (key) =>
      session(async (tx) => {
        const [row] = await tx.query<WriteRow>(
          `SELECT ${COLUMNS} FROM tool_writes WHERE idempotency_key = $1`,
          [key],
        );
        return row === undefined ? undefined : toRecord(row);
      }),
  };
}

function toRecord(row: WriteRow): ToolWriteRecord {
  return {
    key: row.idempotency_key,
    runId: row.run_id,
    stepId: row.step_id,
    callId: row.call_id,
    toolName: row.tool_name,
    status: row.status,
    outcome: row.outcome,
    startedAt: toIso(row.started_at),
    completedAt: toIsoOrNull(row.completed_at),
  };
}
