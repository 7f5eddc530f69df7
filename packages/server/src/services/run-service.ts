import { createHash } from 'node:crypto';
import {
  AetherError,
  EVENT_SCHEMA_VERSION,
  type JsonObject,
  type JsonValue,
  type RunEvent,
  type RunMode,
  type RunRecord,
  type RunStatus,
  TERMINAL_RUN_STATUSES,
  type TenantStore,
} from '@aether/core';
import type { Principal, ServerContext } from '../app/server-context.ts';

/** What `POST /v1/runs` and the `executeGoal` mutation take. */
export interface RunRequest {
  goal: string;
  /** A stored team's id; default: a team assembled from the tenant's agents. */
  team?: string;
  /** One agent instead of a team. */
  agent?: string;
  /** A model id (`provider:model`) for every agent of the run. */
  model?: string;
}

/** A run as the API shows it. */
export interface RunView {
  id: string;
  status: RunStatus;
  goal: string;
  answer: string | null;
  error: { code: string; message: string } | null;
  team: string | null;
  agent: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** Shows a stored run (never its owner or internal options). */
export function runView(run: RunRecord): RunView {
  const mode = run.options['mode'] as { kind?: string; team?: { id?: string }; agentId?: string } | undefined;
  return {
    id: run.id,
    status: run.status,
    goal: run.goal,
    answer: run.answer,
    error: run.error,
    team: mode?.kind === 'team' ? (mode.team?.id ?? null) : null,
    agent: mode?.kind === 'solo' ? (mode.agentId ?? null) : null,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
  };
}

class Replayed extends Error {
  readonly runId: string;
  constructor(runId: string) {
    super('replayed');
    this.runId = runId;
  }
}

/** What creating a run did. */
export interface CreatedRun {
  run: RunRecord;
  /** True when the `Idempotency-Key` was seen before and the earlier run is returned. */
  replayed: boolean;
}

/**
 * Runs of the caller's tenant, shared by REST and GraphQL. Every call works on
 * `store.forTenant(principal.tenantId)`, so another tenant's run is simply not found.
 */
export class RunService {
  readonly #context: ServerContext;

  constructor(context: ServerContext) {
    this.#context = context;
  }

  tenant(principal: Principal): TenantStore {
    return this.#context.store.forTenant(principal.tenantId);
  }

  /**
   * Stores a `queued` run (with its `Idempotency-Key`, in the same transaction) and enqueues
   * it. The same key with the same body returns the earlier run; with another body,
   * `IDEMPOTENCY_KEY_REUSED`.
   */
  async create(principal: Principal, request: RunRequest, idempotencyKey?: string): Promise<CreatedRun> {
    const tenant = this.tenant(principal);
    const goal = request.goal.trim();
    if (goal === '')
      throw new AetherError('GOAL_INVALID', 'goal: expected a non-empty goal', { category: 'user' });
    if (request.team !== undefined && request.agent !== undefined) {
      throw new AetherError('RUN_REQUEST_INVALID', 'team, agent: give one of them, not both', {
        category: 'user',
      });
    }
    let mode: RunMode;
    if (request.team !== undefined) {
      const team = await tenant.teams.get(request.team);
      if (team === undefined)
        throw new AetherError('TEAM_NOT_FOUND', `team: no team "${request.team}"`, { category: 'user' });
      mode = { kind: 'team', team };
    } else if (request.agent !== undefined) {
      if ((await tenant.agents.get(request.agent)) === undefined)
        throw new AetherError('AGENT_NOT_FOUND', `agent: no agent "${request.agent}"`, { category: 'user' });
      mode = { kind: 'solo', agentId: request.agent };
    } else {
      mode = { kind: 'auto' };
    }
    const requestHash = createHash('sha256')
      .update(JSON.stringify([goal, request.team ?? null, request.agent ?? null, request.model ?? null]))
      .digest('hex');
    if (idempotencyKey !== undefined) {
      const earlier = await tenant.runRequests.get(idempotencyKey);
      if (earlier !== undefined) return this.#replay(tenant, earlier.runId, earlier.requestHash, requestHash);
    }
    const options: JsonObject = {
      source: 'api',
      createdBy: principal.actor,
      mode: mode as unknown as JsonValue,
      ...(request.model === undefined ? {} : { model: request.model }),
    };
    let run: RunRecord;
    try {
      run = await tenant.transaction(async (tx) => {
        const created = await tx.runs.create({
          goal,
          ...(mode.kind === 'solo' ? { agentId: mode.agentId } : {}),
          ...(request.model === undefined ? {} : { model: request.model }),
          options,
        });
        if (idempotencyKey !== undefined) {
          const claimed = await tx.runRequests.claim({ key: idempotencyKey, runId: created.id, requestHash });
          if (claimed.runId !== created.id) throw new Replayed(claimed.runId);
        }
        return created;
      });
    } catch (error) {
      if (!(error instanceof Replayed)) throw error;
      const earlier = await tenant.runRequests.get(idempotencyKey ?? '');
      return this.#replay(tenant, error.runId, earlier?.requestHash ?? requestHash, requestHash);
    }
    await this.#context.queue.enqueue({ tenantId: principal.tenantId, runId: run.id });
    return { run, replayed: false };
  }

