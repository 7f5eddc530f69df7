import {
  AetherError,
  type EventError,
  type JsonObject,
  type NewRun,
  RUN_TRANSITIONS,
  type RunPatch,
  type RunRecord,
  type RunRepository,
  type RunStatus,
  type RunTransitionRequest,
  TERMINAL_RUN_STATUSES,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import { tenantNotFound } from '../shared/errors.ts';
import { toJsonbText } from '../shared/jsonb.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso, toIsoOrNull } from '../shared/values.ts';

/** How many runs `list` returns when no limit is given. */
export const DEFAULT_RUN_LIST_LIMIT = 100;

const RUN_STATUSES = Object.keys(RUN_TRANSITIONS) as RunStatus[];

const COLUMNS =
  'id, tenant_id, goal, status, agent_id, model, answer, error, options, owner, heartbeat_at, created_at, updated_at, finished_at';

interface RunRow {
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
 * Runs of one tenant. `transition` enforces {@link RUN_TRANSITIONS} in the database: one
 * conditional `UPDATE … WHERE status IN (allowed predecessors) RETURNING`, so two
 * processes racing to move a run cannot both win.
 */
export function createRunRepository(tenantId: string, session: TenantSession): RunRepository {
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
      const allowedFrom = RUN_STATUSES.filter(
        (status) => RUN_TRANSITIONS[status].includes(to) && (from === undefined || from.includes(status)),
      );
      if (!isUuid(id)) throw runNotFound(id);
      return session(async (tx) => {
        if (allowedFrom.length > 0) {
          const params: unknown[] = [id, to];
          const assignments = ['status = $2', 'updated_at = clock_timestamp()'];
          if (TERMINAL_RUN_STATUSES.includes(to)) assignments.push('finished_at = clock_timestamp()');
          const assign = (column: string, value: unknown): void => {
            params.push(value);
            assignments.push(`${column} = $${params.length}`);
          };
          if (patch.answer !== undefined) assign('answer', patch.answer);
          if (patch.error !== undefined) assign('error', JSON.stringify(patch.error));
          if (patch.owner !== undefined) assign('owner', patch.owner);
          if (patch.agentId !== undefined) assign('agent_id', patch.agentId);
          if (patch.model !== undefined) assign('model', patch.model);
          const statusList = allowedFrom.map((status) => {
            params.push(status);
            return `$${params.length}`;
          });
          const [row] = await tx.query<RunRow>(
            `UPDATE runs SET ${assignments.join(', ')}
             WHERE id = $1 AND status IN (${statusList.join(', ')})
             RETURNING ${COLUMNS}`,
            params,
          );
          if (row !== undefined) return toRunRecord(row);
        }
        const [current] = await tx.query<{ status: RunStatus }>('SELECT status FROM runs WHERE id = $1', [
          id,
        ]);
        if (current === undefined) throw runNotFound(id);
        throw invalidTransition({ id, to, ...(from === undefined ? {} : { from }) }, current.status);
      });
    },

    async createMany(runs: readonly (NewRun & { id: string })[]): Promise<void> {
      if (runs.length === 0) return;
      for (const run of runs) {
        if (!isUuid(run.id))
          throw new AetherError('RUN_ID_INVALID', `run id "${run.id}" is not a UUID`, { category: 'user' });
      }
      const input = runs.map((run) => ({
        id: run.id,
        goal: run.goal,
        agent_id: run.agentId ?? null,
        model: run.model ?? null,
        options: run.options ?? {},
      }));
      return session(async (tx) => {
        const created = await tx.query<{ id: string }>(
          `INSERT INTO runs (id, tenant_id, goal, agent_id, model, options)
           SELECT r.id, $1, r.goal, r.agent_id, r.model, r.options
           FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, goal text, agent_id text, model text, options jsonb)
           ON CONFLICT (id) DO NOTHING
           RETURNING id`,
          [tenantId, toJsonbText(input)],
        );
        if (created.length === runs.length) return;
        // Ids that were not inserted must be this tenant's existing runs (idempotent create).
        const inserted = new Set(created.map((row) => row.id));
        const others = runs.map((run) => run.id).filter((id) => !inserted.has(id));
        const own = await tx.query<{ id: string }>('SELECT id FROM runs WHERE id = ANY($1::uuid[])', [
          others,
        ]);
        const taken = others.filter((id) => !own.some((row) => row.id === id));
        if (taken.length > 0) {
          throw new AetherError('RUN_ID_TAKEN', `run id ${taken.join(', ')} is already in use`, {
            category: 'user',
          });
        }
      });
    },

    async transitionMany(changes: readonly RunTransitionRequest[]): Promise<Array<RunRecord | AetherError>> {
      if (changes.length === 0) return [];
      const ids = new Set<string>();
      const input = changes.map((change) => {
        if (ids.has(change.id)) {
          throw new AetherError(
            'RUN_TRANSITION_BATCH_INVALID',
            `run ${change.id} appears twice in one batch of status changes`,
          );
        }
        ids.add(change.id);
        const patch = change.patch ?? {};
        const hops = [...(change.via ?? []), change.to];
        const chainIsValid = hops.every(
          (hop, index) => index === 0 || RUN_TRANSITIONS[hops[index - 1]!].includes(hop),
        );
        return {
          id: isUuid(change.id) ? change.id : null,
          to_status: change.to,
          // The stored status must allow the first hop; later hops were checked above.
          allowed: chainIsValid
            ? RUN_STATUSES.filter(
                (status) =>
                  RUN_TRANSITIONS[status].includes(hops[0]!) &&
                  (change.from === undefined || change.from.includes(status)),
              )
            : [],
          terminal: TERMINAL_RUN_STATUSES.includes(change.to),
          set_answer: patch.answer !== undefined,
          answer: patch.answer ?? null,
          set_error: patch.error !== undefined,
          error: patch.error ?? null,
          set_owner: patch.owner !== undefined,
          owner: patch.owner ?? null,
          agent_id: patch.agentId ?? null,
          model: patch.model ?? null,
        };
      });
      return session(async (tx) => {
        const updated = await tx.query<RunRow>(
          `UPDATE runs AS r SET
             status = c.to_status,
             updated_at = clock_timestamp(),
             finished_at = CASE WHEN c.terminal THEN clock_timestamp() ELSE r.finished_at END,
             answer = CASE WHEN c.set_answer THEN c.answer ELSE r.answer END,
             error = CASE WHEN c.set_error THEN c.error ELSE r.error END,
             owner = CASE WHEN c.set_owner THEN c.owner ELSE r.owner END,
             agent_id = coalesce(c.agent_id, r.agent_id),
             model = coalesce(c.model, r.model)
           FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, to_status text, allowed text[], terminal boolean,
             set_answer boolean, answer text, set_error boolean, error jsonb, set_owner boolean, owner text,
             agent_id text, model text)
           WHERE r.id = c.id AND r.status = ANY(c.allowed)
           RETURNING ${COLUMNS.split(', ')
             .map((column) => `r.${column}`)
             .join(', ')}`,
          [toJsonbText(input)],
        );
        const byId = new Map(updated.map((row) => [row.id, toRunRecord(row)]));
        const refused = changes.filter((change) => !byId.has(change.id));
        const current = new Map<string, RunStatus>();
        if (refused.length > 0) {
          const rows = await tx.query<{ id: string; status: RunStatus }>(
            'SELECT id, status FROM runs WHERE id = ANY($1::uuid[])',
            [refused.map((change) => change.id).filter(isUuid)],
          );
          for (const row of rows) current.set(row.id, row.status);
        }
        return changes.map((change) => {
          const record = byId.get(change.id);
          if (record !== undefined) return record;
          const status = current.get(change.id);
          return status === undefined ? runNotFound(change.id) : invalidTransition(change, status);
        });
      });
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

function invalidTransition(change: RunTransitionRequest, current: RunStatus): AetherError {
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

function runNotFound(id: string): AetherError {
  return new AetherError('RUN_NOT_FOUND', `no run ${id}`, { category: 'user' });
}

function toRunRecord(row: RunRow): RunRecord {
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
