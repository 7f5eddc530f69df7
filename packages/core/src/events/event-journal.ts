import type { Clock } from '../contracts/clock.ts';
import {
  EVENT_SCHEMA_VERSION,
  type EventListener,
  type RunEvent,
  type RunEventBody,
} from '../contracts/events.ts';
import type { TenantStore } from '../contracts/store.ts';
import type { UsageRecord } from '../contracts/usage.ts';
import { AetherError } from '../errors.ts';

/** Where a journal's group commits go. {@link tenantJournalTarget} adapts a `TenantStore`. */
export interface JournalTarget {
  /** Stores the events and usage rows atomically: all of them or none. */
  write(events: readonly RunEvent[], usage: readonly UsageRecord[]): Promise<void>;
}

/** Writes events and usage in one tenant transaction (a single statement when there is no usage). */
export function tenantJournalTarget(store: Pick<TenantStore, 'events' | 'transaction'>): JournalTarget {
  return {
    async write(events, usage) {
      if (usage.length === 0) return store.events.append(events);
      await store.transaction(async (tx) => {
        if (events.length > 0) await tx.events.append(events);
        await tx.usage.record(usage);
      });
    },
  };
}

/** Options of an {@link EventJournal}. */
export interface EventJournalOptions {
  target: JournalTarget;
  clock: Clock;
  /** How long an event may wait for its group commit, in ms (`execution.eventFlushMs`); 0 = next tick. */
  flushIntervalMs: number;
  /** A batch this large is written at once instead of waiting for the interval. */
  maxBatch?: number;
}

interface PendingItem {
  journal: RunJournal;
  body: RunEventBody;
  at: string;
}

/**
 * The write path of every run's trace. Events are buffered and written in group commits
 * (one statement for many events, across runs), `seq` is assigned at commit so stored
 * sequences have no gaps, consecutive text deltas of one block are merged while they wait,
 * and listeners see an event only after it is stored ("persisted before published").
 *
 * One journal per tenant store and process; open a {@link RunJournal} per run.
 */
export class EventJournal {
  readonly #target: JournalTarget;
  readonly #clock: Clock;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  #pending: PendingItem[] = [];
  #pendingUsage: UsageRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;
  #failure: unknown;
  readonly #listeners = new Set<EventListener>();

  constructor(options: EventJournalOptions) {
    this.#target = options.target;
    this.#clock = options.clock;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  /** Opens the journal of one run whose stored events end at `lastSeq` (0 for a new run). */
  open(runId: string, lastSeq: number): RunJournal {
    return new RunJournal(this, runId, lastSeq);
  }

  /** Calls `listener` with every event of every run once it is stored. Returns an unsubscribe. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when every event emitted so far is stored; rejects if a write failed. */
  async flush(): Promise<void> {
    this.#clearTimer();
    // A write in flight holds a snapshot; wait for it, then write what came after it.
    while (this.#writing !== undefined || this.#pending.length > 0 || this.#pendingUsage.length > 0) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#writing !== undefined) {
        await this.#writing.catch(() => undefined);
        continue;
      }
      this.#startWrite();
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** @internal */
  enqueue(journal: RunJournal, body: RunEventBody): void {
    if (body.type === 'text.delta') {
      const last = journal.lastPending;
      if (last !== undefined && last.body.type === 'text.delta' && last.body.id === body.id) {
        last.body = { ...last.body, delta: last.body.delta + body.delta };
        return;
      }
    }
    const item: PendingItem = { journal, body, at: new Date(this.#clock.now()).toISOString() };
    journal.lastPending = item;
    this.#pending.push(item);
    this.#schedule();
  }

  /** @internal */
  enqueueUsage(record: UsageRecord): void {
    this.#pendingUsage.push(record);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pending.length >= this.#maxBatch && this.#writing === undefined) {
      this.#clearTimer();
      this.#startWrite();
      return;
    }
    if (this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#writing === undefined) this.#startWrite();
    }, this.#flushIntervalMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #startWrite(): void {
    const items = this.#pending;
    const usage = this.#pendingUsage;
    this.#pending = [];
    this.#pendingUsage = [];
    const events: RunEvent[] = new Array(items.length);
    const firstSeq = new Map<RunJournal, number>();
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      const journal = item.journal;
      if (journal.lastPending === item) journal.lastPending = undefined;
      if (!firstSeq.has(journal)) firstSeq.set(journal, journal.lastSeq);
      journal.lastSeq += 1;
      events[index] = {
        ...item.body,
        schemaVersion: EVENT_SCHEMA_VERSION,
        runId: journal.runId,
        seq: journal.lastSeq,
        at: item.at,
      } as RunEvent;
    }
    const write = this.#target.write(events, usage).then(
      () => {
        this.#writing = undefined;
        for (let index = 0; index < events.length; index++) {
          const event = events[index]!;
          items[index]!.journal.publish(event);
          if (this.#listeners.size > 0) notify(this.#listeners, event);
        }
        if (this.#pending.length > 0 || this.#pendingUsage.length > 0) this.#schedule();
      },
      (error: unknown) => {
        this.#writing = undefined;
        // Give the sequence numbers back so nothing is skipped, and keep the events for a retry.
        for (const [journal, seq] of firstSeq) journal.lastSeq = seq;
        this.#pending = [...items, ...this.#pending];
        this.#pendingUsage = [...usage, ...this.#pendingUsage];
        this.#failure = new AetherError(
          'EVENT_WRITE_FAILED',
          `could not store run events: ${String(error)}`,
          {
            cause: error,
            isRetryable: true,
          },
        );
        throw this.#failure;
      },
    );
    this.#writing = write;
    write.catch(() => undefined);
  }
}

/**
 * The trace of one run: `emit` appends an event (stored by the next group commit), and
 * `subscribe` follows the events as they are stored.
 */
export class RunJournal {
  readonly runId: string;
  /** The highest `seq` assigned so far (stored, or being stored). */
  lastSeq: number;
  /** @internal The newest event of this run still waiting to be written. */
  lastPending: PendingItem | undefined;
  readonly #journal: EventJournal;
  readonly #listeners = new Set<EventListener>();

  constructor(journal: EventJournal, runId: string, lastSeq: number) {
    this.#journal = journal;
    this.runId = runId;
    this.lastSeq = lastSeq;
  }

  /** Adds an event to the trace. It is stored with the next group commit, then published. */
  emit(body: RunEventBody): void {
    this.#journal.enqueue(this, body);
  }

  /** Adds a usage row; written in the same transaction as the events around it. */
  recordUsage(record: UsageRecord): void {
    this.#journal.enqueueUsage(record);
  }

  /** Calls `listener` with each event of this run once it is stored. Returns an unsubscribe. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when everything emitted so far (by any run of the journal) is stored. */
  flush(): Promise<void> {
    return this.#journal.flush();
  }

  /** @internal */
  publish(event: RunEvent): void {
    if (this.#listeners.size > 0) notify(this.#listeners, event);
  }
}

function notify(listeners: ReadonlySet<EventListener>, event: RunEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // A listener (a terminal, a socket) failing must not stop the run or other listeners.
    }
  }
}
