import type { Checkpoint, CheckpointRepository, JournalRepository, JsonValue } from '@aether/core';
import type { TenantSession } from '../shared/session.ts';
import { isUuid } from '../shared/values.ts';

/** Finished steps of one tenant's runs: append-only, first output per key wins. */
export function createCheckpointRepository(
  session: TenantSession,
  journal: JournalRepository,
): CheckpointRepository {
  return {
    async save(checkpoints: readonly Checkpoint[]): Promise<void> {
      if (checkpoints.length === 0) return;
      await journal.write({ checkpoints });
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