  async #replay(
    tenant: TenantStore,
    runId: string,
    storedHash: string,
    requestHash: string,
  ): Promise<CreatedRun> {
    if (storedHash !== requestHash) {
      throw new AetherError(
        'IDEMPOTENCY_KEY_REUSED',
        'Idempotency-Key: this key was used for a different request',
        { category: 'user' },
      );
    }
    const run = await tenant.runs.get(runId);
    if (run === undefined) throw new AetherError('RUN_NOT_FOUND', `no run ${runId}`, { category: 'user' });
    return { run, replayed: true };
  }

  /** A run of the caller's tenant; `RUN_NOT_FOUND` for any other id. */
  async get(principal: Principal, id: string): Promise<RunRecord> {
    const run = await this.tenant(principal).runs.get(id);
    if (run === undefined) throw new AetherError('RUN_NOT_FOUND', `no run ${id}`, { category: 'user' });
    return run;
  }

  list(principal: Principal, options: { limit?: number; status?: RunStatus }): Promise<RunRecord[]> {
    return this.tenant(principal).runs.list(options);
  }

  /**
   * Cancels a run: a queued one at once (its `run.cancelled` event stored with the change),
   * a running one by asking the process that executes it. `RUN_NOT_CANCELLABLE` when it
   * already ended.
   */
  async cancel(principal: Principal, id: string): Promise<RunRecord> {
    const tenant = this.tenant(principal);
    const run = await this.get(principal, id);
    if (TERMINAL_RUN_STATUSES.includes(run.status)) {
      throw new AetherError('RUN_NOT_CANCELLABLE', `run ${id} already ended (${run.status})`, {
        category: 'user',
      });
    }
    if (run.status === 'queued') {
      try {
        const { record, event } = await tenant.transaction(async (tx) => {
          const record = await tx.runs.transition(id, 'cancelled', { owner: null }, ['queued']);
          const event: RunEvent = {
            type: 'run.cancelled',
            reason: `cancelled through the API by ${principal.actor}`,
            schemaVersion: EVENT_SCHEMA_VERSION,
            runId: id,
            seq: (await tx.events.lastSeq(id)) + 1,
            at: new Date(this.#context.clock.now()).toISOString(),
          };
          await tx.events.append([event]);
          return { record, event };
        });
        this.#context.bus.publish(event);
        return record;
      } catch (error) {
        // A worker claimed it meanwhile: cancel it where it runs.
        if (!(error instanceof AetherError && error.code === 'INVALID_RUN_TRANSITION')) throw error;
      }
    }
    await this.#context.bus.requestCancel(id);
    return this.get(principal, id);
  }
}
