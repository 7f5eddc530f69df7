import {
  AetherError,
  type ChecklistItem,
  type Checkpoint,
  EVENT_SCHEMA_VERSION,
  type JournalBatch,
  type JournalRepository,
  type NewRunWithId,
  RUN_TRANSITIONS,
  type RunRecord,
  type RunStatus,
  type RunTransitionRequest,
  TERMINAL_RUN_STATUSES,
} from '@aether/core';
import type { Queryable } from '../drivers/database.ts';
import { isSqlError } from '../drivers/sql-state.ts';
import { appendError, checkNoRepeatedSeq, eventRow } from '../events/event-repository.ts';
import { invalidTransition, type RunRow, runNotFound, toRunRecord } from '../runs/run-repository.ts';
import { toJsonbText } from '../shared/jsonb.ts';
import { isUuid } from '../shared/values.ts';
import { usageRow } from '../usage/usage-repository.ts';

/** SQLSTATEs raised by `aether_write_journal` (migration 0007). */
const RUNS_NOT_VISIBLE = 'AE001';
const RUN_ID_TAKEN = 'AE002';

const RUN_STATUSES = Object.keys(RUN_TRANSITIONS) as RunStatus[];

/** What `aether_write_journal` returns. */
interface JournalResult {
  updated: RunRow[];
  current: Array<{ id: string; status: RunStatus }>;
}

/**
 * The write path of runs, events, usage, checklists, checkpoints and status changes: one
 * call of `aether_write_journal` per batch, so a group commit is one statement in its own
 * transaction (or part of the caller's, when the store is bound to one). The repositories'
 * write methods are batches with one part. Rows are validated here first: a bad row fails
 * the batch with an error naming it, before any SQL runs.
 */
export function createJournalRepository(tenantId: string, db: Queryable): JournalRepository {
  return {
    async write(batch: Partial<JournalBatch>): Promise<Array<RunRecord | AetherError>> {
      const runs = batch.runs ?? [];
      const events = batch.events ?? [];
      const usage = batch.usage ?? [];
      const checklist = batch.checklist ?? [];
      const checkpoints = batch.checkpoints ?? [];
      const transitions = batch.transitions ?? [];
      checkNoRepeatedSeq(events);
      const runRows = runs.map(newRunRow);
      const created = new Set(runRows.map((row) => row.id));
      const named = new Set<string>();
      const name = (runId: string): void => {
        if (!created.has(runId)) named.add(runId);
      };
      const eventRows = events.map((event) => {
        const row = eventRow(event);
        name(event.runId);
        return row;
      });
      const usageRows = usage.map((record) => {
        const row = usageRow(record);
        name(record.runId);
        return row;
      });
      // One row per item: a later update of an item in the same batch wins, and the item
      // keeps the position it was first written with (as separate upserts would).
      const checklistByItem = new Map<string, Record<string, unknown>>();
      for (const update of checklist) {
        requireRunId(update.runId, 'checklist');
        name(update.runId);
        update.items.forEach((item, position) => {
          const key = `${update.runId}/${item.id}`;
          const first = checklistByItem.get(key);
          checklistByItem.set(
            key,
            checklistRow(update.runId, item, (first?.['position'] as number) ?? position),
          );
        });
      }
      const checklistRows = [...checklistByItem.values()];
      const checkpointRows = checkpoints.map((checkpoint) => {
        requireRunId(checkpoint.runId, 'checkpoint');
        name(checkpoint.runId);
        return checkpointRow(checkpoint);
      });
      const seen = new Set<string>();
      for (const change of transitions) {
        if (seen.has(change.id)) {
          throw new AetherError(
            'RUN_TRANSITION_BATCH_INVALID',
            `run ${change.id} appears twice in one batch of status changes`,
          );
        }
        seen.add(change.id);
      }
      // A change naming no UUID cannot match a run: it is refused without asking.
      const transitionRows = transitions.filter((change) => isUuid(change.id)).map(transitionRow);
      if (
        created.size + eventRows.length + usageRows.length + checklistRows.length + checkpointRows.length ===
          0 &&
        transitionRows.length === 0
      ) {
        return transitions.map((change) => runNotFound(change.id));
      }

      let result: JournalResult;
      try {
        const [row] = await db.query<{ result: JournalResult }>(
          'SELECT aether_write_journal($1, $2) AS result',
          [
            tenantId,
            toJsonbText({
              schema_version: EVENT_SCHEMA_VERSION,
              runs: runRows,
              named: [...named],
              events: eventRows,
              usage: usageRows,
              checklist: checklistRows,
              checkpoints: checkpointRows,
              transitions: transitionRows,
            }),
          ],
        );
        result = row?.result ?? { updated: [], current: [] };
      } catch (error) {
        throw writeError(error, batch);
      }
      const moved = new Map(result.updated.map((row) => [row.id, toRunRecord(row)]));
      const current = new Map(result.current.map((row) => [row.id, row.status]));
      return transitions.map((change) => {
        const record = moved.get(change.id);
        if (record !== undefined) return record;
        const status = current.get(change.id);
        return status === undefined ? runNotFound(change.id) : invalidTransition(change, status);
      });
    },
  };
}

