import type { AgentDefinition } from '../contracts/agent.ts';
import type { Clock } from '../contracts/clock.ts';
import type { RunFailureReason } from '../contracts/events.ts';
import type { ModelPrice, ResolvedModel } from '../contracts/model.ts';
import type { NewRun, RunRecord, TenantStore } from '../contracts/store.ts';
import type { ToolHost } from '../contracts/tools.ts';
import type { UsageTotals } from '../contracts/usage.ts';
import { AetherError, describeError } from '../errors.ts';
import type { EventJournal, RunJournal } from '../events/event-journal.ts';
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

/** One run to execute: a stored `queued` run, or a new one created with its first events. */
export type ExecuteRunInput = ({ run: RunRecord; create?: never } | { create: NewRun; run?: never }) & {
  agent: AgentDefinition;
  models: readonly ResolvedModel[];
  limits: AgentLoopLimits;
  /** Aborting it cancels the run (status `cancelled`, events kept). */
  signal: AbortSignal;
  /** Called with the run id as soon as it is known (before anything is stored). */
  onRunId?: (runId: string) => void;
};

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
 * Executes a run with one agent: `queued → running → completed | failed | cancelled`.
 * Creation, status changes, events and usage go through the journal's group commits; a
 * terminal status is stored in the same transaction as the last events, so a finished
 * run's trace is always complete.
 */
export async function executeRun(deps: RunExecutorDependencies, input: ExecuteRunInput): Promise<RunOutcome> {
  const { agent, models } = input;
  const primary = models[0];
  if (primary === undefined)
    throw new AetherError('NO_PROVIDER', 'no model to run with', { category: 'user' });
  const claim = { owner: deps.owner, agentId: agent.id, model: primary.id };
  let journal: RunJournal;
  let goal: string;
  let started: Promise<RunRecord>;
  if (input.create !== undefined) {
    const id = input.create.id ?? crypto.randomUUID();
    input.onRunId?.(id);
    goal = input.create.goal;
    journal = deps.journal.create({ ...input.create, id, agentId: agent.id, model: primary.id });
    // A new run has no competitor: its claim commits with its first events, unawaited.
    started = journal.transition('running', claim, ['queued']);
    started.catch(() => undefined);
  } else {
    input.onRunId?.(input.run.id);
    goal = input.run.goal;
    journal = deps.journal.open(input.run.id, await deps.store.events.lastSeq(input.run.id));
    started = journal.transition('running', claim, ['queued']);
    await started;
  }
  journal.emit({ type: 'run.started', goal, agentId: agent.id, model: primary.id });
  try {
    const result = await runAgentLoop({
      tenantId: deps.store.tenantId,
      runId: journal.runId,
      agent,
      models,
      conversation: startConversation(agent.systemPrompt, goal),
      tools: deps.tools,
      journal,
      prices: deps.prices,
      clock: deps.clock,
      limits: input.limits,
      signal: input.signal,
      stepPrefix: agent.id,
    });
    journal.emit({ type: 'run.completed', answer: result.text, usage: result.usage });
    const run = await finish(
      journal,
      started,
      journal.transition('completed', { answer: result.text, owner: null }),
    );
    return { run, usage: result.usage };
  } catch (error) {
    let ended: Promise<RunRecord>;
    if (input.signal.aborted) {
      journal.emit({ type: 'run.cancelled', reason: describeError(input.signal.reason ?? 'cancelled') });
      ended = journal.transition('cancelled', { owner: null });
    } else {
      const failure = {
        code: error instanceof AetherError ? error.code : 'RUN_FAILED',
        message: describeError(error),
      };
      journal.emit({ type: 'run.failed', reason: failureReason(error), error: failure });
      ended = journal.transition('failed', { error: failure, owner: null });
    }
    const run = await finish(journal, started, ended);
    const { inputTokens, outputTokens, costUsd } = await deps.store.usage.totals(run.id);
    return { run, usage: { inputTokens, outputTokens, costUsd } };
  }
}

/** Writes what is pending now (group commit on demand) and returns the run's final record. */
async function finish(
  journal: RunJournal,
  started: Promise<RunRecord>,
  ended: Promise<RunRecord>,
): Promise<RunRecord> {
  ended.catch(() => undefined);
  await journal.flush();
  await started;
  return ended;
}
