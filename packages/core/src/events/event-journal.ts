import type { ChecklistItem } from '../contracts/checklist.ts';
import type { Clock } from '../contracts/clock.ts';
import {
  EVENT_SCHEMA_VERSION,
  type EventListener,
  type RunEvent,
  type RunEventBody,
} from '../contracts/events.ts';
import type { JsonValue } from '../contracts/json.ts';
import {
  type ChecklistUpdate,
  type Checkpoint,
  type JournalBatch,
  type NewRunWithId,
  RUN_TRANSITIONS,
  type RunPatch,
  type RunRecord,
  type RunStatus,
  type RunTransitionRequest,
  type TenantStore,
} from '../contracts/store.ts';
import type { UsageRecord, UsageTotals } from '../contracts/usage.ts';
import { AetherError } from '../errors.ts';

export type { ChecklistUpdate, JournalBatch, NewRunWithId } from '../contracts/store.ts';

/** Where a journal's group commits go. {@link tenantJournalTarget} adapts a `TenantStore`. */
export interface JournalTarget {
  /**
   * Stores the batch atomically. A refused transition does not fail the batch: its slot in
   * the result (one per transition, in order) holds the error; the others hold the run.
   */
  write(batch: JournalBatch): Promise<Array<RunRecord | AetherError>>;
}

/**
 * Writes each group commit through the tenant store's journal repository (one
 * statement on the SQL store). Several changes of one run in a batch are checked against
 * the state machine here and stored as one change (the intermediate states are never
 * visible outside the transaction anyway).
 */
export function tenantJournalTarget(store: Pick<TenantStore, 'journal'>): JournalTarget {
  return {
    async write(batch) {
      if (batch.transitions.length === 0) return store.journal.write(batch);
      const { merged, slots } = mergeTransitions(batch.transitions);
      const stored = await store.journal.write({ ...batch, transitions: merged });
      return slots.map((slot) => (slot instanceof AetherError ? slot : stored[slot]!));
    },
  };
}

/**
 * Folds each run's successive changes into one: the first change's `from` guards the
 * stored status, the later ones must follow from the one before. Returns the merged
 * changes and, per original change, the index of its merged change or its own error.
 */
