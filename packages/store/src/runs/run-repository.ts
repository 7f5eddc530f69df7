import {
  AetherError,
  type EventError,
  type JournalRepository,
  type JsonObject,
  type NewRun,
  type RunPatch,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type RunTransitionRequest,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso, toIsoOrNull } from '../shared/values.ts';

/** How many runs `list` returns when no limit is given. */
export const DEFAULT_RUN_LIST_LIMIT = 100;

const COLUMNS =
  'id, tenant_id, goal, status, agent_id, model, answer, error, options, owner, heartbeat_at, created_at, updated_at, finished_at';

/** A `runs` row as the drivers (or `to_jsonb`) return it. */
export interface RunRow {
  id: string;
  tenant_id: string;
  goal: string;
  status: RunStatus;
  agent_id: string | null;
  model: string | null;
  answer: string | null;
  error: EventError | null;
  options: JsonObject;
  owner: string | null;
  heartbeat_at: unknown;
  created_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
}

/**
 * Runs of one tenant. Status changes and batch creation go through the journal
 * (`aether_write_journal`), which enforces `RUN_TRANSITIONS` in the database with one
 * conditional `UPDATE … WHERE status = ANY (allowed predecessors)`, so two processes
 * racing to move a run cannot both win.
 */
export function createRunRepository(
  tenantId: string,
  session: TenantSession,
  journal: JournalRepository,
): RunRepository {
  return {
    async create(run: NewRun): Promise<RunRecord> {
      const id = run.id ?? crypto.randomUUID();
      if (!isUuid(id)) {
        throw new AetherError('RUN_ID_INVALID', `run id "${id}" is not a UUID`, { category: 'user' });
      }
      return session(async (tx) => {
        let rows: RunRow[];
        try {
          rows = await tx.query<RunRow>(
            `INSERT INTO runs (id, tenant_id, goal, agent_id, model, options)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO NOTHING
             RETURNING ${COLUMNS}`,
            [
              id,
              tenantId,
              run.goal,
              run.agentId ?? null,
              run.model ?? null,
              JSON.stringify(run.options ?? {}),
            ],
          );
        } catch (error) {
          if (isSqlError(error, SQL_STATE.foreignKeyViolation)) {
            throw tenantNotFound(tenantId, error);
          }
          throw error;
        }
        const created = rows[0];
        if (created !== undefined) return toRunRecord(created);
        // The id exists: creating again is idempotent when the run is this tenant's.
        const [existing] = await tx.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE id = $1`, [id]);
        if (existing !== undefined) return toRunRecord(existing);
        throw new AetherError('RUN_ID_TAKEN', `run id ${id} is already in use`, { category: 'user' });
      });
    },

    async get(id: string): Promise<RunRecord | undefined> {
      if (!isUuid(id)) return undefined;
      return session(async (tx) => {
        const [row] = await tx.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE id = $1`, [id]);
        return row === undefined ? undefined : toRunRecord(row);
      });
    },

    async list(options: { limit?: number; status?: RunStatus } = {}): Promise<RunRecord[]> {
      const limit = options.limit ?? DEFAULT_RUN_LIST_LIMIT;
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new AetherError('INVALID_LIMIT', `limit must be a whole number ≥ 0, got ${limit}`, {
          category: 'user',
        });
      }
      return session(async (tx) => {
        const rows =
          options.status === undefined
            ? await tx.query<RunRow>(
                `SELECT ${COLUMNS} FROM runs ORDER BY created_at DESC, created_order DESC LIMIT $1`,
                [limit],
              )
            : await tx.query<RunRow>(
                `SELECT ${COLUMNS} FROM runs WHERE status = $1 ORDER BY created_at DESC, created_order DESC LIMIT $2`,
                [options.status, limit],
              );
        return rows.map(toRunRecord);
      });
    },

    async transition(
      id: string,
      to: RunStatus,
      patch: RunPatch = {},
      from?: readonly RunStatus[],
    ): Promise<RunRecord> {
      // One change is a batch of one: the same conditional UPDATE and the same errors.
      const [result] = await journal.write({
        transitions: [{ id, to, patch, ...(from === undefined ? {} : { from }) }],
      });
      if (result === undefined || result instanceof AetherError) throw result ?? runNotFound(id);
      return result;
    },

    async createMany(runs: readonly (NewRun & { id: string })[]): Promise<void> {
      if (runs.length === 0) return;
      await journal.write({ runs });
    },

    transitionMany(changes: readonly RunTransitionRequest[]): Promise<Array<RunRecord | AetherError>> {
      if (changes.length === 0) return Promise.resolve([]);
      return journal.write({ transitions: changes });
    },

    async takeOver(id: string, owner: string, previousOwner: string | null): Promise<RunRecord> {
      if (!isUuid(id)) throw runNotFound(id);
      return session(async (tx) => {
        const [row] = await tx.query<RunRow>(
          `UPDATE runs SET owner = $2, heartbeat_at = clock_timestamp(), updated_at = clock_timestamp()
           WHERE id = $1 AND status = 'running' AND owner IS NOT DISTINCT FROM $3
           RETURNING ${COLUMNS}`,
          [id, owner, previousOwner],
        );
        if (row !== undefined) return toRunRecord(row);
        const [current] = await tx.query<{ owner: string | null; status: RunStatus }>(
          'SELECT owner, status FROM runs WHERE id = $1',
          [id],
        );
        if (current === undefined) throw runNotFound(id);
        if (current.status !== 'running') {
          throw new AetherError(
            'RUN_NOT_RUNNING',
            `run ${id} is ${current.status}, not running; nothing to resume`,
            {
              category: 'user',
            },
          );
        }
        throw new AetherError(
          'RUN_OWNED_ELSEWHERE',
          `run ${id} was taken over by ${current.owner ?? 'nobody'} (expected ${previousOwner ?? 'nobody'})`,
          { category: 'system' },
        );
      });
    },

    async heartbeat(id: string, owner: string): Promise<void> {
      if (!isUuid(id)) throw runNotFound(id);
      return session(async (tx) => {
        // A run nobody owns is claimed; one owned by another process is not taken over
        // here (that is a transition with `from`), so a stale process cannot steal it back.
        const updated = await tx.query(
          `UPDATE runs SET owner = $2, heartbeat_at = clock_timestamp()
           WHERE id = $1 AND (owner IS NULL OR owner = $2) RETURNING id`,
          [id, owner],
        );
        if (updated.length > 0) return;
        const [current] = await tx.query<{ owner: string | null }>('SELECT owner FROM runs WHERE id = $1', [
          id,
        ]);
        if (current === undefined) throw runNotFound(id);
        throw new AetherError(
          'RUN_OWNED_ELSEWHERE',
          `run ${id} is executed by ${current.owner ?? 'nobody'}, not ${owner}`,
          { category: 'system' },
        );
      });
    },
  };
}

export function invalidTransition(change: RunTransitionRequest, current: RunStatus): AetherError {
  const expected =
    change.from !== undefined && !change.from.includes(current)
      ? ` (the caller expected it to be ${change.from.map((status) => `"${status}"`).join(' or ')})`
      : '';
  return new AetherError(
    'INVALID_RUN_TRANSITION',
    `run ${change.id} cannot go from "${current}" to "${change.to}"${expected}`,
    { category: 'user' },
  );
}

export function runNotFound(id: string): AetherError {
  return new AetherError('RUN_NOT_FOUND', `no run ${id}`, { category: 'user' });
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    goal: row.goal,
    status: row.status,
    agentId: row.agent_id,
    model: row.model,
    answer: row.answer,
    error: row.error,
    options: row.options,
    owner: row.owner,
    heartbeatAt: toIsoOrNull(row.heartbeat_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    finishedAt: toIsoOrNull(row.finished_at),
  };
}
