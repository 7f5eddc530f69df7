import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../contracts/events.ts';
import type { RunRecord } from '../contracts/store.ts';
import type { UsageRecord } from '../contracts/usage.ts';
import { AetherError } from '../errors.ts';
import { EventJournal, type JournalBatch, type JournalTarget } from './event-journal.ts';

class MemoryTarget implements JournalTarget {
  readonly batches: RunEvent[][] = [];
  readonly writes: JournalBatch[] = [];
  readonly usage: UsageRecord[] = [];
  failNext = false;
  async write(batch: JournalBatch): Promise<Array<RunRecord | AetherError>> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.writes.push(batch);
    this.batches.push([...batch.events]);
    this.usage.push(...batch.usage);
    return batch.transitions.map((change) =>
      change.to === 'paused'
        ? new AetherError('INVALID_RUN_TRANSITION', `run ${change.id} cannot go to "paused"`)
        : ({ id: change.id, status: change.to } as RunRecord),
    );
  }
  get events(): RunEvent[] {
    return this.batches.flat();
  }
}

const clock = { now: () => Date.UTC(2026, 10, 21) };

describe('EventJournal', () => {
  it('writes events of many runs in one group commit with gapless per-run seq', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 5 });
    const a = journal.open('run-a', 0);
    const b = journal.open('run-b', 7);
    a.emit({ type: 'run.cancelled', reason: 'x' });
    b.emit({ type: 'run.cancelled', reason: 'y' });
    a.emit({ type: 'text.end', id: 't', agentId: 'm' });
    await journal.flush();
    expect(target.batches).toHaveLength(1);
    expect(target.events.map((event) => [event.runId, event.seq])).toEqual([
      ['run-a', 1],
      ['run-b', 8],
      ['run-a', 2],
    ]);
    expect(target.events[0]).toMatchObject({ schemaVersion: 1, at: '2026-11-21T00:00:00.000Z' });
  });

  it('merges consecutive text deltas of one block while they wait, but not across blocks', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 50 });
    const run = journal.open('r', 0);
    run.emit({ type: 'text.delta', id: 's1', agentId: 'a', delta: 'Hel' });
    run.emit({ type: 'text.delta', id: 's1', agentId: 'a', delta: 'lo' });
    run.emit({ type: 'text.delta', id: 's2', agentId: 'a', delta: '!' });
    run.emit({ type: 'text.delta', id: 's1', agentId: 'a', delta: ' again' });
    await run.flush();
    expect(target.events.map((event) => (event.type === 'text.delta' ? event.delta : ''))).toEqual([
      'Hello',
      '!',
      ' again',
    ]);
    run.emit({ type: 'text.delta', id: 's1', agentId: 'a', delta: ' more' });
    await run.flush();
    expect(target.events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
  });

  it('publishes an event only after it is stored, in seq order', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 1 });
    const run = journal.open('r', 0);
    const seen: Array<[number, number]> = [];
    run.subscribe((event) => seen.push([event.seq, target.events.length]));
    run.emit({ type: 'run.cancelled', reason: 'a' });
    run.emit({ type: 'run.cancelled', reason: 'b' });
    expect(seen).toEqual([]);
    await run.flush();
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('keeps events and gives back their seq when a write fails, so a retry stores them without gaps', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 1000 });
    const run = journal.open('r', 0);
    run.emit({ type: 'run.cancelled', reason: 'a' });
    target.failNext = true;
    await expect(run.flush()).rejects.toThrow(/could not store run events: Error: disk full/);
    expect(run.lastSeq).toBe(0);
    expect(target.events).toEqual([]);
  });

  it('writes usage rows in the same batch as the events around them', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 5 });
    const run = journal.open('r', 0);
    run.emit({ type: 'run.cancelled', reason: 'a' });
    run.recordUsage({
      runId: 'r',
      stepId: 's',
      agentId: 'a',
      provider: 'p',
      model: 'p:m',
      inputTokens: 1,
      outputTokens: 2,
      costUsd: 0,
      at: 'now',
    });
    await run.flush();
    expect(target.batches).toHaveLength(1);
    expect(target.usage).toHaveLength(1);
  });

  it('creates a run and commits its status changes together with the events emitted before them', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 1000 });
    const run = journal.create({ id: 'new-run', goal: 'g' });
    const running = run.transition('running');
    run.emit({ type: 'run.started', goal: 'g', agentId: 'a', model: 'p:m' });
    const completed = run.transition('completed', { answer: 'x' });
    await run.flush();
    expect(target.writes).toHaveLength(1);
    expect(target.writes[0]).toMatchObject({
      runs: [{ id: 'new-run', goal: 'g' }],
      transitions: [
        { id: 'new-run', to: 'running' },
        { id: 'new-run', to: 'completed', patch: { answer: 'x' } },
      ],
    });
    await expect(running).resolves.toMatchObject({ status: 'running' });
    await expect(completed).resolves.toMatchObject({ status: 'completed' });
  });

  it('rejects only the refused transition; the rest of the batch is stored', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 1000 });
    const run = journal.open('r', 0);
    const refused = run.transition('paused');
    refused.catch(() => undefined);
    run.emit({ type: 'run.cancelled', reason: 'x' });
    await run.flush();
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_RUN_TRANSITION' });
    expect(target.events).toHaveLength(1);
  });

  it('stops after a failed write and tells every waiter why', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 1000 });
    const run = journal.open('r', 0);
    run.emit({ type: 'run.cancelled', reason: 'a' });
    const change = run.transition('cancelled');
    change.catch(() => undefined);
    target.failNext = true;
    await expect(run.flush()).rejects.toMatchObject({ code: 'EVENT_WRITE_FAILED' });
    await expect(change).rejects.toMatchObject({ code: 'EVENT_WRITE_FAILED' });
    await expect(run.transition('failed')).rejects.toMatchObject({ code: 'EVENT_WRITE_FAILED' });
  });

  it('commit() shares one write among concurrently active runs, and writes a lone run at once', async () => {
    const target = new MemoryTarget();
    const journal = new EventJournal({ target, clock, flushIntervalMs: 20 });
    const lone = journal.open('lone', 0);
    lone.emit({ type: 'run.cancelled', reason: 'a' });
    await lone.commit();
    expect(target.writes).toHaveLength(1);
    lone.close();

    const runs = ['a', 'b', 'c'].map((id) => journal.open(id, 0));
    const commits = runs.map((run) => {
      run.emit({ type: 'run.cancelled', reason: run.runId });
      return run.commit();
    });
    await Promise.all(commits);
    expect(target.writes).toHaveLength(2);
    expect(target.writes[1]?.events.map((event) => event.runId)).toEqual(['a', 'b', 'c']);
    for (const run of runs) run.close();
  });

  it('keeps the usage a run recorded, for its totals without a query', () => {
    const journal = new EventJournal({ target: new MemoryTarget(), clock, flushIntervalMs: 1000 });
    const run = journal.open('r', 0);
    const usage = {
      runId: 'r',
      stepId: 's',
      agentId: 'a',
      provider: 'p',
      model: 'p:m',
      costUsd: 0.5,
      at: 'now',
    };
    run.recordUsage({ ...usage, inputTokens: 3, outputTokens: 4 });
    run.recordUsage({ ...usage, inputTokens: 1, outputTokens: 1 });
    expect(run.usage).toEqual({ inputTokens: 4, outputTokens: 5, costUsd: 1 });
  });
});