export function mergeTransitions(changes: readonly RunTransitionRequest[]): {
  merged: RunTransitionRequest[];
  slots: Array<number | AetherError>;
} {
  const merged: RunTransitionRequest[] = [];
  const indexOfRun = new Map<string, number>();
  const slots = changes.map((change): number | AetherError => {
    const index = indexOfRun.get(change.id);
    if (index === undefined) {
      indexOfRun.set(change.id, merged.length);
      merged.push({ ...change, patch: { ...change.patch } });
      return merged.length - 1;
    }
    const previous = merged[index]!;
    const allowed =
      RUN_TRANSITIONS[previous.to].includes(change.to) && (change.from?.includes(previous.to) ?? true);
    if (!allowed) {
      return new AetherError(
        'INVALID_RUN_TRANSITION',
        `run ${change.id} cannot go from "${previous.to}" to "${change.to}"`,
        { category: 'user' },
      );
    }
    merged[index] = {
      ...previous,
      to: change.to,
      via: [...(previous.via ?? []), previous.to],
      patch: { ...previous.patch, ...change.patch },
    };
    return index;
  });
  return { merged, slots };
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

interface PendingEvent {
  journal: RunJournal;
  body: RunEventBody;
  at: string;
}

interface PendingTransition {
  request: RunTransitionRequest;
  resolve(record: RunRecord): void;
  reject(error: unknown): void;
}

/**
 * The write path of every run's trace and state. Events, usage rows, new runs and status
 * changes are buffered and written in group commits (one transaction for many runs), `seq`
 * is assigned at commit so stored sequences have no gaps, consecutive text deltas of one
 * block are merged while they wait, and listeners see an event only after it is stored
 * ("persisted before published"). A status change commits together with the events
 * emitted before it, so a run's status never gets ahead of its trace.
 *
 * One journal per tenant store and process; open a {@link RunJournal} per run.
 */
export class EventJournal {
  readonly #target: JournalTarget;
  readonly #clock: Clock;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  #runs: NewRunWithId[] = [];
  #events: PendingEvent[] = [];
  #usage: UsageRecord[] = [];
  #transitions: PendingTransition[] = [];
  #checklist: ChecklistUpdate[] = [];
  #checkpoints: Checkpoint[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;
  #failure: AetherError | undefined;
  readonly #listeners = new Set<EventListener>();
  /** Runs with an open journal: more than one, and waiting for a group commit pays off. */
  #activeRuns = 0;
  #nextCommit: { promise: Promise<void>; resolve(): void; reject(error: unknown): void } | undefined;
  #soon: Promise<void> | undefined;

  constructor(options: EventJournalOptions) {
    this.#target = options.target;
    this.#clock = options.clock;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  /** Opens the journal of one stored run whose events end at `lastSeq` (0 for none). */
  open(runId: string, lastSeq: number): RunJournal {
    this.#activeRuns++;
    return new RunJournal(this, runId, lastSeq);
  }

  /**
   * Creates a run with the next group commit and opens its journal. The run, its first
   * events and its first status change are stored together.
   */
  create(run: NewRunWithId): RunJournal {
    this.#runs.push(run);
    this.#schedule();
    this.#activeRuns++;
    return new RunJournal(this, run.id, 0);
  }

  /** Calls `listener` with every event of every run once it is stored. Returns an unsubscribe. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal A run's journal was closed. */
  release(): void {
    this.#activeRuns = Math.max(0, this.#activeRuns - 1);
  }

  /**
   * Resolves when everything enqueued so far is stored, like {@link flush}, but as a group
   * commit: while other runs are active it joins the next timed write (at most
   * `flushIntervalMs` away) instead of forcing one, so concurrent runs share transactions
   * (PostgreSQL's `commit_delay`, for a journal). A lone run is written at the end of the
   * current turn of the event loop.
   */
  commit(): Promise<void> {
    if (this.#activeRuns <= 1 || this.#flushIntervalMs === 0) return this.#flushSoon();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (!this.#hasPending()) return this.#writing ?? Promise.resolve();
    if (this.#nextCommit === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((done, fail) => {
        resolve = done;
        reject = fail;
      });
      this.#nextCommit = { promise, resolve, reject };
    }
    this.#schedule();
    return this.#nextCommit.promise;
  }

  /**
   * A flush at the end of this turn of the event loop: the parallel branches of one run (a
   * team's items, their verifications) that finish a step in the same turn share one write.
   */
  #flushSoon(): Promise<void> {
    if (this.#soon === undefined) {
      this.#soon = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#soon = undefined;
        return this.flush();
      });
    }
    return this.#soon;
  }

  /** Resolves when everything enqueued so far is stored; rejects if a write failed. */
  async flush(): Promise<void> {
    this.#clearTimer();
    while (this.#writing !== undefined || this.#hasPending()) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#writing !== undefined) {
        await this.#writing;
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
    const item: PendingEvent = { journal, body, at: new Date(this.#clock.now()).toISOString() };
    journal.lastPending = item;
    this.#events.push(item);
    this.#schedule();
  }

  /** @internal */
  enqueueUsage(record: UsageRecord): void {
    this.#usage.push(record);
    this.#schedule();
  }

  /** @internal */
  enqueueChecklist(update: ChecklistUpdate): void {
    this.#checklist.push(update);
    this.#schedule();
  }

  /** @internal */
  enqueueCheckpoint(checkpoint: Checkpoint): void {
    this.#checkpoints.push(checkpoint);
    this.#schedule();
  }

  /** @internal */
  enqueueTransition(request: RunTransitionRequest): Promise<RunRecord> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#transitions.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  #hasPending(): boolean {
    return (
      this.#events.length +
        this.#usage.length +
        this.#runs.length +
        this.#transitions.length +
        this.#checklist.length +
        this.#checkpoints.length >
      0
    );
  }

  #schedule(): void {
    if (this.#writing !== undefined) return;
    if (this.#events.length >= this.#maxBatch) {
      this.#clearTimer();
      this.#startWrite();
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#writing === undefined && this.#failure === undefined) this.#startWrite();
    }, this.#flushIntervalMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #startWrite(): void {
    const items = this.#events;
    const runs = this.#runs;
    const usage = this.#usage;
    const transitions = this.#transitions;
    const checklist = this.#checklist;
    const checkpoints = this.#checkpoints;
    const waiting = this.#nextCommit;
    this.#nextCommit = undefined;
    this.#checklist = [];
    this.#checkpoints = [];
    this.#events = [];
    this.#runs = [];
    this.#usage = [];
    this.#transitions = [];
    const events: RunEvent[] = new Array(items.length);
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      const journal = item.journal;
      if (journal.lastPending === item) journal.lastPending = undefined;
      journal.lastSeq += 1;
      events[index] = {
        ...item.body,
        schemaVersion: EVENT_SCHEMA_VERSION,
        runId: journal.runId,
        seq: journal.lastSeq,
        at: item.at,
      } as RunEvent;
    }
    const batch: JournalBatch = {
      runs,
      events,
      usage,
      checklist,
      checkpoints,
      transitions: transitions.map((pending) => pending.request),
    };
    this.#writing = this.#target.write(batch).then(
      (results) => {
        this.#writing = undefined;
        for (let index = 0; index < events.length; index++) {
          const event = events[index]!;
          items[index]!.journal.publish(event);
          if (this.#listeners.size > 0) notify(this.#listeners, event);
        }
        transitions.forEach((pending, index) => {
          const result = results[index];
          if (result instanceof AetherError) pending.reject(result);
          else if (result === undefined)
            pending.reject(new AetherError('EVENT_WRITE_FAILED', 'no result for a transition'));
          else pending.resolve(result);
        });
        waiting?.resolve();
        if (this.#hasPending()) this.#schedule();
      },
      (error: unknown) => {
        this.#writing = undefined;
        // The journal stops here: a trace with a hole must not go on. Sequence numbers are
        // given back so nothing stored has a gap, and everyone waiting hears why.
        const firstSeq = new Map<RunJournal, number>();
        for (let index = 0; index < events.length; index++) {
          const journal = items[index]!.journal;
          if (!firstSeq.has(journal)) firstSeq.set(journal, events[index]!.seq - 1);
        }
        for (const [journal, seq] of firstSeq) journal.lastSeq = seq;
        this.#failure = new AetherError(
          'EVENT_WRITE_FAILED',
          `could not store run events: ${String(error)}`,
          {
            cause: error,
            isRetryable: true,
          },
        );
        for (const pending of [...transitions, ...this.#transitions]) pending.reject(this.#failure);
        waiting?.reject(this.#failure);
        this.#nextCommit?.reject(this.#failure);
        this.#nextCommit = undefined;
        this.#transitions = [];
        this.#events = [...items, ...this.#events];
        this.#runs = [...runs, ...this.#runs];
        this.#usage = [...usage, ...this.#usage];
        this.#checklist = [...checklist, ...this.#checklist];
        this.#checkpoints = [...checkpoints, ...this.#checkpoints];
      },
    );
  }
}

/**
 * The trace of one run: `emit` appends an event (stored by the next group commit),
 * `transition` changes the run's status with it, and `subscribe` follows stored events.
 */
export class RunJournal {
  readonly runId: string;
  /** The highest `seq` assigned so far (stored, or being stored). */
  lastSeq: number;
  /** @internal The newest event of this run still waiting to be written. */
  lastPending: PendingEvent | undefined;
  readonly #journal: EventJournal;
  readonly #listeners = new Set<EventListener>();
  readonly #usage: UsageTotals = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  #closed = false;

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
    this.#usage.inputTokens += record.inputTokens;
    this.#usage.outputTokens += record.outputTokens;
    this.#usage.costUsd += record.costUsd;
    this.#journal.enqueueUsage(record);
  }

  /** Usage recorded through this journal (this process's share of the run). */
  get usage(): UsageTotals {
    return { ...this.#usage };
  }

  /**
   * Records a finished step's output; it commits with the events emitted before it, so a
   * step is either done with its trace or not done at all.
   */
  checkpoint(key: string, output: JsonValue): void {
    this.#journal.enqueueCheckpoint({ runId: this.runId, key, output });
  }

  /** Inserts or updates checklist items of this run with the next group commit. */
  updateChecklist(items: readonly ChecklistItem[]): void {
    this.#journal.enqueueChecklist({ runId: this.runId, items: items.map((item) => ({ ...item })) });
  }

  /**
   * Moves the run to `to` in the same group commit as the events emitted before this call.
   * Resolves with the stored run; rejects with `INVALID_RUN_TRANSITION` if it was refused.
   */
  transition(to: RunStatus, patch?: RunPatch, from?: readonly RunStatus[]): Promise<RunRecord> {
    return this.#journal.enqueueTransition({
      id: this.runId,
      to,
      ...(patch === undefined ? {} : { patch }),
      ...(from === undefined ? {} : { from }),
    });
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

  /** Like {@link flush}, as a group commit shared with the journal's other active runs. */
  commit(): Promise<void> {
    return this.#journal.commit();
  }

  /** Ends this run's use of the journal (what is pending is still written). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#journal.release();
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
