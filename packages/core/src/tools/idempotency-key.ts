import { createHash } from 'node:crypto';

/**
 * The idempotency key of a write tool call: a hash of the run, the step and the model's call
 * id. A resumed run that replays the same step and call finds the write already recorded.
 */
export function idempotencyKey(runId: string, stepId: string, callId: string): string {
  return createHash('sha256')
    .update(`aether:write:v1\u0000${runId}\u0000${stepId}\u0000${callId}`)
    .digest('hex');
}
