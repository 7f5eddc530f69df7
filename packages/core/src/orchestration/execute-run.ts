import type { AgentRegistry } from '../agents/agent-registry.ts';
import type { AgentDefinition } from '../contracts/agent.ts';
import type { Clock } from '../contracts/clock.ts';
import type { RunFailureReason } from '../contracts/events.ts';
import type { JsonObject, JsonValue } from '../contracts/json.ts';
import { emptyKnowledgeBase, type KnowledgeBase } from '../contracts/knowledge.ts';
import type { ResolvedModel } from '../contracts/model.ts';
import type { NewRun, RunRecord, TenantStore } from '../contracts/store.ts';
import type { TeamDefinition } from '../contracts/team.ts';
import type { ToolHost } from '../contracts/tools.ts';
import type { UsageTotals } from '../contracts/usage.ts';
import { type AgentLoopLimits, runAgentLoop } from '../engine/agent-loop.ts';
import { startConversation } from '../engine/turn-preparation.ts';
import { AetherError, describeError } from '../errors.ts';
import type { EventJournal, RunJournal } from '../events/event-journal.ts';
import type { Settings } from '../settings/settings-schema.ts';
import type { RunChecklists } from './checklist-tool.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { LoopDetector, RunBudget, StallDetector } from './progress.ts';
import { type GoalMemory, guardAndProgressHooks, type RunContext } from './run-context.ts';
import { JournalCheckpoints } from './step-checkpoints.ts';
import { runTeam } from './team-run.ts';

/**
 * How a run is carried out, stored in the run's `options.plan` so a resumed run does the
 * same: one agent (`solo`), a named team, or a team assembled from the registry (`auto`).
 */
export type RunMode =
  | { kind: 'solo'; agentId: string }
  | { kind: 'team'; team: TeamDefinition }
  | { kind: 'auto' };

/** What every run needs; wired by the app (CLI, server, worker). */
export interface RunDependencies {
  store: TenantStore;
  journal: EventJournal;
  tools: ToolHost;
  registry: AgentRegistry;
  settings: Settings;
  clock: Clock;
  /** Identifies this process as the run's owner (`host:pid:nonce`). */
  owner: string;
  /** The model chain of an agent (run `--model`, agent, settings, configured providers). */
  modelsFor(agent: AgentDefinition): readonly ResolvedModel[];
  /** The mediator's models for `methodology.synthesisStrategy = mediator` (default: the lead's). */
  mediatorModels?: readonly ResolvedModel[];
  knowledge?: KnowledgeBase;
  memory?: GoalMemory;
  /** Breakers shared by the runs of this process (default: one per run). */
  breakers?: CircuitBreaker;
  /** Where a team run's checklist is reachable by the `update_checklist_item` tool. */
  checklists?: RunChecklists;
}

/** Which run to execute: a new one, a stored `queued` run, or a `running` run to resume. */
export type RunTarget =
  | { create: NewRun & { mode: RunMode } }
  | { run: RunRecord }
  | { resume: RunRecord; previousOwner: string | null };

/** One run to execute, and how. */
export type ExecuteRunInput = RunTarget & {
  /** Aborting it cancels the run (status `cancelled`, events kept). */
  signal: AbortSignal;
  /** Tool globs whose writes need no confirmation in this run (`--approve-writes`). */
  approveWrites?: readonly string[];
  /** Called with the run id as soon as it is known (before anything is stored). */
  onRunId?: (runId: string) => void;
};

/** How a run ended. */
export interface RunOutcome {
  run: RunRecord;
  usage: UsageTotals;
}

function failureReason(error: unknown): RunFailureReason {
  if (!(error instanceof AetherError)) return 'error';
  switch (error.code) {
    case 'BUDGET_EXCEEDED':
    case 'TIME_BUDGET_EXCEEDED':
      return 'budget';
    case 'AGENT_TIMEOUT':
      return 'timeout';
    case 'PREFLIGHT_FAILED':
      return 'preflight';
    case 'PLAN_INVALID':
      return 'plan';
    case 'GUARD_BLOCKED':
      return 'guard';
    case 'LOOP_DETECTED':
      return 'loop';
    default:
      return error.category === 'provider' ? 'provider' : 'error';
  }
}