/** Validates a new run and returns its row (`runs`). */
function newRunRow(run: NewRunWithId): {
  id: string;
  goal: string;
  agent_id: string | null;
  model: string | null;
  options: unknown;
} {
  if (!isUuid(run.id)) {
    throw new AetherError('RUN_ID_INVALID', `run id "${run.id}" is not a UUID`, { category: 'user' });
  }
  return {
    id: run.id,
    goal: run.goal,
    agent_id: run.agentId ?? null,
    model: run.model ?? null,
    options: run.options ?? {},
  };
}

/**
 * A status change as a row (`transitions`): the statuses the stored one may be for the
 * first hop (the later hops of a merged change are checked here), and which fields to set.
 */
function transitionRow(change: RunTransitionRequest): Record<string, unknown> {
  const patch = change.patch ?? {};
  const hops = [...(change.via ?? []), change.to];
  const chainIsValid = hops.every(
    (hop, index) => index === 0 || RUN_TRANSITIONS[hops[index - 1]!].includes(hop),
  );
  return {
    id: change.id,
    to_status: change.to,
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
}

function checklistRow(runId: string, item: ChecklistItem, position: number): Record<string, unknown> {
  return {
    run_id: runId,
    item_id: item.id,
    position,
    title: item.title,
    capability: item.capability,
    acceptance: item.acceptance,
    depends_on: item.dependsOn,
    priority: item.priority,
    files: item.files,
    owner: item.owner,
    status: item.status,
    evidence: item.evidence,
  };
}

function checkpointRow(checkpoint: Checkpoint): Record<string, unknown> {
  return { run_id: checkpoint.runId, step_key: checkpoint.key, output: checkpoint.output };
}

function requireRunId(runId: string, what: string): void {
  if (!isUuid(runId)) {
    throw new AetherError('RUN_NOT_FOUND', `no run ${runId} for this ${what}; nothing was written`, {
      category: 'user',
    });
  }
}

/** Maps a failed write to an error naming what was wrong; nothing of the batch was written. */
function writeError(error: unknown, batch: Partial<JournalBatch>): unknown {
  if (isSqlError(error, RUNS_NOT_VISIBLE)) {
    const missing = error.message.split(', ');
    return new AetherError(
      'RUN_NOT_FOUND',
      `no run ${missing.join(', ')} for ${describeParts(batch, new Set(missing))}; nothing was written`,
      { category: 'user', cause: error },
    );
  }
  if (isSqlError(error, RUN_ID_TAKEN)) {
    return new AetherError('RUN_ID_TAKEN', `run id ${error.message} is already in use`, {
      category: 'user',
      cause: error,
    });
  }
  return batch.events !== undefined && batch.events.length > 0 ? appendError(error, batch.events) : error;
}

/** `these events (a batch of 3) and this usage`: the parts of a batch naming `runIds`. */
function describeParts(batch: Partial<JournalBatch>, runIds: ReadonlySet<string>): string {
  const parts: string[] = [];
  const names = (items: readonly { runId: string }[] | undefined): boolean =>
    (items ?? []).some((item) => runIds.has(item.runId));
  if (names(batch.events)) parts.push(`these events (a batch of ${batch.events?.length})`);
  if (names(batch.usage)) parts.push('this usage');
  if (names(batch.checklist)) parts.push('this checklist');
  if (names(batch.checkpoints)) parts.push('these checkpoints');
  return parts.length === 0 ? 'this batch' : parts.join(' and ');
}
