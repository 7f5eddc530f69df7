import type { Checkpoint, CheckpointRepository, JsonValue } from '@aether/core';
import { toJsonbText } from '../shared/jsonb.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid } from '../shared/values.ts';
import { requireVisibleRuns } from '../shared/visible-runs.ts';

/** Finished steps of one tenant's runs: append-only, first output per key wins. */
export function createCheckpointRepository(tenantId: string, session: TenantSession): CheckpointRepository {
  return {
    async save(checkpoints: readonly Checkpoint[]): Promise<void> {
      if (checkpoints.length === 0) return;
      await session(async (tx) => {
        await requireVisibleRuns(
          tx,
          checkpoints.map((checkpoint) => checkpoint.runId),
          'these checkpoints',
        );
        await tx.query(
          `INSERT INTO run_checkpoints (tenant_id, run_id, step_key, output)
           SELECT $1, c.run_id, c.step_key, c.output
           FROM jsonb_to_recordset($2::jsonb) AS c(run_id uuid, step_key text, output jsonb)
           ON CONFLICT (tenant_id, run_id, step_key) DO NOTHING`,
          [
            tenantId,
            toJsonbText(
              checkpoints.map((checkpoint) => ({
                run_id: checkpoint.runId,
                step_key: checkpoint.key,
                output: checkpoint.output,
              })),
            ),
          ],
        );
      });
    },

    async list(runId: string): Promise<Map<string, JsonValue>> {
      if (!isUuid(runId)) return new Map();
      return session(async (tx) => {
        const rows = await tx.query<{ step_key: string; output: JsonValue }>(
          'SELECT step_key, output FROM run_checkpoints WHERE run_id = $1',
          [runId],
        );
        return new Map(rows.map((row) => [row.step_key, row.output]));
      });
    },
  };
}