/** Reads the mode a run was created with. */
export function runModeOf(run: RunRecord): RunMode {
  const mode = run.options['mode'] as RunMode | undefined;
  if (mode === undefined || typeof mode !== 'object' || !('kind' in mode)) {
    return run.agentId === null ? { kind: 'auto' } : { kind: 'solo', agentId: run.agentId };
  }
  return mode;
}

/** The master that leads runs without a team: the first master agent by id, if any. */
export function findMaster(agents: readonly AgentDefinition[]): AgentDefinition | undefined {
  return [...agents].sort((a, b) => a.id.localeCompare(b.id)).find((agent) => agent.tier === 'master');
}

/** {@link findMaster}, or `AGENT_NOT_FOUND` naming what to do. */
export function requireMaster(agents: readonly AgentDefinition[]): AgentDefinition {
  const lead = findMaster(agents);
  if (lead === undefined) {
    throw new AetherError('AGENT_NOT_FOUND', 'no master agent is defined to lead the run', {
      category: 'user',
      hint: 'add one to .aether/agents (aether init creates a starter team), or pass --agent <id>',
    });
  }
  return lead;
}

/** Per-agent circuit breakers as the `escalation` settings configure them. */
export function breakersFromSettings(settings: Settings, clock: Clock): CircuitBreaker {
  return new CircuitBreaker({
    threshold: settings.escalation.threshold,
    windowMs: settings.escalation.windowMs,
    cooldownMs: settings.escalation.cooldownMs,
    clock,
  });
}

/** The team `auto` mode assembles: the master leads, every other agent is an orchestrated member. */
export function assembleTeam(registry: AgentRegistry, settings: Settings): TeamDefinition {
  const agents = registry.all();
  const lead = requireMaster(agents);
  return {
    id: 'auto',
    name: 'Assembled from the registry',
    lead: lead.id,
    members: agents
      .filter((agent) => agent.id !== lead.id)
      .map((agent) => ({ agentId: agent.id, relationship: 'orchestrate' as const })),
    preApprovedTools: [],
    policy: { mode: settings.methodology.mode, maxConcurrency: settings.execution.maxConcurrency },
  };
}

/** Agent loop limits from the agent's own limits over the settings. */
export function limitsFor(settings: Settings, agent: AgentDefinition): AgentLoopLimits {
  const temperature = agent.limits.temperature ?? settings.agents.temperature;
  const tokenBudget = agent.limits.tokenBudget ?? settings.agents.tokenBudget;
  return {
    maxIterations: agent.limits.maxIterations ?? settings.agents.maxIterations,
    timeoutMs: agent.limits.timeoutMs ?? settings.agents.timeoutMs,
    callTimeoutMs: settings.agents.callTimeoutMs,
    maxRetries: settings.agents.maxRetries,
    maxHistoryMessages: settings.conversation.maxHistoryMessages,
    ...(temperature === null || temperature === undefined ? {} : { temperature }),
    ...(tokenBudget === null || tokenBudget === undefined ? {} : { tokenBudget }),
  };
}

