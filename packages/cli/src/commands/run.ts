import {
  AetherError,
  type AgentDefinition,
  createEmptyToolHost,
  EventJournal,
  executeRun,
  type RunEvent,
  resolveModelChain,
  systemClock,
  tenantJournalTarget,
} from '@aether/core';
import { aetherPaths, openStoreContext, processOwner } from '../context.ts';
import { startRunMemory } from '../knowledge.ts';
import { type CommandIo, EXIT, ExitRequest, printJson } from '../output.ts';
import { modelResolverFromEnvironment } from '../providers.ts';
import { TraceRenderer } from '../render/trace-renderer.ts';
import { loadWorkspace } from '../workspace.ts';

/** Options of `aether run`. */
export interface RunCommandOptions {
  agent?: string;
  model?: string;
  json?: boolean;
}

function pickAgent(agents: readonly AgentDefinition[], id: string | undefined): AgentDefinition {
  if (id !== undefined) {
    const agent = agents.find((candidate) => candidate.id === id);
    if (agent === undefined) {
      throw new AetherError('AGENT_NOT_FOUND', `no agent "${id}"`, {
        category: 'user',
        hint: `agents: ${agents.map((candidate) => candidate.id).join(', ') || 'none (run `aether init`)'}`,
      });
    }
    return agent;
  }
  const master = [...agents]
    .sort((a, b) => a.id.localeCompare(b.id))
    .find((agent) => agent.tier === 'master');
  if (master === undefined) {
    throw new AetherError('AGENT_NOT_FOUND', 'no master agent is defined', {
      category: 'user',
      hint: 'add one to .aether/agents or pass --agent <id>',
    });
  }
  return master;
}

/**
 * `aether run "<goal>"`: creates a run, executes it with one agent, shows the trace as it
 * is stored, and prints the answer (or one JSON object with `--json`). Ctrl-C cancels.
 */
export async function runCommand(io: CommandIo, goal: string, options: RunCommandOptions): Promise<void> {
  if (goal.trim() === '') throw new AetherError('EMPTY_GOAL', 'the goal is empty', { category: 'user' });
  const paths = aetherPaths(io);
  const workspace = await loadWorkspace(io, paths, { scaffoldIfMissing: true, quiet: options.json === true });
  const { settings } = workspace;
  const agent = pickAgent(workspace.agents, options.agent);
  const resolver = await modelResolverFromEnvironment(
    io,
    [options.model, agent.model].filter((id): id is string => id !== undefined),
  );
  const models = resolveModelChain(resolver, agent, settings.agents, options.model);

  const context = await openStoreContext(io, paths);
  // Indexes the run's events as they are stored and writes its replay archive at the end.
  const runMemory = await startRunMemory(io, context, settings, paths);
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    controller.abort(new Error('cancelled by the user (Ctrl-C)'));
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const renderer = options.json ? undefined : new TraceRenderer(io.stdout, io.stderr);
  try {
    await context.tenant.agents.save(agent);
    const journal = new EventJournal({
      target: tenantJournalTarget(context.tenant),
      clock: systemClock,
      flushIntervalMs: settings.execution.eventFlushMs,
    });
    journal.subscribe(runMemory.listener);
    let eventCount = 0;
    journal.subscribe((event: RunEvent) => {
      eventCount++;
      renderer?.render(event);
    });
    const outcome = await executeRun(
      {
        store: context.tenant,
        journal,
        tools: createEmptyToolHost(),
        clock: systemClock,
        prices: settings.agents.pricing,
        owner: processOwner(),
      },
      {
        create: {
          goal,
          options: { source: 'cli', ...(options.model === undefined ? {} : { model: options.model }) },
        },
        agent,
        models,
        limits: {
          maxIterations: agent.limits.maxIterations ?? settings.agents.maxIterations,
          timeoutMs: agent.limits.timeoutMs ?? settings.agents.timeoutMs,
          ...optional('temperature', agent.limits.temperature ?? settings.agents.temperature ?? undefined),
          ...optional('tokenBudget', agent.limits.tokenBudget ?? settings.execution.tokenBudget ?? undefined),
          callTimeoutMs: settings.agents.callTimeoutMs,
          maxRetries: settings.agents.maxRetries,
          maxHistoryMessages: settings.conversation.maxHistoryMessages,
        },
        signal: controller.signal,
      },
    );
    if (options.json) {
      printJson(io, {
        id: outcome.run.id,
        status: outcome.run.status,
        answer: outcome.run.answer,
        usage: outcome.usage,
        events: eventCount,
        ...(outcome.run.error === null ? {} : { error: outcome.run.error }),
      });
    }
    const status = outcome.run.status;
    if (status !== 'completed') throw new ExitRequest(status === 'cancelled' ? EXIT.cancelled : EXIT.failed);
  } finally {
    renderer?.close();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    await runMemory.close();
    await context.close();
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
