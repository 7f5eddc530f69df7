/** Tokens and money spent, summed over some set of model calls. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** One model call's usage, as stored in the `usage` table. */
export interface UsageRecord {
  runId: string;
  /** The model step that made the call (unique within the run). */
  stepId: string;
  agentId: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** ISO-8601 time of the call's end. */
  at: string;
}
