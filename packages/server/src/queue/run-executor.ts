import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AetherError,
  type AgentDefinition,
  AgentRegistry,
  CircuitBreaker,
  type Clock,
  createAetherToolServer,
  createFileBlobStore,
  createHashedTfidfEmbedder,
  createKnowledgeBase,
  DatabaseApprovalGate,
  describeError,
  type Environment,
  EventJournal,
  executeRun,
  factsForGoal,
  type KnowledgeBase,
  knowledgeOptionsFromSettings,
  type MasterKey,
  type McpServerConfig,
  type ModelDefaults,
  type ModelResolver,
  parseMcpServerEntry,
  type RunRecord,
  resolveModelChain,
  SecretVault,
  type Settings,
  systemClock,
  TERMINAL_RUN_STATUSES,
  type TenantStore,
  ToolManager,
  tenantJournalTarget,
} from '@aether/core';
import type { SqlStore } from '@aether/store';
import type { EventBus } from '../streams/event-bus.ts';
import { modelResolverFromEnvironment } from '../wiring/providers.ts';
import type { RunJob } from './run-queue.ts';

/** What a worker (the embedded pool or `aether worker`) needs to execute runs. */
export interface RunExecutorOptions {
  store: SqlStore;
  settings: Settings;
  env: Environment;
  /** `$AETHER_HOME`, for blobs. */
  home: string;
  bus: EventBus;
  masterKeys: readonly MasterKey[];
  clock?: Clock;
  /** Called with what went wrong outside a run's own trace (a job that could not start). */
  onError?: (message: string, error: unknown) => void;
}

/** How a job ended. */
export type JobOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

/** Names this process as the owner of the runs it executes (`host:pid:nonce`). */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * True when the process named by `run.owner` no longer executes it: on this host, its pid is
 * gone; anywhere, it has not sent a heartbeat for `staleRunMs`.
 */
