import { type RunEvent, TERMINAL_RUN_STATUSES, type TenantStore } from '@aether/core';
import type { EventBus } from './event-bus.ts';

/** Event types after which a run's trace has nothing more. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'run.completed',
  'run.failed',
  'run.cancelled',
]);

/** How many stored events one database read returns while catching up. */
const PAGE = 500;

/** Options of {@link followRun}. */
export interface FollowRunOptions {
  /** The tenant the run belongs to (the caller has checked the run is visible to it). */
  tenant: TenantStore;
  bus: EventBus;
  runId: string;
  /** Send events with `seq` greater than this (the client's `Last-Event-ID`; 0 for all). */
  afterSeq: number;
  signal: AbortSignal;
}

/**
 * A run's events after `afterSeq`, stored ones first and then live ones, each exactly once
 * and in `seq` order, ending after the run's terminal event. It subscribes to live events
 * first and buffers them, then reads what is stored, then drains the buffer skipping what
 * was already sent — so nothing published between the read and the subscription is lost.
 * A hole in the live sequence (a dropped pub/sub message) is filled from the database,
 * where every published event already is.
 */
export async function* followRun(options: FollowRunOptions): AsyncGenerator<RunEvent> {
  const { tenant, bus, runId, signal } = options;
  const buffer: RunEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = await bus.subscribe(runId, (event) => {
    buffer.push(event);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  let last = options.afterSeq;
  try {
    // Catch up from the database, then from the database again whenever live events skip.
    const catchUp = async function* (): AsyncGenerator<RunEvent, boolean> {
      for (;;) {
        const page = await tenant.events.list(runId, { afterSeq: last, limit: PAGE });
        for (const event of page) {
          last = event.seq;
          yield event;
          if (TERMINAL_EVENT_TYPES.has(event.type)) return true;
        }
        if (page.length < PAGE) return false;
      }
    };
    if (yield* catchUp()) return;
    // A run that already ended has all its events stored (its status changes in the same
    // transaction as its last events): after one more read there is nothing left to wait for.
    const run = await tenant.runs.get(runId);
    if (run === undefined || TERMINAL_RUN_STATUSES.includes(run.status)) {
      yield* catchUp();
      return;
    }
    while (!signal.aborted) {
      const event = buffer.shift();
      if (event === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (event.seq <= last) continue;
      if (event.seq > last + 1) {
        if (yield* catchUp()) return;
        continue;
      }
      last = event.seq;
      yield event;
      if (TERMINAL_EVENT_TYPES.has(event.type)) return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
