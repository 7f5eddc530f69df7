import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../contracts/clock.ts';
import type { ApprovalRepository } from '../contracts/tool-store.ts';
import type { ApprovalDecision, ApprovalGate, ApprovalRequest } from '../contracts/tools.ts';

/**
 * A gate with nobody behind it: every write that needs confirmation is denied at once with
 * `reason` (e.g. `aether run --json`, or no terminal).
 */
export function denyingApprovalGate(reason: string): ApprovalGate {
  return {
    via: 'none',
    ask: async () => ({ approved: false, reason, decidedBy: 'policy' }),
  };
}

/** Options of a {@link DatabaseApprovalGate}. */
export interface DatabaseApprovalGateOptions {
  approvals: ApprovalRepository;
  clock: Clock;
  /** How often the pending approval is read again while waiting. */
  pollIntervalMs?: number;
  /** Waits `ms` (tests may pass one that resolves at once). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * A gate that files a pending approval in the database and waits until someone answers it
 * (the server's API) or the tool manager's timeout aborts the wait; the approval is then
 * marked expired, so a late answer cannot approve a write that was already denied.
 */
export class DatabaseApprovalGate implements ApprovalGate {
  readonly via = 'database';
  readonly #options: DatabaseApprovalGateOptions;

  constructor(options: DatabaseApprovalGateOptions) {
    this.#options = options;
  }

  async ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    const { approvals, clock } = this.#options;
    const sleep =
      this.#options.sleep ?? ((ms: number, abort: AbortSignal) => delay(ms, undefined, { signal: abort }));
    const pending = await approvals.create({
      id: request.id,
      runId: request.runId,
      callId: request.callId,
      stepId: request.stepId,
      agentId: request.agentId,
      toolName: request.toolName,
      input: request.input,
      what: request.what,
      how: request.how,
      why: request.why,
      expiresAt: new Date(clock.now() + request.timeoutMs).toISOString(),
    });
    try {
      for (;;) {
        const current = await approvals.get(pending.id);
        if (current !== undefined && current.status !== 'pending') {
          return {
            approved: current.status === 'approved',
            reason: current.reason ?? current.status,
            decidedBy: current.decidedBy ?? 'unknown',
          };
        }
        await sleep(this.#options.pollIntervalMs ?? 500, signal);
      }
    } catch (error) {
      const expired = await approvals.decide(pending.id, {
        status: 'expired',
        reason: 'nobody answered in time',
        decidedBy: 'timeout',
      });
      // Answered in the same instant the wait ended: that answer stands.
      if (expired !== undefined && expired.status !== 'expired' && expired.status !== 'pending') {
        return {
          approved: expired.status === 'approved',
          reason: expired.reason ?? expired.status,
          decidedBy: expired.decidedBy ?? 'unknown',
        };
      }
      throw error;
    }
  }
}