export function ownerIsGone(run: RunRecord, staleRunMs: number, now: number): boolean {
  if (run.owner === null) return true;
  const [host, pid] = run.owner.split(':');
  if (host === hostname()) {
    const id = Number(pid);
    if (!Number.isInteger(id) || id <= 0) return true;
    try {
      process.kill(id, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
  }
  return now - Date.parse(run.heartbeatAt ?? run.updatedAt) > staleRunMs;
}

/**
 * Executes run jobs in this process with `executeRun`, wired for the run's tenant: its
 * agents and MCP servers from the database, model providers from this process's
 * environment, approvals through the database (answered over the API), its secrets through
 * the vault. A `queued` run is claimed (compare-and-set); a `running` run whose owner is
 * gone is taken over and resumed from its checkpoints; a run another live process executes
 * is waited on until it ends or its owner dies (a redelivered job). Events go to the bus
 * after they are stored.
 */
export class RunExecutor {
  readonly owner = processOwner();
  readonly #options: RunExecutorOptions;
  readonly #clock: Clock;
  readonly #journals = new Map<string, EventJournal>();
  readonly #executing = new Map<string, { tenant: TenantStore; controller: AbortController }>();
  readonly #breakers: CircuitBreaker;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #stopped = new AbortController();
  #resolver: Promise<ModelResolver & ModelDefaults> | undefined;
  #cancelSubscription: Promise<() => void>;

  constructor(options: RunExecutorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const { settings } = options;
    this.#breakers = new CircuitBreaker({
      threshold: settings.escalation.threshold,
      windowMs: settings.escalation.windowMs,
      cooldownMs: settings.escalation.cooldownMs,
      clock: this.#clock,
    });
    this.#heartbeat = setInterval(() => {
      for (const [id, { tenant }] of this.#executing) tenant.runs.heartbeat(id, this.owner).catch(() => {});
    }, settings.execution.heartbeatMs);
    this.#heartbeat.unref();
    this.#cancelSubscription = options.bus.onCancel((runId) => {
      this.#executing.get(runId)?.controller.abort(new Error('cancelled through the API'));
    });
    this.#cancelSubscription.catch(() => {});
  }

  /** Runs executing in this process now. */
  get active(): number {
    return this.#executing.size;
  }

  /** Cancels a run if this process executes it; true when it did. */
  cancel(runId: string): boolean {
    const entry = this.#executing.get(runId);
    entry?.controller.abort(new Error('cancelled through the API'));
    return entry !== undefined;
  }

  #journal(tenant: TenantStore): EventJournal {
    let journal = this.#journals.get(tenant.tenantId);
    if (journal === undefined) {
      journal = new EventJournal({
        target: tenantJournalTarget(tenant),
        clock: this.#clock,
        flushIntervalMs: this.#options.settings.execution.eventFlushMs,
        maxBatch: this.#options.settings.execution.eventBatchMax,
      });
      journal.subscribe((event) => this.#options.bus.publish(event));
      this.#journals.set(tenant.tenantId, journal);
    }
    return journal;
  }

  /** Executes (or finishes, or waits for) the job's run. Never throws for the run's own failure. */
  async execute(job: RunJob): Promise<JobOutcome> {
    const { settings } = this.#options;
    const tenant = this.#options.store.forTenant(job.tenantId);
    for (;;) {
      if (this.#stopped.signal.aborted) return 'skipped';
      const run = await tenant.runs.get(job.runId);
      if (run === undefined || TERMINAL_RUN_STATUSES.includes(run.status) || run.status === 'paused')
        return 'skipped';
      if (run.status === 'queued') {
        try {
          return await this.#run(tenant, run, { run });
        } catch (error) {
          // Someone else claimed it between our read and our claim: look again.
          if (error instanceof AetherError && error.code === 'INVALID_RUN_TRANSITION') continue;
          throw error;
        }
      }
      if (run.owner === this.owner || this.#executing.has(run.id)) return 'skipped';
      if (ownerIsGone(run, settings.execution.staleRunMs, this.#clock.now())) {
        try {
          return await this.#run(tenant, run, { resume: run, previousOwner: run.owner });
        } catch (error) {
          if (error instanceof AetherError && error.code === 'RUN_OWNED_ELSEWHERE') continue;
          throw error;
        }
      }
      // Executed by a live process (this job was delivered again): wait for it to end or die.
      await delay(settings.execution.heartbeatMs, undefined, { signal: this.#stopped.signal }).catch(
        () => {},
      );
    }
  }

  async #run(
    tenant: TenantStore,
    run: RunRecord,
    target: { run: RunRecord } | { resume: RunRecord; previousOwner: string | null },
  ): Promise<JobOutcome> {
    const { settings } = this.#options;
    const controller = new AbortController();
    this.#executing.set(run.id, { tenant, controller });
    let tools: ToolManager | undefined;
    try {
      const agents = (await tenant.agents.list()).map((version) => version.definition);
      const registry = new AgentRegistry(agents, { preferIdle: settings.routing.preferIdle });
      this.#resolver ??= modelResolverFromEnvironment(this.#options.env, []);
      const resolver = await this.#resolver;
      const runModel = typeof run.options['model'] === 'string' ? run.options['model'] : undefined;
      const chains = new Map<string, ReturnType<typeof resolveModelChain>>();
      const modelsFor = (agent: AgentDefinition) => {
        let chain = chains.get(agent.id);
        if (chain === undefined) {
          chain = resolveModelChain(resolver, agent, settings.agents, runModel);
          chains.set(agent.id, chain);
        }
        return chain;
      };
      const knowledge = this.#knowledge(tenant);
      tools = await this.#tools(tenant, knowledge);
      const mediatorId = settings.agents.modelByClass.powerful;
      const outcome = await executeRun(
        {
          store: tenant,
          journal: this.#journal(tenant),
          tools,
          registry,
          settings,
          clock: this.#clock,
          owner: this.owner,
          modelsFor,
          ...(mediatorId === null ? {} : { mediatorModels: [resolver.resolve(mediatorId)] }),
          knowledge,
          memory: {
            factsForGoal: async (goal) =>
              (await factsForGoal(tenant, goal)).map((fact) => `${fact.kind} ${fact.name}: ${fact.fact}`),
          },
          breakers: this.#breakers,
        },
        { ...target, signal: controller.signal },
      );
      const status = outcome.run.status;
      return status === 'completed' || status === 'failed' || status === 'cancelled' ? status : 'skipped';
    } catch (error) {
      if (
        error instanceof AetherError &&
        ['INVALID_RUN_TRANSITION', 'RUN_OWNED_ELSEWHERE'].includes(error.code)
      )
        throw error;
      // Closing: the run stays running and is resumed by the next process to start.
      if (this.#stopped.signal.aborted) return 'skipped';
      this.#options.onError?.(`run ${run.id} could not be executed: ${describeError(error)}`, error);
      await this.#failUnstarted(tenant, run, error);
      return 'failed';
    } finally {
      this.#executing.delete(run.id);
      await tools?.close().catch(() => {});
    }
  }

  /** A run that could not even start (no agents, no provider) is failed with a readable error. */
  async #failUnstarted(tenant: TenantStore, run: RunRecord, error: unknown): Promise<void> {
    const current = await tenant.runs.get(run.id);
    if (current === undefined || TERMINAL_RUN_STATUSES.includes(current.status)) return;
    const journal = this.#journal(tenant).open(run.id, await tenant.events.lastSeq(run.id));
    const failure = {
      code: error instanceof AetherError ? error.code : 'RUN_FAILED',
      message: describeError(error),
    };
    journal.emit({ type: 'run.failed', reason: 'preflight', error: failure });
    const ended = journal.transition('failed', { error: failure, owner: null });
    ended.catch(() => {});
    await journal.flush().catch(() => {});
  }

  #knowledge(tenant: TenantStore): KnowledgeBase {
    return createKnowledgeBase({
      store: tenant,
      embedder: createHashedTfidfEmbedder({ statistics: (terms) => tenant.knowledge.statistics(terms) }),
      blobs: createFileBlobStore(join(this.#options.home, 'blobs')),
      options: knowledgeOptionsFromSettings(this.#options.settings.methodology.knowledge),
    });
  }

  async #tools(tenant: TenantStore, knowledge: KnowledgeBase): Promise<ToolManager> {
    const servers: McpServerConfig[] = [];
    for (const record of await tenant.mcpServers.list()) {
      try {
        servers.push(parseMcpServerEntry(record.name, record.config, 'database', 'database'));
      } catch (error) {
        this.#options.onError?.(`MCP server "${record.name}" skipped: ${describeError(error)}`, error);
      }
    }
    const own = createAetherToolServer({ knowledge });
    const execution = this.#options.settings.execution;
    return new ToolManager({
      tenant,
      servers,
      inProcessServers: own === undefined ? [] : [own],
      vault: new SecretVault({
        tenantId: tenant.tenantId,
        secrets: tenant.secrets,
        masterKeys: this.#options.masterKeys,
      }),
      approvalGate: new DatabaseApprovalGate({ approvals: tenant.approvals, clock: this.#clock }),
      settings: execution,
      clock: this.#clock,
    });
  }

  /** Stops heartbeats and waiting; flushes what the journals hold. Runs in progress are not cancelled. */
  async close(): Promise<void> {
    this.#stopped.abort();
    clearInterval(this.#heartbeat);
    (await this.#cancelSubscription.catch(() => undefined))?.();
    await Promise.allSettled([...this.#journals.values()].map((journal) => journal.flush()));
  }
}
