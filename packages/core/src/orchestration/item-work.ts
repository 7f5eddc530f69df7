import type { AgentDefinition } from '../contracts/agent.ts';
import type { ChecklistItem } from '../contracts/checklist.ts';
import { runAgentLoop } from '../engine/agent-loop.ts';
import { startConversation } from '../engine/turn-preparation.ts';
import { AetherError, describeError } from '../errors.ts';
import type { RunContext } from './run-context.ts';
import { verifyItem } from './verification.ts';

/** How an item ended. */
export interface ItemOutcome {
  item: ChecklistItem;
  ok: boolean;
  /** The accepted result, or why it failed. */
  text: string;
  agentId: string;
}

function taskPrompt(
  context: RunContext,
  item: ChecklistItem,
  dependencies: ReadonlyMap<string, ItemOutcome>,
  feedback: string | undefined,
): string {
  const inputs = item.dependsOn
    .map((id) => dependencies.get(id))
    .filter((outcome): outcome is ItemOutcome => outcome !== undefined)
    .map((outcome) => `Result of ${outcome.item.id} (${outcome.item.title}):\n${outcome.text}`);
  return [
    `Overall goal: ${context.goal}`,
    `Your task (${item.id}): ${item.title}`,
    `Done means: ${item.acceptance}`,
    item.files.length > 0 ? `Files concerned: ${item.files.join(', ')}` : '',
    ...inputs,
    feedback === undefined ? '' : `Your previous attempt did not pass verification: ${feedback}\nFix that.`,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

/** Marks an item and tells the trace and the checklist. */
export function updateItem(context: RunContext, item: ChecklistItem, patch: Partial<ChecklistItem>): void {
  Object.assign(item, patch);
  context.journal.updateChecklist([item]);
  context.journal.emit({ type: 'checklist.updated', item: { ...item } });
}

/**
 * One agent works one item: attempt, verification against the acceptance evidence, and a
 * second attempt with the verifier's reason when it fails (`methodology.maxRevisions`).
 * Returns a failure (never throws) for the escalation step to handle, except when the run
 * itself must stop (cancelled, budget, blocked by a guard).
 */
export async function workItem(
  context: RunContext,
  item: ChecklistItem,
  agent: AgentDefinition,
  verifier: AgentDefinition,
  dependencies: ReadonlyMap<string, ItemOutcome>,
): Promise<ItemOutcome> {
  const attempts = 1 + context.settings.methodology.maxRevisions;
  let feedback: string | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    updateItem(context, item, { owner: agent.id, status: 'in_progress' });
    context.journal.emit({ type: 'item.started', itemId: item.id, agentId: agent.id, attempt });
    let text: string;
    try {
      const result = await runAgentLoop({
        tenantId: context.tenantId,
        runId: context.journal.runId,
        agent,
        models: context.modelsFor(agent),
        conversation: startConversation(
          agent.systemPrompt,
          taskPrompt(context, item, dependencies, feedback),
        ),
        tools: context.tools,
        journal: context.journal,
        prices: context.prices,
        clock: context.clock,
        limits: context.limitsFor(agent),
        signal: context.signal,
        stepPrefix: `${item.id}/${attempt}/${agent.id}`,
        checkpoints: context.checkpoints,
        hooks: context.hooksFor(agent),
      });
      text = result.text;
    } catch (error) {
      if (stopsTheRun(error, context)) throw error;
      const reason = describeError(error);
      context.journal.emit({
        type: 'item.completed',
        itemId: item.id,
        agentId: agent.id,
        attempt,
        ok: false,
        summary: reason,
      });
      return { item, ok: false, text: reason, agentId: agent.id };
    }
    context.journal.emit({
      type: 'item.completed',
      itemId: item.id,
      agentId: agent.id,
      attempt,
      ok: true,
      summary: text.slice(0, 300),
    });
    if (!context.settings.methodology.verify) return { item, ok: true, text, agentId: agent.id };
    const verdict = await verifyItem(context, verifier, item, agent.id, attempt, text);
    if (verdict.passed) return { item, ok: true, text, agentId: agent.id };
    feedback = verdict.reason;
  }
  return {
    item,
    ok: false,
    text: `verification failed: ${feedback ?? 'no reason given'}`,
    agentId: agent.id,
  };
}

/** Errors after which nothing in the run should go on. */
export function stopsTheRun(error: unknown, context: RunContext): boolean {
  if (context.signal.aborted) return true;
  return (
    error instanceof AetherError &&
    ['BUDGET_EXCEEDED', 'GUARD_BLOCKED', 'EVENT_WRITE_FAILED', 'RUN_TIMEOUT'].includes(error.code)
  );
}
