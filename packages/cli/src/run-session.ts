import { hostname } from 'node:os';
import {
  AetherError,
  type AgentDefinition,
  AgentRegistry,
  breakersFromSettings,
  EventJournal,
  type ExecuteRunInput,
  executeRun,
  factsForGoal,
  RunChecklists,
  type RunEvent,
  type RunOutcome,
  type RunRecord,
  type RunTarget,
  resolveModelChain,
  type Settings,
  systemClock,
  tenantJournalTarget,
} from '@aether/core';
import { type AetherPaths, openStoreContext, processOwner, type StoreContext } from './context.ts';
import { startRunMemory } from './knowledge.ts';
import type { CommandIo } from './output.ts';
import { modelResolverFromEnvironment } from './providers.ts';
import { TraceRenderer } from './render/trace-renderer.ts';
import { createRunToolHost } from './tools.ts';
import type { Workspace } from './workspace.ts';

/** What the run commands share: the store, the journal and everything a run depends on. */
export interface RunSession {
  context: StoreContext;
  settings: Settings;
  registry: AgentRegistry;
  /** Executes a run with this session's dependencies, following its trace. */
  execute(target: RunTarget): Promise<RunOutcome>;
  /** Events seen by this session. */
  eventCount(): number;
  close(): Promise<void>;
}

/** Options that shape a session. */
export interface RunSessionOptions {
  model?: string;
  json?: boolean;
  approveWrites?: readonly string[];
  signal: AbortSignal;
}

/**
 * Opens the store and wires a run's dependencies: the agent registry, the model chains
 * (run `--model` over agent, settings and configured providers), the journal with the
 * terminal renderer, the knowledge base and run memory, and heartbeats for the runs it
 * executes. The first agent's models are resolved up front, so a missing provider fails
 * before anything is stored.
 */
export async function openRunSession(
  io: CommandIo,
  paths: AetherPaths,
  workspace: Workspace,
  firstAgent: AgentDefinition,
  options: RunSessionOptions,
): Promise<RunSession> {
  const { settings } = workspace;
  const registry = new AgentRegistry(workspace.agents, { preferIdle: settings.routing.preferIdle });
  const requested = [options.model, ...workspace.agents.map((agent) => agent.model)].filter(
    (id): id is string => id !== undefined,
  );
  const resolver = await modelResolverFromEnvironment(io, requested);
  const chains = new Map<string, ReturnType<typeof resolveModelChain>>();
  const modelsFor = (agent: AgentDefinition) => {
    let chain = chains.get(agent.id);
    if (chain === undefined) {
      chain = resolveModelChain(resolver, agent, settings.agents, options.model);
      chains.set(agent.id, chain);
    }
    return chain;
  };
  modelsFor(firstAgent);
  const mediatorId = settings.agents.modelByClass.powerful;
  const mediatorModels = mediatorId === null ? undefined : [resolver.resolve(mediatorId)];

  const context = await openStoreContext(io, paths);
  const runMemory = await startRunMemory(io, context, settings, paths);
  const renderer = options.json ? undefined : new TraceRenderer(io.stdout, io.stderr);
  const checklists = new RunChecklists();
  const tools = await createRunToolHost(io, paths, context.tenant, settings, {
    checklist: checklists,
    interactive: options.json !== true && process.stdin.isTTY === true && io.stderr.isTTY === true,
    approveWrites: options.approveWrites ?? [],
    beforePrompt: async () => {
      await journal.flush();
      renderer?.close();
    },
    ...(runMemory.knowledge === undefined ? {} : { knowledge: runMemory.knowledge.kb }),
  }).catch(async (error: unknown) => {
    await runMemory.close();
    await context.close();
    throw error;
  });
  const journal = new EventJournal({
    target: tenantJournalTarget(context.tenant),
    clock: systemClock,
    flushIntervalMs: settings.execution.eventFlushMs,
  });
  journal.subscribe(runMemory.listener);
  let events = 0;
  journal.subscribe((event: RunEvent) => {
    events++;
    renderer?.render(event);
  });
  const owner = processOwner();
  const breakers = breakersFromSettings(settings, systemClock);
  const executing = new Set<string>();
  const heartbeat = setInterval(() => {
    for (const id of executing) context.tenant.runs.heartbeat(id, owner).catch(() => undefined);
  }, settings.execution.heartbeatMs);
  heartbeat.unref();
  await Promise.all(workspace.agents.map((agent) => context.tenant.agents.save(agent)));

  return {
    context,
    settings,
    registry,
    eventCount: () => events,
    async execute(target) {
      let runId: string | undefined;
      try {
        return await executeRun(
          {
            store: context.tenant,
            journal,
            tools,
            registry,
            settings,
            clock: systemClock,
            owner,
            modelsFor,
            ...(mediatorModels === undefined ? {} : { mediatorModels }),
            ...(runMemory.knowledge === undefined ? {} : { knowledge: runMemory.knowledge.kb }),
            memory: {
              factsForGoal: async (goal) =>
                (await factsForGoal(context.tenant, goal)).map(
                  (fact) => `${fact.kind} ${fact.name}: ${fact.fact}`,
                ),
            },
            breakers,
            checklists,
          },
          {
            ...target,
            signal: options.signal,
            approveWrites: options.approveWrites ?? [],
            onRunId: (id) => {
              runId = id;
              executing.add(id);
            },
          } as ExecuteRunInput,
        );
      } finally {
        if (runId !== undefined) executing.delete(runId);
      }
    },
    async close() {
      clearInterval(heartbeat);
      renderer?.close();
      await tools.close();
      await runMemory.close();
      await context.close();
    },
  };
}

/** True when `owner` (`host:pid:nonce`) names a process on this host that no longer exists. */
export function ownerIsDead(owner: string | null): boolean {
  if (owner === null) return true;
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return false;
  const id = Number(pid);
  if (!Number.isInteger(id) || id <= 0) return true;
  try {
    process.kill(id, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs left `running` by a process that is gone: on this host, its pid no longer exists; on
 * another host, it has not sent a heartbeat for `execution.staleRunMs`.
 */
export async function findOrphanedRuns(context: StoreContext, settings: Settings): Promise<RunRecord[]> {
  const running = await context.tenant.runs.list({ status: 'running', limit: 1000 });
  const now = Date.now();
  return running.filter((run) => {
    if (run.owner?.startsWith(`${hostname()}:`)) return ownerIsDead(run.owner);
    const lastSign = Date.parse(run.heartbeatAt ?? run.updatedAt);
    return now - lastSign > settings.execution.staleRunMs;
  });
}

/** Refuses to resume a run whose owner is still alive, unless forced. */
export function assertResumable(run: RunRecord, force: boolean): void {
  if (run.status !== 'running') {
    throw new AetherError(
      'RUN_NOT_RUNNING',
      `run ${run.id} is ${run.status}; only a running run can be resumed`,
      {
        category: 'user',
      },
    );
  }
  if (!force && !ownerIsDead(run.owner)) {
    throw new AetherError('RUN_OWNED_ELSEWHERE', `run ${run.id} is still being executed by ${run.owner}`, {
      category: 'user',
      hint: 'if that process is hung, resume with --force',
    });
  }
}