async function openRun(
  deps: RunDependencies,
  input: ExecuteRunInput,
): Promise<{
  journal: RunJournal;
  goal: string;
  mode: RunMode;
  started: Promise<unknown>;
  resumed: boolean;
}> {
  if ('create' in input) {
    const { mode, ...create } = input.create;
    const id = create.id ?? crypto.randomUUID();
    input.onRunId?.(id);
    const options: JsonObject = { ...(create.options ?? {}), mode: mode as unknown as JsonValue };
    const journal = deps.journal.create({ ...create, id, options });
    // A new run has no competitor: its claim commits with its first events, unawaited.
    const started = journal.transition('running', { owner: deps.owner }, ['queued']);
    started.catch(() => undefined);
    return { journal, goal: create.goal, mode, started, resumed: false };
  }
  if ('run' in input) {
    input.onRunId?.(input.run.id);
    const journal = deps.journal.open(input.run.id, await deps.store.events.lastSeq(input.run.id));
    const started = journal.transition('running', { owner: deps.owner }, ['queued']);
    await started;
    return { journal, goal: input.run.goal, mode: runModeOf(input.run), started, resumed: false };
  }
  input.onRunId?.(input.resume.id);
  await deps.store.runs.takeOver(input.resume.id, deps.owner, input.previousOwner);
  const lastSeq = await deps.store.events.lastSeq(input.resume.id);
  const journal = deps.journal.open(input.resume.id, lastSeq);
  journal.emit({ type: 'run.resumed', previousOwner: input.previousOwner, lastSeq });
  return {
    journal,
    goal: input.resume.goal,
    mode: runModeOf(input.resume),
    started: Promise.resolve(),
    resumed: true,
  };
}

/**
 * Executes a run to its end: `queued → running → completed | failed | cancelled`. Every
 * finished step is checkpointed with its events, so a run whose process died resumes
 * (`{ resume }`) without redoing finished steps. A terminal status is stored in the same
 * transaction as the run's last events.
 */
