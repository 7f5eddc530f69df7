import {
  type ChecklistItem,
  EventJournal,
  type RunEvent,
  systemClock,
  type TeamDefinition,
  type TenantStore,
  tenantJournalTarget,
} from '@aether/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVectorExtension } from '../migrations/extensions.ts';
import { migrate } from '../migrations/migrate.ts';
import { createSqlStore, type SqlStore } from '../store/sql-store.ts';
import { describeOnEachDatabase, type FreshDatabase } from '../testing/fresh-databases.ts';

function item(id: string, overrides: Partial<ChecklistItem> = {}): ChecklistItem {
  return {
    id,
    title: `do ${id}`,
    capability: 'research',
    acceptance: 'a cited summary',
    dependsOn: [],
    priority: 3,
    files: [],
    owner: null,
    status: 'pending',
    evidence: null,
    ...overrides,
  };
}

const team: TeamDefinition = {
  id: 'docs',
  name: 'Docs team',
  lead: 'lead',
  members: [
    { agentId: 'writer', relationship: 'orchestrate' },
    { agentId: 'researcher', relationship: 'delegate' },
  ],
  preApprovedTools: ['knowledge_*'],
  policy: { mode: 'parallel', maxConcurrency: 2 },
};

describeOnEachDatabase('orchestration storage', process.env['DATABASE_URL'], (fresh) => {
  let subject: FreshDatabase;
  let store: SqlStore;
  let a: TenantStore;
  let b: TenantStore;

  beforeAll(async () => {
    subject = await fresh();
    await migrate(subject.database);
    store = createSqlStore(subject.database, { vector: await ensureVectorExtension(subject.database) });
    a = store.forTenant((await store.tenants.create({ slug: 'tenant-a', name: 'A' })).id);
    b = store.forTenant((await store.tenants.create({ slug: 'tenant-b', name: 'B' })).id);
  });
  afterAll(() => subject.dispose());

  it('stores, replaces, lists and removes teams per tenant', async () => {
    await a.teams.save(team);
    await a.teams.save({ ...team, name: 'Docs team v2' });
    expect(await a.teams.get('docs')).toEqual({ ...team, name: 'Docs team v2' });
    expect(await a.teams.list()).toHaveLength(1);
    expect(await b.teams.get('docs')).toBeUndefined();
    expect(await b.teams.remove('docs')).toBe(false);
    expect(await a.teams.remove('docs')).toBe(true);
    expect(await a.teams.list()).toEqual([]);
  });

  it('keeps a checklist in plan order and updates items by id', async () => {
    const run = await a.runs.create({ goal: 'plan' });
    await a.checklist.upsert(run.id, [
      item('item-2'),
      item('item-1', { dependsOn: ['item-2'], files: ['src/a.ts'] }),
    ]);
    await a.checklist.upsert(run.id, [
      item('item-1', {
        status: 'done',
        owner: 'coder',
        evidence: 'ok',
        dependsOn: ['item-2'],
        files: ['src/a.ts'],
      }),
    ]);
    const items = await a.checklist.list(run.id);
    expect(items.map((entry) => entry.id)).toEqual(['item-2', 'item-1']);
    expect(items[1]).toEqual(
      item('item-1', {
        status: 'done',
        owner: 'coder',
        evidence: 'ok',
        dependsOn: ['item-2'],
        files: ['src/a.ts'],
      }),
    );
    expect(await a.checklist.outcomes(10)).toEqual([
      { title: 'do item-1', capability: 'research', owner: 'coder', succeeded: true },
    ]);
    expect(await b.checklist.list(run.id)).toEqual([]);
    expect(await b.checklist.outcomes(10)).toEqual([]);
    await expect(b.checklist.upsert(run.id, [item('x')])).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });

  it('keeps the first output of a checkpoint key and isolates tenants', async () => {
    const run = await a.runs.create({ goal: 'resume me' });
    await a.checkpoints.save([{ runId: run.id, key: 'plan', output: { items: 2 } }]);
    await a.checkpoints.save([
      { runId: run.id, key: 'plan', output: { items: 99 } },
      { runId: run.id, key: 'synthesis', output: 'answer' },
    ]);
    expect(Object.fromEntries(await a.checkpoints.list(run.id))).toEqual({
      plan: { items: 2 },
      synthesis: 'answer',
    });
    expect((await b.checkpoints.list(run.id)).size).toBe(0);
    await expect(b.checkpoints.save([{ runId: run.id, key: 'x', output: 1 }])).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
  });

  it('takes a running run over from a dead owner once (compare-and-set)', async () => {
    const run = await a.runs.create({ goal: 'take over' });
    await a.runs.transition(run.id, 'running', { owner: 'host:1:dead' });
    const taken = await a.runs.takeOver(run.id, 'host:2:alive', 'host:1:dead');
    expect(taken).toMatchObject({ owner: 'host:2:alive', status: 'running' });
    await expect(a.runs.takeOver(run.id, 'host:3:late', 'host:1:dead')).rejects.toMatchObject({
      code: 'RUN_OWNED_ELSEWHERE',
    });
    await expect(b.runs.takeOver(run.id, 'x', 'host:2:alive')).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
    await a.runs.transition(run.id, 'completed');
    await expect(a.runs.takeOver(run.id, 'x', null)).rejects.toMatchObject({ code: 'RUN_NOT_RUNNING' });
  });

  it('applies batched status changes per run, refusing only the invalid ones', async () => {
    const first = await a.runs.create({ goal: 'one' });
    const second = await a.runs.create({ goal: 'two' });
    const results = await a.runs.transitionMany([
      { id: first.id, to: 'completed', via: ['running'], from: ['queued'], patch: { answer: 'done' } },
      { id: second.id, to: 'paused' },
      { id: crypto.randomUUID(), to: 'running' },
    ]);
    expect(results[0]).toMatchObject({ status: 'completed', answer: 'done' });
    expect(results[1]).toMatchObject({ code: 'INVALID_RUN_TRANSITION' });
    expect(results[2]).toMatchObject({ code: 'RUN_NOT_FOUND' });
    expect((await a.runs.get(second.id))?.status).toBe('queued');
  });

  describe('the journal writes a whole step atomically', () => {
    it('creates a run, its events, checklist, checkpoints and final status in one group commit', async () => {
      const journal = new EventJournal({
        target: tenantJournalTarget(a),
        clock: systemClock,
        flushIntervalMs: 1000,
      });
      const seen: RunEvent[] = [];
      journal.subscribe((event) => seen.push(event));
      const id = crypto.randomUUID();
      const run = journal.create({ id, goal: 'atomic' });
      const running = run.transition('running', { owner: 'me' }, ['queued']);
      run.emit({ type: 'run.started', goal: 'atomic', agentId: 'lead', model: 'fake:m' });
      run.updateChecklist([item('item-1')]);
      run.checkpoint('plan', { items: ['item-1'] });
      run.emit({
        type: 'run.completed',
        answer: '42',
        usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 },
      });
      const completed = run.transition('completed', { answer: '42', owner: null });
      await run.flush();
      await expect(running).resolves.toMatchObject({ status: 'completed' });
      await expect(completed).resolves.toMatchObject({ status: 'completed', answer: '42', owner: null });
      expect(seen.map((event) => event.seq)).toEqual([1, 2]);
      expect(await a.events.count(id)).toBe(2);
      expect(await a.checklist.list(id)).toHaveLength(1);
      expect((await a.checkpoints.list(id)).get('plan')).toEqual({ items: ['item-1'] });
    });
  });
});
