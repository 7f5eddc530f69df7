import {
  AetherError,
  type ApprovalRepository,
  type JsonValue,
  type NewPendingApproval,
  type PendingApproval,
  type PendingApprovalAnswer,
  type PendingApprovalStatus,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso, toIsoOrNull } from '../shared/values.ts';

const COLUMNS =
  'id, run_id, call_id, step_id, agent_id, tool_name, input, what, how, why, status, reason, decided_by, created_at, expires_at, decided_at';

interface ApprovalRow {
  id: string;
  run_id: string;
  call_id: string;
  step_id: string;
  agent_id: string;
  tool_name: string;
  input: JsonValue;
  what: string;
  how: string;
  why: string;
  status: PendingApprovalStatus;
  reason: string | null;
  decided_by: string | null;
  created_at: unknown;
  expires_at: unknown;
  decided_at: unknown;
}

const ANSWERS: readonly PendingApprovalAnswer['status'][] = ['approved', 'denied', 'expired'];

/** Writes waiting for a person, per tenant. Answers are compare-and-set on `pending`. */
export function createApprovalRepository(tenantId: string, session: TenantSession): ApprovalRepository {
  return {
    async create(request: NewPendingApproval): Promise<PendingApproval> {
      if (!isUuid(request.runId)) {
        throw new AetherError('RUN_NOT_FOUND', `no run ${request.runId}`, { category: 'user' });
      }
      const id = request.id ?? crypto.randomUUID();
      if (!isUuid(id)) {
        throw new AetherError('APPROVAL_INVALID', `approval id "${id}" is not a UUID`, {
          category: 'system',
        });
      }
      if (Number.isNaN(Date.parse(request.expiresAt))) {
        throw new AetherError(
          'APPROVAL_INVALID',
          `expiresAt "${request.expiresAt}" is not an ISO-8601 time`,
          {
            category: 'system',
          },
        );
      }
      return session(async (tx) => {
        try {
          const [row] = await tx.query<ApprovalRow>(
            `INSERT INTO pending_approvals
               (id, tenant_id, run_id, call_id, step_id, agent_id, tool_name, input, what, how, why, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             RETURNING ${COLUMNS}`,
            [
              id,
              tenantId,
              request.runId,
              request.callId,
              request.stepId,
              request.agentId,
              request.toolName,
              JSON.stringify(request.input),
              request.what,
              request.how,
              request.why,
              request.expiresAt,
            ],
          );
          if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
          return toApproval(row);
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) {
            throw new AetherError('RUN_NOT_FOUND', `no run ${request.runId}`, {
              category: 'user',
              cause: error,
            });
          }
          throw error;
        }
      });
    },

    async get(id: string) {
      if (!isUuid(id)) return undefined;
      return session(async (tx) => {
        const [row] = await tx.query<ApprovalRow>(`SELECT ${COLUMNS} FROM pending_approvals WHERE id = $1`, [
          id,
        ]);
        return row === undefined ? undefined : toApproval(row);
      });
    },

    listPending: () =>
      session(async (tx) =>
        (
          await tx.query<ApprovalRow>(
            `SELECT ${COLUMNS} FROM pending_approvals WHERE status = 'pending' ORDER BY created_at, created_order`,
          )
        ).map(toApproval),
      ),

    async decide(id: string, answer: PendingApprovalAnswer) {
      if (!ANSWERS.includes(answer.status)) {
        throw new AetherError(
          'APPROVAL_INVALID',
          `an answer is approved, denied or expired, got "${answer.status}"`,
          {
            category: 'user',
          },
        );
      }
      if (!isUuid(id)) return undefined;
      return session(async (tx) => {
        const [changed] = await tx.query<ApprovalRow>(
          `UPDATE pending_approvals
           SET status = $2, reason = $3, decided_by = $4, decided_at = clock_timestamp()
           WHERE id = $1 AND status = 'pending' AND ($2 = 'expired' OR expires_at > clock_timestamp())
           RETURNING ${COLUMNS}`,
          [id, answer.status, answer.reason, answer.decidedBy],
        );
        if (changed !== undefined) return toApproval(changed);
        const [row] = await tx.query<ApprovalRow>(`SELECT ${COLUMNS} FROM pending_approvals WHERE id = $1`, [
          id,
        ]);
        return row === undefined ? undefined : toApproval(row);
      });
    },
  };
}

function toApproval(row: ApprovalRow): PendingApproval {
  return {
    id: row.id,
    runId: row.run_id,
    callId: row.call_id,
    stepId: row.step_id,
    agentId: row.agent_id,
    toolName: row.tool_name,
    input: row.input,
    what: row.what,
    how: row.how,
    why: row.why,
    status: row.status,
    reason: row.reason,
    decidedBy: row.decided_by,
    createdAt: toIso(row.created_at),
    expiresAt: toIso(row.expires_at),
    decidedAt: toIsoOrNull(row.decided_at),
  };
}
