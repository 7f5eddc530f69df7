import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import type { RunContext } from './run-context.ts';

/**
 * Records a failure against an agent's circuit breaker and tells the trace when it trips.
 */
export function recordAgentFailure(context: RunContext, agentId: string): void {
  const outcome = context.breakers.recordFailure(agentId);
  if (outcome.tripped) {
    context.journal.emit({
      type: 'breaker.tripped',
      agentId,
      failures: outcome.failures,
      windowMs: context.settings.escalation.windowMs,
    });
  }
}

/**
 * Where a failed item goes next: up the failing agent's escalation chain (worker → manager
 * → master), skipping agents whose breaker is open. The master accepts only items of
 * priority ≥ `escalation.masterMinPriority` or escalations from a manager. Every decision is
 * an `escalation` event; `undefined` means the item has nowhere left to go.
 */
export function escalate(
  context: RunContext,
  item: ChecklistItem,
  from: AgentDefinition,
  reason: string,
  tried: ReadonlySet<string>,
): AgentDefinition | undefined {
  if (!context.settings.escalation.enabled) return undefined;
  let current: AgentDefinition = from;
  for (;;) {
    const targetId = current.escalationTarget;
    const target = targetId === undefined ? undefined : context.registry.get(targetId);
    if (target === undefined || tried.has(target.id)) {
      context.journal.emit({
        type: 'escalation',
        itemId: item.id,
        from: from.id,
        to: null,
        priority: item.priority,
        accepted: false,
        reason: `${reason}; no one left to escalate to`,
      });
      return undefined;
    }
    if (context.breakers.isOpen(target.id)) {
      current = target;
      continue;
    }
    const acceptsAsMaster =
      item.priority >= context.settings.escalation.masterMinPriority || current.tier === 'manager';
    if (target.tier === 'master' && !acceptsAsMaster) {
      context.journal.emit({
        type: 'escalation',
        itemId: item.id,
        from: current.id,
        to: target.id,
        priority: item.priority,
        accepted: false,
        reason: `the master takes only priority ≥ ${context.settings.escalation.masterMinPriority} or escalations from a manager (${reason})`,
      });
      return undefined;
    }
    context.journal.emit({
      type: 'escalation',
      itemId: item.id,
      from: current.id,
      to: target.id,
      priority: item.priority,
      accepted: true,
      reason,
    });
    return target;
  }
}
