import {
  AetherError,
  type ToolDecision,
  type ToolDecisionRecord,
  type ToolDecisionRepository,
  type ToolDecisionStep,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso } from '../shared/values.ts';

const STEPS: readonly ToolDecisionStep[] = [
  'registered',
  'quarantine',
  'policy',
  'credentials',
  'confirmation',
  'rate-limit',
  'idempotency',
];

const COLUMNS = 'id, run_id, call_id, step_id, agent_id, tool_name, approved, step, reason, decided_by, at';

interface DecisionRow {
  id: string;
  run_id: string;
  call_id: string;
  step_id: string;
  agent_id: string;
  tool_name: string;
  approved: boolean;
  step: ToolDecisionStep;
  reason: string;
  decided_by: string;
  at: unknown;
}

function runNotFound(runId: string, cause?: unknown): AetherError {
  return new AetherError('RUN_NOT_FOUND', `no run ${runId}`, { category: 'user', cause });
}

/** The approval pipeline's decisions of one tenant (append-only). */
export function createToolDecisionRepository(
  tenantId: string,
  session: TenantSession,
): ToolDecisionRepository {
  return {
    async record(decision: ToolDecision): Promise<ToolDecisionRecord> {
      if (!STEPS.includes(decision.step)) {
        throw new AetherError('TOOL_DECISION_INVALID', `unknown pipeline step "${decision.step}"`, {
          category: 'system',
        });
      }
      if (!isUuid(decision.runId)) throw runNotFound(decision.runId);
      return session(async (tx) => {
        try {
          const [row] = await tx.query<DecisionRow>(
            `INSERT INTO tool_decisions
               (id, tenant_id, run_id, call_id, step_id, agent_id, tool_name, approved, step, reason, decided_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             RETURNING ${COLUMNS}`,
            [
              crypto.randomUUID(),
              tenantId,
              decision.runId,
              decision.callId,
              decision.stepId,
              decision.agentId,
              decision.toolName,
              decision.approved,
              decision.step,
              decision.reason,
              decision.decidedBy,
            ],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toRecord(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) throw runNotFound(decision.runId, error);
          throw error;
        }
      });
    },

    async list(runId: string): Promise<ToolDecisionRecord[]> {
      if (!isUuid(runId)) return [];
      return session(async (tx) =>
        (
          await tx.query<DecisionRow>(
            `SELECT ${COLUMNS} FROM tool_decisions WHERE run_id = $1 ORDER BY at_order`,
            [runId],
          )
        ).map(toRecord),
      );
    },
  };
}

function toRecord(row: DecisionRow): ToolDecisionRecord {
  return {
    id: row.id,
    runId: row.run_id,
    callId: row.call_id,
    stepId: row.step_id,
    agentId: row.agent_id,
    toolName: row.tool_name,
    approved: row.approved,
    step: row.step,
    reason: row.reason,
    decidedBy: row.decided_by,
    at: toIso(row.at),
  };
}
