import {
  AetherError,
  type JournalRepository,
  type UsageRecord,
  type UsageRepository,
  type UsageTotals,
} from '@aether/core';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toNumber } from '../shared/values.ts';

interface TotalsRow {
  agent_id: string | null;
  is_total: number | string;
  input_tokens: unknown;
  output_tokens: unknown;
  cost_usd: unknown;
}

/**
 * Token use and cost of one tenant's runs: append-only rows, summed in the database
 * (`numeric`, so costs add up exactly before becoming a number).
 */
export function createUsageRepository(session: TenantSession, journal: JournalRepository): UsageRepository {
  return {
    async record(rows: readonly UsageRecord[]): Promise<void> {
      if (rows.length === 0) return;
      await journal.write({ usage: rows });
    },

    async totals(runId: string): Promise<UsageTotals & { byAgent: Record<string, UsageTotals> }> {
      if (!isUuid(runId)) return { inputTokens: 0, outputTokens: 0, costUsd: 0, byAgent: {} };
      return session(async (tx) => {
        const rows = await tx.query<TotalsRow>(
          `SELECT agent_id, grouping(agent_id) AS is_total,
                  coalesce(sum(input_tokens), 0) AS input_tokens,
                  coalesce(sum(output_tokens), 0) AS output_tokens,
                  coalesce(sum(cost_usd), 0) AS cost_usd
           FROM usage WHERE run_id = $1
           GROUP BY GROUPING SETS ((agent_id), ())`,
          [runId],
        );
        const result = {
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          byAgent: {} as Record<string, UsageTotals>,
        };
        for (const row of rows) {
          const totals = {
            inputTokens: toNumber(row.input_tokens),
            outputTokens: toNumber(row.output_tokens),
            costUsd: toNumber(row.cost_usd),
          };
          if (toNumber(row.is_total) === 1) Object.assign(result, totals);
          else if (row.agent_id !== null) result.byAgent[row.agent_id] = totals;
        }
        return result;
      });
    },
  };
}

/** Validates a usage record and returns its row for `aether_write_journal` (`usage`). */
export function usageRow(row: UsageRecord): Record<string, unknown> {
  const where = `usage of step ${row.stepId} of run ${row.runId}`;
  if (!isUuid(row.runId)) throw usageInvalid(`${where}: runId is not a UUID`);
  for (const field of ['inputTokens', 'outputTokens'] as const) {
    if (!Number.isSafeInteger(row[field]) || row[field] < 0) {
      throw usageInvalid(`${where}: ${field} must be a whole number ≥ 0, got ${row[field]}`);
    }
  }
  if (!Number.isFinite(row.costUsd) || row.costUsd < 0) {
    throw usageInvalid(`${where}: costUsd must be a finite number ≥ 0, got ${row.costUsd}`);
  }
  if (Number.isNaN(Date.parse(row.at))) throw usageInvalid(`${where}: at is not an ISO-8601 time`);
  return {
    id: crypto.randomUUID(),
    run_id: row.runId,
    step_id: row.stepId,
    agent_id: row.agentId,
    provider: row.provider,
    model: row.model,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost_usd: row.costUsd,
    at: row.at,
  };
}

function usageInvalid(message: string): AetherError {
  return new AetherError('USAGE_INVALID', message, { category: 'system' });
}
