import type { AgentDefinition } from '../contracts/agent.ts';
import type { Clock } from '../contracts/clock.ts';
import type { RunFailureReason } from '../contracts/events.ts';
import type { ModelPrice, ResolvedModel } from '../contracts/model.ts';
import type { RunRecord, TenantStore } from '../contracts/store.ts';
import type { ToolHost } from '../contracts/tools.ts';
import type { UsageTotals } from '../contracts/usage.ts';
import { AetherError, describeError } from '../errors.ts';
import type { EventJournal } from '../events/event-journal.ts';
import { type AgentLoopLimits, runAgentLoop } from './agent-loop.ts';
import { startConversation } from './turn-preparation.ts';

/** What a single-agent run needs; wired by the app. */
export interface RunExecutorDependencies {
  store: TenantStore;
  journal: EventJournal;
  tools: ToolHost;
  clock: Clock;
  prices: Readonly<Record<string, ModelPrice>>;
  /** Identifies this process as the run's owner (`host:pid:nonce`). */
  owner: string;
}

/** One run to execute. */
export interface ExecuteRunInput {
  run: RunRecord;
  agent: AgentDefinition;
  models: readonly ResolvedModel[];
  limits: AgentLoopLimits;
  /** Aborting it cancels the run (status `cancelled`, events kept). */
  signal: AbortSignal;
}

/** How a run ended. */
export interface RunOutcome {
  run: RunRecord;
  usage: UsageTotals;
}

function failureReason(error: unknown): RunFailureReason {
  if (error instanceof AetherError) {
    if (error.code === 'BUDGET_EXCEEDED') return 'budget';
    if (error.code === 'AGENT_TIMEOUT') return 'timeout';
    if (error.category === 'provider') return 'provider';
  }
  return 'error';
}

/**
 * Executes a queued run with one agent: `queued → running → completed | failed | cancelled`.
 * Every event is stored before the status changes, so a finished run's trace is complete.
 */
export async function executeRun(deps: RunExecutorDependencies, input: ExecuteRunInput): Promise<RunOutcome> {
  const { store, clock } = deps;
  const { agent, models } = input;
  const primary = models[0];
  if (primary === undefined)
    throw new AetherError('NO_PROVIDER', 'no model to run with', { category: 'user' });
  let run = await store.runs.transition(
    input.run.id,
    'running',
    { owner: deps.owner, agentId: agent.id, model: primary.id },
    ['queued'],
  );
  const journal = deps.journal.open(run.id, await store.events.lastSeq(run.id));
  journal.emit({ type: 'run.started', goal: run.goal, agentId: agent.id, model: primary.id });
  try {
    const result = await runAgentLoop({
      tenantId: store.tenantId,
      runId: run.id,
      agent,
      models,
      conversation: startConversation(agent.systemPrompt, run.goal),
      tools: deps.tools,
      journal,
      prices: deps.prices,
      clock,
      limits: input.limits,
      signal: input.signal,
      stepPrefix: agent.id,
    });
    journal.emit({ type: 'run.completed', answer: result.text, usage: result.usage });
    await journal.flush();
    run = await store.runs.transition(run.id, 'completed', { answer: result.text, owner: null });
    return { run, usage: result.usage };
  } catch (error) {
    if (input.signal.aborted) {
      journal.emit({ type: 'run.cancelled', reason: describeError(input.signal.reason ?? 'cancelled') });
      await journal.flush();
      run = await store.runs.transition(run.id, 'cancelled', { owner: null });
    } else {
      const failure = {
        code: error instanceof AetherError ? error.code : 'RUN_FAILED',
        message: describeError(error),
      };
      journal.emit({ type: 'run.failed', reason: failureReason(error), error: failure });
      await journal.flush();
      run = await store.runs.transition(run.id, 'failed', { error: failure, owner: null });
    }
    const { inputTokens, outputTokens, costUsd } = await store.usage.totals(run.id);
    return { run, usage: { inputTokens, outputTokens, costUsd } };
  }
}
