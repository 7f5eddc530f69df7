import {
  AetherError,
  EVENT_SCHEMA_VERSION,
  type EventRepository,
  type JournalRepository,
  type JsonObject,
  type RunEvent,
} from '@aether/core';
import { isSqlError, SQL_STATE } from '../drivers/sql-state.ts';
import type { TenantSession } from '../shared/session.ts';
import { isUuid, toIso, toNumber } from '../shared/values.ts';

interface EventRow {
  run_id: string;
  seq: number | string;
  type: string;
  data: JsonObject;
  at: unknown;
  schema_version: number;
}

/**
 * The append-only event log of one tenant's runs. A row keeps `type` in its own column
 * and every other payload field in `data` (jsonb); `list` rebuilds the exact event, with
 * `at` in `Date#toISOString()` form.
 */
export function createEventRepository(session: TenantSession, journal: JournalRepository): EventRepository {
  return {
    async append(events: readonly RunEvent[]): Promise<void> {
      if (events.length === 0) return;
      await journal.write({ events });
    },

    async list(runId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<RunEvent[]> {
      if (!isUuid(runId)) return [];
      const limit = options.limit ?? null;
      if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) {
        throw new AetherError('INVALID_LIMIT', `limit must be a whole number ≥ 0, got ${limit}`, {
          category: 'user',
        });
      }
      return session(async (tx) => {
        const rows = await tx.query<EventRow>(
          `SELECT run_id, seq, type, data, at, schema_version FROM run_events
           WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          [runId, options.afterSeq ?? 0, limit],
        );
        return rows.map(toRunEvent);
      });
    },

    async lastSeq(runId: string): Promise<number> {
      if (!isUuid(runId)) return 0;
      return session(async (tx) => {
        const [row] = await tx.query<{ seq: unknown }>(
          'SELECT coalesce(max(seq), 0) AS seq FROM run_events WHERE run_id = $1',
          [runId],
        );
        return toNumber(row?.seq);
      });
    },

    async count(runId: string): Promise<number> {
      if (!isUuid(runId)) return 0;
      return session(async (tx) => {
        const [row] = await tx.query<{ count: unknown }>(
          'SELECT count(*) AS count FROM run_events WHERE run_id = $1',
          [runId],
        );
        return toNumber(row?.count);
      });
    },
  };
}

/** Validates an event and returns its row for `aether_write_journal` (`events`). */
export function eventRow(event: RunEvent): Record<string, unknown> {
  const { schemaVersion, runId, seq, at, type, ...payload } = event;
  const where = `event ${String(seq)} (${String(type)}) of run ${String(runId)}`;
  if (schemaVersion !== EVENT_SCHEMA_VERSION) {
    throw eventInvalid(
      `${where} has schemaVersion ${String(schemaVersion)}; this store writes ${EVENT_SCHEMA_VERSION}`,
    );
  }
  if (typeof runId !== 'string' || !isUuid(runId)) throw eventInvalid(`${where}: runId is not a UUID`);
  if (!Number.isSafeInteger(seq) || seq < 1) throw eventInvalid(`${where}: seq must be a whole number ≥ 1`);
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
    throw eventInvalid(`${where}: at is not an ISO-8601 time`);
  return { run_id: runId, seq, type, data: payload, at };
}

function toRunEvent(row: EventRow): RunEvent {
  if (row.schema_version > EVENT_SCHEMA_VERSION) {
    throw new AetherError(
      'EVENT_SCHEMA_TOO_NEW',
      `event ${row.seq} of run ${row.run_id} has schema version ${row.schema_version}; this version of Aether reads up to ${EVENT_SCHEMA_VERSION}`,
      { category: 'user', hint: 'upgrade Aether' },
    );
  }
  // The payload was validated when the event was emitted; the row is that event's fields.
  return {
    type: row.type,
    ...row.data,
    schemaVersion: EVENT_SCHEMA_VERSION,
    runId: row.run_id,
    seq: toNumber(row.seq),
    at: toIso(row.at),
  } as RunEvent;
}

/**
 * Maps a failed INSERT to an {@link AetherError}. The server leaves key values out of
 * constraint errors on tables under row-level security, so the message names the batch's
 * runs and seq ranges instead of the exact row.
 */
export function appendError(error: unknown, events: readonly RunEvent[]): unknown {
  const nothingWritten = `nothing of the batch of ${events.length} was written`;
  if (isSqlError(error, SQL_STATE.uniqueViolation)) {
    return new AetherError(
      'EVENT_SEQ_CONFLICT',
      `an event seq is already stored for ${describeBatch(events)}; ${nothingWritten}`,
      {
        category: 'system',
        hint: 'another writer is appending to this run; reload its lastSeq',
        cause: error,
      },
    );
  }
  if (isSqlError(error, SQL_STATE.foreignKeyViolation)) {
    const runs = [...new Set(events.map((event) => event.runId))];
    return new AetherError(
      'RUN_NOT_FOUND',
      `no run ${runs.length === 1 ? runs[0] : `among ${runs.join(', ')}`} for these events; ${nothingWritten}`,
      { category: 'user', cause: error },
    );
  }
  if (
    isSqlError(error, SQL_STATE.untranslatableCharacter) ||
    isSqlError(error, SQL_STATE.invalidTextRepresentation) ||
    isSqlError(error, SQL_STATE.invalidDatetimeFormat) ||
    isSqlError(error, SQL_STATE.datetimeFieldOverflow)
  ) {
    // E.g. a string with U+0000, which jsonb cannot hold.
    return eventInvalid(
      `an event of ${describeBatch(events)} could not be stored (${error.message}); ${nothingWritten}`,
      error,
    );
  }
  return error;
}

/** Refuses a seq repeated inside one batch, naming it (before any SQL runs). */
export function checkNoRepeatedSeq(events: readonly RunEvent[]): void {
  const seen = new Set<string>();
  for (const event of events) {
    const key = `${event.runId}/${event.seq}`;
    if (seen.has(key)) {
      throw new AetherError(
        'EVENT_SEQ_CONFLICT',
        `seq ${event.seq} of run ${event.runId} appears twice in one batch; nothing of the batch of ${events.length} was written`,
        { category: 'system' },
      );
    }
    seen.add(key);
  }
}

/** `run <id> (seq 3–5), run <id> (seq 1)`. */
function describeBatch(events: readonly RunEvent[]): string {
  const ranges = new Map<string, { min: number; max: number }>();
  for (const event of events) {
    const range = ranges.get(event.runId);
    if (range === undefined) ranges.set(event.runId, { min: event.seq, max: event.seq });
    else {
      range.min = Math.min(range.min, event.seq);
      range.max = Math.max(range.max, event.seq);
    }
  }
  return [...ranges]
    .map(([runId, { min, max }]) => `run ${runId} (seq ${min === max ? min : `${min}–${max}`})`)
    .join(', ');
}

function eventInvalid(message: string, cause?: unknown): AetherError {
  return new AetherError('EVENT_INVALID', message, { category: 'system', cause });
}
