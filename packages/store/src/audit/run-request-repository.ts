import type { RunRequestRecord, RunRequestRepository } from '@aether/core';
import type { TenantSession } from '../shared/session.ts';
import { toIso } from '../shared/values.ts';

interface RunRequestRow {
  idempotency_key: string;
  run_id: string;
  request_hash: string;
  created_at: unknown;
}

const COLUMNS = 'idempotency_key, run_id, request_hash, created_at';

/** `Idempotency-Key`s of `POST /v1/runs`, per tenant. The first claim of a key wins. */
export function createRunRequestRepository(tenantId: string, session: TenantSession): RunRequestRepository {
  const get = (key: string) =>
    session(async (tx) => {
      const [row] = await tx.query<RunRequestRow>(
        `SELECT ${COLUMNS} FROM run_requests WHERE idempotency_key = $1`,
        [key],
      );
      return row === undefined ? undefined : toRecord(row);
    });
  return {
    get,
    claim: (input) =>
      session(async (tx) => {
        const [inserted] = await tx.query<RunRequestRow>(
          `INSERT INTO run_requests (tenant_id, idempotency_key, run_id, request_hash) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
          [tenantId, input.key, input.runId, input.requestHash],
        );
        if (inserted !== undefined) return toRecord(inserted);
        const [existing] = await tx.query<RunRequestRow>(
          `SELECT ${COLUMNS} FROM run_requests WHERE idempotency_key = $1`,
          [input.key],
        );
        if (existing === undefined) throw new Error('an idempotency key conflicted but cannot be read');
        return toRecord(existing);
      }),
  };
}

function toRecord(row: RunRequestRow): RunRequestRecord {
  return {
    key: row.idempotency_key,
    runId: row.run_id,
    requestHash: row.request_hash,
    createdAt: toIso(row.created_at),
  };
}