export async function executeRun(deps: RunDependencies, input: ExecuteRunInput): Promise<RunOutcome> {
  const { settings } = deps;
  const { journal, goal, mode, started, resumed } = await openRun(deps, input);
  const stored = resumed ? await deps.store.checkpoints.list(journal.runId) : new Map<string, JsonValue>();
  const usedBefore = resumed ? await deps.store.usage.totals(journal.runId) : undefined;
  /** The run's usage: what earlier processes stored plus what this one recorded. */
  const runUsage = (): UsageTotals => {
    const mine = journal.usage;
    return {
      inputTokens: (usedBefore?.inputTokens ?? 0) + mine.inputTokens,
      outputTokens: (usedBefore?.outputTokens ?? 0) + mine.outputTokens,
      costUsd: (usedBefore?.costUsd ?? 0) + mine.costUsd,
    };
  };
  const elapsedBefore = resumed ? await activeTime(deps.store, journal) : 0;
  const timeLimit = AbortSignal.timeout(Math.max(1, settings.execution.timeBudgetMs - elapsedBefore));
  const signal = AbortSignal.any([input.signal, timeLimit]);
  const stall = new StallDetector({
    timeoutMs: settings.progress.stallTimeoutMs,
    clock: deps.clock,
    onStall: (info) =>
      journal.emit({
        type: 'progress.stall',
        idleMs: info.idleMs,
        message: `no progress for ${Math.round(info.idleMs / 1000)} s`,
      }),
  });
  const unsubscribe = journal.subscribe(() => stall.progress());
  const budget = new RunBudget({
    tokenLimit: settings.execution.tokenBudget,
    timeLimitMs: settings.execution.timeBudgetMs,
    warningRatio: settings.progress.budgetWarningRatio,
    clock: deps.clock,
    usedTokens: usedBefore === undefined ? 0 : usedBefore.inputTokens + usedBefore.outputTokens,
    elapsedMs: elapsedBefore,
    onWarning: (warning) =>
      journal.emit({
        type: 'budget.warning',
        kind: warning.warning,
        used: warning.used,
        limit: warning.limit,
      }),
  });
  const base = {
    journal,
    settings,
    budget,
    loops: new LoopDetector({
      window: settings.progress.loopWindow,
      similarityThreshold: settings.progress.similarityThreshold,
    }),
    preApprovedTools: mode.kind === 'team' ? mode.team.preApprovedTools : [],
    approveWrites: input.approveWrites ?? [],
  };
  let historyCache: ReturnType<RunContext['history']> | undefined;
  const context: RunContext = {
    ...base,
    ...guardAndProgressHooks(base),
    tenantId: deps.store.tenantId,
    goal,
    checkpoints: new JournalCheckpoints(journal, stored),
    registry: deps.registry,
    tools: deps.tools,
    knowledge: deps.knowledge ?? emptyKnowledgeBase,
    memory: deps.memory,
    clock: deps.clock,
    prices: settings.agents.pricing,
    signal,
    breakers: deps.breakers ?? breakersFromSettings(settings, deps.clock),
    modelsFor: deps.modelsFor,
    limitsFor: (agent) => limitsFor(settings, agent),
    history: () => {
      historyCache ??= deps.store.checklist.outcomes(500);
      return historyCache;
    },
  };
  try {
    let answer: string;
    if (mode.kind === 'solo') {
      const agent = deps.registry.get(mode.agentId);
      if (agent === undefined)
        throw new AetherError('AGENT_NOT_FOUND', `no agent "${mode.agentId}"`, { category: 'user' });
      if (!resumed)
        journal.emit({
          type: 'run.started',
          goal,
          agentId: agent.id,
          model: deps.modelsFor(agent)[0]?.id ?? '',
        });
      const result = await runAgentLoop({
        tenantId: context.tenantId,
        runId: journal.runId,
        agent,
        models: deps.modelsFor(agent),
        conversation: startConversation(agent.systemPrompt, goal),
        tools: deps.tools,
        journal,
        prices: context.prices,
        clock: deps.clock,
        limits: context.limitsFor(agent),
        signal,
        stepPrefix: agent.id,
        checkpoints: context.checkpoints,
        finalStepCommitsWithCaller: true,
        hooks: context.hooksFor(agent),
      });
      answer = result.text;
    } else {
      const team = mode.kind === 'team' ? mode.team : assembleTeam(deps.registry, settings);
      const lead = deps.registry.get(team.lead);
      if (!resumed)
        journal.emit({
          type: 'run.started',
          goal,
          agentId: team.lead,
          model: lead === undefined ? '' : (deps.modelsFor(lead)[0]?.id ?? ''),
        });
      answer = (await runTeam(context, team, deps.mediatorModels, deps.checklists)).answer;
    }
    const usage = runUsage();
    journal.emit({ type: 'run.completed', answer, usage });
    const run = await finish(journal, started, journal.transition('completed', { answer, owner: null }));
    return { run, usage };
  } catch (error) {
    let ended: Promise<RunRecord>;
    if (input.signal.aborted) {
      journal.emit({ type: 'run.cancelled', reason: describeError(input.signal.reason ?? 'cancelled') });
      ended = journal.transition('cancelled', { owner: null });
    } else {
      const cause = timeLimit.aborted
        ? new AetherError(
            'TIME_BUDGET_EXCEEDED',
            `the run used its time budget of ${settings.execution.timeBudgetMs} ms`,
            { category: 'user' },
          )
        : error;
      const failure = {
        code: cause instanceof AetherError ? cause.code : 'RUN_FAILED',
        message: describeError(cause),
      };
      journal.emit({ type: 'run.failed', reason: failureReason(cause), error: failure });
      ended = journal.transition('failed', { error: failure, owner: null });
    }
    const run = await finish(journal, started, ended);
    return { run, usage: runUsage() };
  } finally {
    stall.stop();
    unsubscribe();
    journal.close();
  }
}

/**
 * Time a resumed run already ran: from its first stored event to its last, so the time
 * budget counts work done, not the time the run lay waiting for a resume.
 */
async function activeTime(store: TenantStore, journal: RunJournal): Promise<number> {
  const [first] = await store.events.list(journal.runId, { limit: 1 });
  const [last] = await store.events.list(journal.runId, {
    afterSeq: Math.max(0, journal.lastSeq - 1),
    limit: 1,
  });
  if (first === undefined || last === undefined) return 0;
  return Math.max(0, Date.parse(last.at) - Date.parse(first.at));
}

/** Writes what is pending now (group commit on demand) and returns the run's final record. */
async function finish(
  journal: RunJournal,
  started: Promise<unknown>,
  ended: Promise<RunRecord>,
): Promise<RunRecord> {
  ended.catch(() => undefined);
  await journal.commit();
  await started;
  return ended;
}
