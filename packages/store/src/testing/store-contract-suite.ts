import {
  AetherError,
  type AgentDefinition,
  EVENT_SCHEMA_VERSION,
  RUN_TRANSITIONS,
  type RunEvent,
  type RunEventBody,
  type RunEventType,
  type RunStatus,
  type Store,
  TERMINAL_RUN_STATUSES,
  type TenantStore,
  type UsageRecord,
} from '@aether/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Transaction } from '../drivers/database.ts';
import { describeKnowledgeContract } from './knowledge-contract-suite.ts';
import { describeToolStoreContract } from './tool-store-contract-suite.ts';

/** What a {@link describeStoreContract} factory returns. */
export interface StoreUnderTest {
  store: Store;
  /**
   * The same database, connected as the migrating role, for the checks that go around the
   * store (plain SQL as `aether_app`). Leave out for stores that are not SQL: those
   * checks are then skipped.
   */
  database?: Database;
  /** Called after `store.close()`, e.g. to drop a temporary database. */
  cleanup?: () => Promise<void>;
}

const STATUSES = Object.keys(RUN_TRANSITIONS) as RunStatus[];

/** A way to reach each status from `queued` with allowed moves. */
const PATH_TO: Record<RunStatus, RunStatus[]> = {
  queued: [],
  running: ['running'],
  paused: ['running', 'paused'],
  completed: ['running', 'completed'],
  failed: ['failed'],
  cancelled: ['cancelled'],
};

/** One sample of every event type; `Record<RunEventType, …>` keeps it exhaustive. */
const SAMPLE_BODIES: Record<RunEventType, RunEventBody> = {
  'run.started': { type: 'run.started', goal: 'Write a haiku', agentId: 'poet', model: 'openai:gpt-4o-mini' },
  'run.resumed': { type: 'run.resumed', previousOwner: null, lastSeq: 3 },
  'run.completed': {
    type: 'run.completed',
    answer: 'An old silent pond…',
    usage: { inputTokens: 120, outputTokens: 17, costUsd: 0.000_042 },
  },
  'run.failed': {
    type: 'run.failed',
    reason: 'provider',
    error: { code: 'PROVIDER_DOWN', message: 'HTTP 503' },
  },
  'run.cancelled': { type: 'run.cancelled', reason: 'user pressed ctrl-c' },
  'step.started': { type: 'step.started', stepId: 's1', agentId: 'poet', index: 0 },
  'llm.request': {
    type: 'llm.request',
    stepId: 's1',
    agentId: 'poet',
    provider: 'openai',
    model: 'gpt-4o-mini',
    attempt: 1,
  },
  'llm.fallback': {
    type: 'llm.fallback',
    stepId: 's1',
    from: 'openai:a',
    to: 'anthropic:b',
    reason: 'rate limited',
  },
  'llm.usage': {
    type: 'llm.usage',
    stepId: 's1',
    agentId: 'poet',
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 120,
    outputTokens: 17,
    costUsd: 0.1 + 0.2,
    durationMs: 812.5,
  },
  'agent.thought': {
    type: 'agent.thought',
    stepId: 's1',
    agentId: 'poet',
    text: 'Frogs. Ponds. Émoji 🐸, "quotes", \\n',
  },
  'text.delta': { type: 'text.delta', id: 't1', agentId: 'poet', delta: 'An old ' },
  'text.end': { type: 'text.end', id: 't1', agentId: 'poet' },
  'tool.requested': {
    type: 'tool.requested',
    callId: 'c1',
    stepId: 's1',
    agentId: 'poet',
    toolName: 'fs.write',
    input: { path: 'haiku.txt', lines: ['a', 'b', 'c'], overwrite: false, mode: null },
    what: 'write a file',
    how: 'fs.write',
    why: 'to keep the poem',
  },
  'tool.approved': {
    type: 'tool.approved',
    callId: 'c1',
    toolName: 'fs.write',
    reason: 'pre-approved for the team',
  },
  'tool.denied': {
    type: 'tool.denied',
    callId: 'c2',
    toolName: 'shell',
    reason: 'unknown tool: fail closed',
  },
  'approval.requested': {
    type: 'approval.requested',
    approvalId: '5f0c6a4e-8d1b-4c33-9a59-0c1f3d0e2b7a',
    callId: 'c1',
    toolName: 'filesystem__write_file',
    via: 'terminal',
    timeoutMs: 300_000,
  },
  'tool.quarantined': {
    type: 'tool.quarantined',
    toolName: 'everything__echo',
    server: 'everything',
    reason: 'its definition changed since it was approved',
  },
  'mcp.server.failed': {
    type: 'mcp.server.failed',
    server: 'memory',
    error: { code: 'MCP_CONNECT_FAILED', message: 'the process exited with code 1' },
  },
  'mcp.server.restarted': { type: 'mcp.server.restarted', server: 'memory', reason: 'it had exited' },
  'plan.created': {
    type: 'plan.created',
    items: [
      {
        id: 'item-1',
        title: 'Find sources',
        capability: 'research',
        acceptance: 'three cited sources',
        dependsOn: [],
        priority: 3,
        files: ['docs/a.md'],
        owner: 'researcher',
        status: 'done' as const,
        evidence: 'found ☑ “quoted”',
      },
    ],
    knowledgeSources: ['docs/a.md'],
  },
  'checklist.updated': {
    type: 'checklist.updated',
    item: {
      id: 'item-1',
      title: 'Find sources',
      capability: 'research',
      acceptance: 'three cited sources',
      dependsOn: [],
      priority: 3,
      files: ['docs/a.md'],
      owner: 'researcher',
      status: 'done' as const,
      evidence: 'found ☑ “quoted”',
    },
  },
  'route.decided': {
    type: 'route.decided',
    itemId: 'item-1',
    agentId: null,
    strategy: 'none',
    confidence: 0.35,
    reason: 'best candidate researcher at 0.35, below 0.5',
  },
  'item.started': { type: 'item.started', itemId: 'item-1', agentId: 'researcher', attempt: 2 },
  'item.completed': {
    type: 'item.completed',
    itemId: 'item-1',
    agentId: 'researcher',
    attempt: 1,
    ok: false,
    summary: 'timed out',
  },
  'verification.completed': {
    type: 'verification.completed',
    itemId: 'item-1',
    attempt: 1,
    passed: false,
    reason: 'no sources',
  },
  escalation: {
    type: 'escalation',
    itemId: 'item-1',
    from: 'researcher',
    to: 'research-manager',
    priority: 3,
    accepted: true,
    reason: 'failed twice',
  },
  'breaker.tripped': { type: 'breaker.tripped', agentId: 'coder', failures: 3, windowMs: 60000 },
  'synthesis.completed': {
    type: 'synthesis.completed',
    strategy: 'majority',
    agreements: ['PostgreSQL scales'],
    contradictions: [
      {
        topic: 'cost',
        positions: [
          { itemId: 'item-1', claim: 'cheap' },
          { itemId: 'item-2', claim: 'dear' },
        ],
        resolution: 'majority: cheap',
      },
    ],
    unique: [{ itemId: 'item-2', contribution: 'a benchmark' }],
  },
  handoff: {
    type: 'handoff',
    from: 'lead',
    to: 'research-manager',
    reason: 'billing question',
    chain: ['lead', 'research-manager'],
  },
  'handoff.blocked': {
    type: 'handoff.blocked',
    from: 'research-manager',
    to: 'lead',
    reason: 'lead is already in the chain',
    chain: ['lead', 'research-manager'],
  },
  'guard.flagged': {
    type: 'guard.flagged',
    stepId: 'lead/1',
    kind: 'secret',
    severity: 'warn',
    message: 'redacted 1 API key',
  },
  'guard.blocked': {
    type: 'guard.blocked',
    stepId: 'lead/1',
    kind: 'length',
    message: 'prompt of 200001 characters is over 100000',
  },
  'budget.warning': { type: 'budget.warning', kind: 'tokens', used: 8000, limit: 10000 },
  'progress.loop': {
    type: 'progress.loop',
    agentId: 'coder',
    stepId: 'coder/4',
    message: 'three near-identical outputs',
  },
  'progress.stall': { type: 'progress.stall', idleMs: 120000, message: 'no progress for 120 s' },
  'tool.result': {
    type: 'tool.result',
    callId: 'c1',
    toolName: 'fs.write',
    output: { bytes: 42, nested: [1, 2.5, -3e-7, 'x', true, null, { deep: [] }] },
    isError: false,
  },
};

/**
 * The contract of the core `Store`, as one vitest suite. Call it from a test file with a
 * factory for the implementation under test; it opens one store for the whole suite and
 * isolates tests by giving each its own tenants.
 *
 * @example
 * describeStoreContract('PGlite in memory', async () => {
 *   const store = await openStore({ memory: true });
 *   return { store, database: store.database };
 * });
 */
export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest | undefined;

    beforeAll(async () => {
      subject = await open();
    });

    afterAll(async () => {
      if (subject === undefined) return;
      await subject.store.close();
      await subject.cleanup?.();
    });

    const store = (): Store => {
      if (subject === undefined) throw new Error('the store under test did not open');
      return subject.store;
    };
    const newTenant = async (label = 'tenant'): Promise<TenantStore> => {
      const tenant = await store().tenants.create({ slug: uniqueSlug(label), name: `Tenant ${label}` });
      return store().forTenant(tenant.id);
    };
    /** Runs `sql` as aether_app with `app.tenant_id` = `tenantId` (undefined: never set). */
    const asApp = async <T>(
      tenantId: string | undefined,
      work: (tx: Transaction) => Promise<T>,
    ): Promise<T> => {
      const database = subject?.database;
      if (database === undefined) throw new Error('no raw database for this store');
      return database.transaction(async (tx) => {
        await tx.query(`SELECT set_config('role', 'aether_app', true)`);
        if (tenantId !== undefined)
          await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
        return work(tx);
      });
    };
    const itWithSql = (title: string, test: () => Promise<void>): void => {
      it(title, async (context) => {
        if (subject?.database === undefined) context.skip();
        await test();
      });
    };

    describeKnowledgeContract({ store, newTenant, asApp, itWithSql });

    describe('tenants', () => {
      it('creates a tenant, finds it by slug, and ensure() returns the same one', async () => {
        const slug = uniqueSlug('acme');
        const created = await store().tenants.create({ slug, name: 'Acme' });
        expect(created).toMatchObject({ slug, name: 'Acme' });
        expect(isIsoTime(created.createdAt)).toBe(true);
        expect(await store().tenants.findBySlug(slug)).toEqual(created);
        expect(await store().tenants.ensure({ slug, name: 'Other name' })).toEqual(created);
        expect(await store().tenants.findBySlug(uniqueSlug('missing'))).toBeUndefined();
      });

      it('refuses a taken or malformed slug', async () => {
        const slug = uniqueSlug('taken');
        await store().tenants.create({ slug, name: 'First' });
        await expect(store().tenants.create({ slug, name: 'Second' })).rejects.toMatchObject({
          code: 'TENANT_SLUG_TAKEN',
        });
        for (const bad of ['', 'Upper', 'has space', '-leading', 'trailing-', 'x'.repeat(64)]) {
          await expect(store().tenants.create({ slug: bad, name: 'Bad' })).rejects.toMatchObject({
            code: 'TENANT_SLUG_INVALID',
          });
        }
      });

      it('ensure() is safe when racing for the same slug', async () => {
        const slug = uniqueSlug('race');
        const tenants = await Promise.all(
          Array.from({ length: 5 }, () => store().tenants.ensure({ slug, name: 'Race' })),
        );
        expect(new Set(tenants.map((tenant) => tenant.id)).size).toBe(1);
      });

      it('forTenant() refuses an id that is not a UUID', () => {
        expect(() => store().forTenant('local')).toThrow(AetherError);
        expect(() => store().forTenant('local')).toThrow(/not a UUID/);
      });
    });

    describe('runs', () => {
      it('creates a queued run with defaults and reads it back', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({
          goal: 'Summarise the README',
          options: { team: 'docs', n: 2 },
        });
        expect(run).toMatchObject({
          tenantId: tenant.tenantId,
          goal: 'Summarise the README',
          status: 'queued',
          agentId: null,
          model: null,
          answer: null,
          error: null,
          options: { team: 'docs', n: 2 },
          owner: null,
          heartbeatAt: null,
          finishedAt: null,
        });
        expect(isIsoTime(run.createdAt) && isIsoTime(run.updatedAt)).toBe(true);
        expect(await tenant.runs.get(run.id)).toEqual(run);
        expect(await tenant.runs.get(crypto.randomUUID())).toBeUndefined();
        expect(await tenant.runs.get('not-a-uuid')).toBeUndefined();
      });

      it('creating with the same id again is idempotent', async () => {
        const tenant = await newTenant();
        const id = crypto.randomUUID();
        const first = await tenant.runs.create({ id, goal: 'once', agentId: 'lead', model: 'ollama:llama3' });
        const again = await tenant.runs.create({ id, goal: 'once' });
        expect(again).toEqual(first);
        expect(await tenant.runs.list()).toHaveLength(1);
        await expect(tenant.runs.create({ id: 'nope', goal: 'x' })).rejects.toMatchObject({
          code: 'RUN_ID_INVALID',
        });
      });

      it('refuses runs for a tenant that does not exist', async () => {
        await expect(
          store().forTenant(crypto.randomUUID()).runs.create({ goal: 'orphan' }),
        ).rejects.toMatchObject({
          code: 'TENANT_NOT_FOUND',
        });
      });

      it('lists newest first, with a limit and a status filter', async () => {
        const tenant = await newTenant();
        const created = [];
        for (let index = 0; index < 5; index++)
          created.push(await tenant.runs.create({ goal: `goal ${index}` }));
        const [first, second] = created;
        if (first === undefined || second === undefined) throw new Error('runs were not created');
        await tenant.runs.transition(first.id, 'running');
        await tenant.runs.transition(second.id, 'cancelled');

        const all = await tenant.runs.list();
        expect(all.map((run) => run.goal)).toEqual(['goal 4', 'goal 3', 'goal 2', 'goal 1', 'goal 0']);
        expect((await tenant.runs.list({ limit: 2 })).map((run) => run.goal)).toEqual(['goal 4', 'goal 3']);
        expect((await tenant.runs.list({ status: 'running' })).map((run) => run.id)).toEqual([first.id]);
        expect((await tenant.runs.list({ status: 'queued' })).map((run) => run.goal)).toEqual([
          'goal 4',
          'goal 3',
          'goal 2',
        ]);
        expect(await tenant.runs.list({ status: 'paused' })).toEqual([]);
        await expect(tenant.runs.list({ limit: -1 })).rejects.toMatchObject({ code: 'INVALID_LIMIT' });
      });

      it('transition applies the patch, and a terminal status sets finishedAt', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'patch me' });
        const running = await tenant.runs.transition(run.id, 'running', {
          owner: 'host:1:abc',
          agentId: 'lead',
          model: 'openai:gpt-4o',
        });
        expect(running).toMatchObject({
          status: 'running',
          owner: 'host:1:abc',
          agentId: 'lead',
          model: 'openai:gpt-4o',
          finishedAt: null,
        });
        expect(running.updatedAt >= run.updatedAt).toBe(true);

        const failed = await tenant.runs.transition(run.id, 'failed', {
          error: { code: 'BUDGET', message: 'token budget spent' },
          owner: null,
        });
        expect(failed).toMatchObject({
          status: 'failed',
          error: { code: 'BUDGET', message: 'token budget spent' },
          owner: null,
          agentId: 'lead',
        });
        expect(failed.finishedAt).not.toBeNull();
        expect(await tenant.runs.get(run.id)).toEqual(failed);

        const other = await tenant.runs.create({ goal: 'answer me' });
        await tenant.runs.transition(other.id, 'running');
        const completed = await tenant.runs.transition(other.id, 'completed', { answer: '42' });
        expect(completed).toMatchObject({ status: 'completed', answer: '42' });
        expect(completed.finishedAt).not.toBeNull();
      });

      it('refuses every transition RUN_TRANSITIONS does not allow, naming the run and both statuses', async () => {
        const tenant = await newTenant();
        for (const from of STATUSES) {
          for (const to of STATUSES) {
            const run = await tenant.runs.create({ goal: `${from} → ${to}` });
            for (const step of PATH_TO[from]) await tenant.runs.transition(run.id, step);
            if (RUN_TRANSITIONS[from].includes(to)) {
              expect((await tenant.runs.transition(run.id, to)).status).toBe(to);
            } else {
              const error = await tenant.runs.transition(run.id, to).catch((caught: unknown) => caught);
              expect(error).toBeInstanceOf(AetherError);
              expect(error).toMatchObject({ code: 'INVALID_RUN_TRANSITION' });
              const message = (error as AetherError).message;
              expect(message).toContain(run.id);
              expect(message).toContain(`"${from}"`);
              expect(message).toContain(`"${to}"`);
              expect((await tenant.runs.get(run.id))?.status).toBe(from);
            }
          }
        }
      });

      it('transition with `from` is a compare-and-set', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'cas' });
        await expect(tenant.runs.transition(run.id, 'running', {}, ['paused'])).rejects.toMatchObject({
          code: 'INVALID_RUN_TRANSITION',
        });
        expect((await tenant.runs.transition(run.id, 'running', {}, ['queued'])).status).toBe('running');
        // Two processes racing to take the same run: exactly one wins.
        const results = await Promise.allSettled([
          tenant.runs.transition(run.id, 'paused', { owner: 'a' }, ['running']),
          tenant.runs.transition(run.id, 'paused', { owner: 'b' }, ['running']),
        ]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      });

      it('transition and heartbeat of an unknown run fail with RUN_NOT_FOUND', async () => {
        const tenant = await newTenant();
        for (const id of [crypto.randomUUID(), 'not-a-uuid']) {
          await expect(tenant.runs.transition(id, 'running')).rejects.toMatchObject({
            code: 'RUN_NOT_FOUND',
          });
          await expect(tenant.runs.heartbeat(id, 'me')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
        }
      });

      it('heartbeat records the owner and time; another owner is refused', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'beat' });
        await tenant.runs.transition(run.id, 'running', { owner: 'host:1:a' });
        await tenant.runs.heartbeat(run.id, 'host:1:a');
        const beaten = await tenant.runs.get(run.id);
        expect(beaten?.owner).toBe('host:1:a');
        expect(isIsoTime(beaten?.heartbeatAt ?? '')).toBe(true);
        await expect(tenant.runs.heartbeat(run.id, 'host:2:b')).rejects.toMatchObject({
          code: 'RUN_OWNED_ELSEWHERE',
        });
        expect((await tenant.runs.get(run.id))?.owner).toBe('host:1:a');
      });

      it('follows RUN_TRANSITIONS over random sequences of moves (property)', async () => {
        const tenant = await newTenant();
        await fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.record({
                to: fc.constantFrom(...STATUSES),
                from: fc.option(fc.subarray(STATUSES), { nil: undefined }),
              }),
              { maxLength: 8 },
            ),
            async (moves) => {
              const run = await tenant.runs.create({ goal: 'property' });
              let status: RunStatus = 'queued';
              for (const move of moves) {
                const allowed =
                  RUN_TRANSITIONS[status].includes(move.to) &&
                  (move.from === undefined || move.from.includes(status));
                if (allowed) {
                  const moved = await tenant.runs.transition(run.id, move.to, {}, move.from);
                  status = move.to;
                  expect(moved.status).toBe(status);
                  expect(moved.finishedAt !== null).toBe(TERMINAL_RUN_STATUSES.includes(status));
                } else {
                  await expect(tenant.runs.transition(run.id, move.to, {}, move.from)).rejects.toMatchObject({
                    code: 'INVALID_RUN_TRANSITION',
                  });
                }
              }
              expect((await tenant.runs.get(run.id))?.status).toBe(status);
            },
          ),
          { numRuns: 40 },
        );
      });
    });

    describe('events', () => {
      it('round-trips every event type exactly', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'trace' });
        const events = Object.values(SAMPLE_BODIES).map((body, index) => event(run.id, index + 1, body));
        await tenant.events.append(events);
        expect(await tenant.events.list(run.id)).toEqual(events);
        expect(await tenant.events.lastSeq(run.id)).toBe(events.length);
        expect(await tenant.events.count(run.id)).toBe(events.length);
      });

      it('lists after a seq, with a limit, in seq order (stream resume)', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'resume' });
        // Appended out of order, across three group commits.
        await tenant.events.append([delta(run.id, 3), delta(run.id, 1), delta(run.id, 2)]);
        await tenant.events.append([delta(run.id, 4)]);
        await tenant.events.append([delta(run.id, 5), delta(run.id, 6)]);
        expect((await tenant.events.list(run.id)).map((stored) => stored.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        expect((await tenant.events.list(run.id, { afterSeq: 4 })).map((stored) => stored.seq)).toEqual([
          5, 6,
        ]);
        expect(
          (await tenant.events.list(run.id, { afterSeq: 1, limit: 2 })).map((stored) => stored.seq),
        ).toEqual([2, 3]);
        expect(await tenant.events.list(run.id, { afterSeq: 6 })).toEqual([]);
        expect(await tenant.events.list(run.id, { limit: 0 })).toEqual([]);
      });

      it('a run without events has lastSeq 0, count 0 and an empty list; an empty append is a no-op', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'quiet' });
        await tenant.events.append([]);
        expect(await tenant.events.lastSeq(run.id)).toBe(0);
        expect(await tenant.events.count(run.id)).toBe(0);
        expect(await tenant.events.list(run.id)).toEqual([]);
        expect(await tenant.events.list(crypto.randomUUID())).toEqual([]);
      });

      it('appends events of several runs in one call', async () => {
        const tenant = await newTenant();
        const first = await tenant.runs.create({ goal: 'one' });
        const second = await tenant.runs.create({ goal: 'two' });
        await tenant.events.append([delta(first.id, 1), delta(second.id, 1), delta(first.id, 2)]);
        expect(await tenant.events.count(first.id)).toBe(2);
        expect(await tenant.events.count(second.id)).toBe(1);
      });

      it('a duplicate seq fails with EVENT_SEQ_CONFLICT and writes nothing of the batch', async () => {
        const tenant = await newTenant();
        const first = await tenant.runs.create({ goal: 'one' });
        const second = await tenant.runs.create({ goal: 'two' });
        await tenant.events.append([delta(first.id, 1), delta(first.id, 2)]);

        const conflict = tenant.events.append([delta(second.id, 1), delta(first.id, 3), delta(first.id, 2)]);
        await expect(conflict).rejects.toMatchObject({ code: 'EVENT_SEQ_CONFLICT' });
        await expect(conflict).rejects.toThrow(first.id);
        expect(await tenant.events.count(first.id)).toBe(2);
        expect(await tenant.events.count(second.id)).toBe(0);

        // A seq repeated inside one batch is the same conflict.
        await expect(tenant.events.append([delta(second.id, 1), delta(second.id, 1)])).rejects.toMatchObject({
          code: 'EVENT_SEQ_CONFLICT',
        });
        expect(await tenant.events.count(second.id)).toBe(0);
      });

      it('refuses events of an unknown run and malformed events, writing nothing', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'strict' });
        const ghost = crypto.randomUUID();
        const unknownRun = tenant.events.append([delta(run.id, 1), delta(ghost, 1)]);
        await expect(unknownRun).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
        await expect(unknownRun).rejects.toThrow(ghost);
        await expect(tenant.events.append([delta(run.id, 0)])).rejects.toMatchObject({
          code: 'EVENT_INVALID',
        });
        await expect(tenant.events.append([{ ...delta(run.id, 1), at: 'yesterday' }])).rejects.toMatchObject({
          code: 'EVENT_INVALID',
        });
        expect(await tenant.events.count(run.id)).toBe(0);
        // jsonb cannot hold U+0000 (a model may emit it): it is stored as U+FFFD rather
        // than failing the batch, and the text "\u0000" (a backslash, then u0000) is kept.
        await tenant.events.append([
          delta(run.id, 1),
          event(run.id, 2, {
            type: 'text.delta',
            id: 't1',
            agentId: 'lead',
            delta: 'nul \u0000 byte \\u0000',
          }),
        ]);
        const stored = await tenant.events.list(run.id, { afterSeq: 1 });
        expect(stored[0]).toMatchObject({ delta: 'nul \ufffd byte \\u0000' });
      });

      it('stores a batch larger than one statement can carry, atomically', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'big' });
        const events = Array.from({ length: 4_500 }, (_, index) => delta(run.id, index + 1));
        await tenant.events.append(events);
        expect(await tenant.events.count(run.id)).toBe(4_500);
        expect(await tenant.events.lastSeq(run.id)).toBe(4_500);
        // A conflict in the second statement also undoes the first.
        const more = Array.from({ length: 4_500 }, (_, index) => delta(run.id, 4_501 + index));
        more.push(delta(run.id, 1));
        await expect(tenant.events.append(more)).rejects.toMatchObject({ code: 'EVENT_SEQ_CONFLICT' });
        expect(await tenant.events.count(run.id)).toBe(4_500);
      });

      it('round-trips arbitrary JSON payloads (property)', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'json' });
        let seq = 0;
        await fc.assert(
          fc.asyncProperty(
            fc
              .jsonValue({ stringUnit: 'grapheme', maxDepth: 4 })
              .filter((value) => !JSON.stringify(value).includes('\\u0000')),
            fc.string({ unit: 'grapheme', maxLength: 40 }).filter((text) => !text.includes('\u0000')),
            async (output, toolName) => {
              seq += 1;
              // What a JSON value is after a JSON round trip (-0 becomes 0).
              const normalised = JSON.parse(JSON.stringify(output));
              const stored = event(run.id, seq, {
                type: 'tool.result',
                callId: `c${seq}`,
                toolName,
                output: normalised,
                isError: seq % 2 === 0,
              });
              await tenant.events.append([stored]);
              expect(await tenant.events.list(run.id, { afterSeq: seq - 1 })).toEqual([stored]);
            },
          ),
          { numRuns: 60 },
        );
      });
    });

    describe('usage', () => {
      it('sums a run overall and per agent, exactly', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'spend' });
        const other = await tenant.runs.create({ goal: 'other' });
        await tenant.usage.record([
          usage(run.id, 's1', 'lead', 100, 10, 0.1),
          usage(run.id, 's2', 'writer', 200, 20, 0.2),
          usage(run.id, 's3', 'lead', 50, 5, 0.000_001),
          usage(other.id, 's1', 'lead', 999, 999, 9),
        ]);
        expect(await tenant.usage.totals(run.id)).toEqual({
          inputTokens: 350,
          outputTokens: 35,
          costUsd: 0.300_001,
          byAgent: {
            lead: { inputTokens: 150, outputTokens: 15, costUsd: 0.100_001 },
            writer: { inputTokens: 200, outputTokens: 20, costUsd: 0.2 },
          },
        });
      });

      it('a run without usage totals zero; usage of an unknown run is refused', async () => {
        const tenant = await newTenant();
        const run = await tenant.runs.create({ goal: 'free' });
        await tenant.usage.record([]);
        const zero = { inputTokens: 0, outputTokens: 0, costUsd: 0, byAgent: {} };
        expect(await tenant.usage.totals(run.id)).toEqual(zero);
        expect(await tenant.usage.totals('nope')).toEqual(zero);
        await expect(
          tenant.usage.record([
            usage(run.id, 's1', 'a', 1, 1, 0),
            usage(crypto.randomUUID(), 's1', 'a', 1, 1, 0),
          ]),
        ).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
        await expect(tenant.usage.record([usage(run.id, 's1', 'a', -1, 1, 0)])).rejects.toMatchObject({
          code: 'USAGE_INVALID',
        });
        expect(await tenant.usage.totals(run.id)).toEqual(zero);
      });
    });

    describe('agents', () => {
      it('versions a changing definition as a chain and reuses an identical one', async () => {
        const tenant = await newTenant();
        const v1 = await tenant.agents.save(agent('writer', 'You write.'));
        expect(v1).toMatchObject({ agentId: 'writer', version: 1, parentId: null });
        expect(v1.definition).toEqual(agent('writer', 'You write.'));
        expect(v1.hash).toMatch(/^[0-9a-f]{64}$/);

        expect(await tenant.agents.save(agent('writer', 'You write.'))).toEqual(v1);
        const reordered = Object.fromEntries(Object.entries(agent('writer', 'You write.')).reverse());
        expect(await tenant.agents.save(reordered as unknown as AgentDefinition)).toEqual(v1);

        const v2 = await tenant.agents.save(agent('writer', 'You write well.'));
        expect(v2).toMatchObject({ version: 2, parentId: v1.versionId });
        expect(v2.hash).not.toBe(v1.hash);
        // Going back to an older content is a change too.
        const v3 = await tenant.agents.save(agent('writer', 'You write.'));
        expect(v3).toMatchObject({ version: 3, parentId: v2.versionId, hash: v1.hash });

        expect(await tenant.agents.versions('writer')).toEqual([v1, v2, v3]);
        expect(await tenant.agents.get('writer')).toEqual(v3);
        expect(await tenant.agents.get('nobody')).toBeUndefined();
        expect(await tenant.agents.versions('nobody')).toEqual([]);
      });

      it('lists the latest version of every agent', async () => {
        const tenant = await newTenant();
        await tenant.agents.save(agent('b-agent', 'one'));
        const b2 = await tenant.agents.save(agent('b-agent', 'two'));
        const a1 = await tenant.agents.save(agent('a-agent', 'one'));
        expect(await tenant.agents.list()).toEqual([a1, b2]);
      });

      it('concurrent saves make a gapless chain', async () => {
        const tenant = await newTenant();
        await Promise.all(
          Array.from({ length: 6 }, (_, index) => tenant.agents.save(agent('racer', `v${index}`))),
        );
        const versions = await tenant.agents.versions('racer');
        expect(versions.map((version) => version.version)).toEqual([1, 2, 3, 4, 5, 6]);
        versions.forEach((version, index) => {
          expect(version.parentId).toBe(index === 0 ? null : versions[index - 1]?.versionId);
        });
      });
    });

    describe('transactions', () => {
      it('commits everything done through the bound store', async () => {
        const tenant = await newTenant();
        const runId = await tenant.transaction(async (tx) => {
          const run = await tx.runs.create({ goal: 'atomic' });
          await tx.events.append([delta(run.id, 1)]);
          await tx.usage.record([usage(run.id, 's1', 'a', 1, 2, 0.5)]);
          // Nested transactions join the outer one.
          await tx.transaction(async (inner) => inner.runs.transition(run.id, 'running'));
          return run.id;
        });
        expect((await tenant.runs.get(runId))?.status).toBe('running');
        expect(await tenant.events.count(runId)).toBe(1);
        expect((await tenant.usage.totals(runId)).costUsd).toBe(0.5);
      });

      it('rolls everything back when the work throws', async () => {
        const tenant = await newTenant();
        let runId = '';
        await expect(
          tenant.transaction(async (tx) => {
            const run = await tx.runs.create({ goal: 'doomed' });
            runId = run.id;
            await tx.events.append([delta(run.id, 1)]);
            await tx.agents.save(agent('doomed', 'x'));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await tenant.runs.get(runId)).toBeUndefined();
        expect(await tenant.runs.list()).toEqual([]);
        expect(await tenant.agents.list()).toEqual([]);
      });

      it('a store bound to a finished transaction refuses to be used', async () => {
        const tenant = await newTenant();
        const leaked = await tenant.transaction(async (tx) => tx);
        await expect(leaked.runs.list()).rejects.toMatchObject({ code: 'TRANSACTION_CLOSED' });
      });
    });

    describeToolStoreContract({ store, newTenant, asApp, itWithSql });

    describe('tenant isolation', () => {
      const canary = `CANARY-${crypto.randomUUID()}`;
      let tenantA: TenantStore;
      let tenantB: TenantStore;
      let runA = '';

      beforeAll(async () => {
        tenantA = await newTenant('a');
        tenantB = await newTenant('b');
        const run = await tenantA.runs.create({ goal: `goal ${canary}`, options: { secret: canary } });
        runA = run.id;
        await tenantA.runs.transition(runA, 'running', { owner: `owner-${canary}` });
        await tenantA.events.append([
          event(runA, 1, {
            type: 'agent.thought',
            stepId: 's1',
            agentId: 'lead',
            text: `thinking ${canary}`,
          }),
        ]);
        await tenantA.usage.record([usage(runA, 's1', `agent-${canary}`, 10, 10, 1)]);
        await tenantA.agents.save(agent('shared-id', `prompt ${canary}`));
      });

      it('tenant B sees none of A through any read', async () => {
        const seen = JSON.stringify([
          await tenantB.runs.list(),
          await tenantB.runs.get(runA),
          await tenantB.events.list(runA),
          await tenantB.usage.totals(runA),
          await tenantB.agents.list(),
          await tenantB.agents.get('shared-id'),
          await tenantB.agents.versions('shared-id'),
        ]);
        expect(seen).not.toContain(canary);
        expect(await tenantB.runs.get(runA)).toBeUndefined();
        expect(await tenantB.events.lastSeq(runA)).toBe(0);
        expect(await tenantB.events.count(runA)).toBe(0);
        expect(await tenantB.usage.totals(runA)).toEqual({
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          byAgent: {},
        });
      });

      it("tenant B cannot change or extend A's data", async () => {
        await expect(tenantB.runs.transition(runA, 'cancelled')).rejects.toMatchObject({
          code: 'RUN_NOT_FOUND',
        });
        await expect(tenantB.runs.heartbeat(runA, 'b')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
        await expect(tenantB.runs.create({ id: runA, goal: 'hijack' })).rejects.toMatchObject({
          code: 'RUN_ID_TAKEN',
        });
        await expect(tenantB.events.append([delta(runA, 2)])).rejects.toMatchObject({
          code: 'RUN_NOT_FOUND',
        });
        // Not even a seq conflict leaks: B's write is refused before it reaches A's seqs.
        await expect(tenantB.events.append([delta(runA, 1)])).rejects.toMatchObject({
          code: 'RUN_NOT_FOUND',
        });
        await expect(tenantB.usage.record([usage(runA, 's9', 'b', 1, 1, 1)])).rejects.toMatchObject({
          code: 'RUN_NOT_FOUND',
        });
        const own = await tenantB.agents.save(agent('shared-id', 'B prompt'));
        expect(own).toMatchObject({ version: 1, parentId: null });

        const after = await tenantA.runs.get(runA);
        expect(after).toMatchObject({ status: 'running', goal: `goal ${canary}` });
        expect(await tenantA.events.count(runA)).toBe(1);
        expect((await tenantA.usage.totals(runA)).costUsd).toBe(1);
        expect(await tenantA.agents.versions('shared-id')).toHaveLength(1);
      });

      itWithSql('plain SQL as aether_app without a tenant sees no rows', async () => {
        for (const tenantId of [undefined, '']) {
          const counts = await asApp(tenantId, (tx) =>
            tx.query<{ name: string; count: number | string }>(
              `SELECT 'tenants' AS name, count(*) AS count FROM tenants
               UNION ALL SELECT 'runs', count(*) FROM runs
               UNION ALL SELECT 'run_events', count(*) FROM run_events
               UNION ALL SELECT 'usage', count(*) FROM usage
               UNION ALL SELECT 'agent_versions', count(*) FROM agent_versions`,
            ),
          );
          expect(counts.map((row) => [row.name, Number(row.count)])).toEqual([
            ['tenants', 0],
            ['runs', 0],
            ['run_events', 0],
            ['usage', 0],
            ['agent_versions', 0],
          ]);
        }
      });

      itWithSql("plain SQL as aether_app for tenant B neither reads nor writes A's rows", async () => {
        const dump = await asApp(tenantB.tenantId, (tx) =>
          tx.query(
            `SELECT (SELECT coalesce(json_agg(r), '[]') FROM runs r)::text AS runs,
                    (SELECT coalesce(json_agg(e), '[]') FROM run_events e)::text AS events,
                    (SELECT coalesce(json_agg(u), '[]') FROM usage u)::text AS usage,
                    (SELECT coalesce(json_agg(a), '[]') FROM agent_versions a)::text AS agents,
                    (SELECT coalesce(json_agg(t), '[]') FROM tenants t)::text AS tenants`,
          ),
        );
        expect(JSON.stringify(dump)).not.toContain(canary);
        const updated = await asApp(tenantB.tenantId, (tx) =>
          tx.query(`UPDATE runs SET goal = 'overwritten' RETURNING id`),
        );
        expect(updated.filter((row) => (row as { id: string }).id === runA)).toEqual([]);
        // Writing a row for another tenant fails the policy's WITH CHECK.
        await expect(
          asApp(tenantB.tenantId, (tx) =>
            tx.query(`INSERT INTO runs (id, tenant_id, goal) VALUES ($1, $2, 'planted')`, [
              crypto.randomUUID(),
              tenantA.tenantId,
            ]),
          ),
        ).rejects.toMatchObject({ code: '42501' });
        expect((await tenantA.runs.get(runA))?.goal).toBe(`goal ${canary}`);
      });

      itWithSql('aether_app may not update or delete history, nor delete runs', async () => {
        const denied = [
          `UPDATE run_events SET data = '{}'`,
          'DELETE FROM run_events',
          'UPDATE usage SET cost_usd = 0',
          'DELETE FROM usage',
          `UPDATE agent_versions SET hash = 'x'`,
          'DELETE FROM runs',
          'TRUNCATE runs',
        ];
        for (const sql of denied) {
          await expect(
            asApp(tenantA.tenantId, (tx) => tx.query(sql)),
            sql,
          ).rejects.toMatchObject({
            code: '42501',
          });
        }
        expect(await tenantA.events.count(runA)).toBe(1);
      });
    });
  });
}

function uniqueSlug(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

function isIsoTime(value: string): boolean {
  return !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
}

function event(runId: string, seq: number, body: RunEventBody): RunEvent {
  const at = new Date(Date.UTC(2025, 0, 1) + seq * 1_001).toISOString();
  return { ...body, schemaVersion: EVENT_SCHEMA_VERSION, runId, seq, at } as RunEvent;
}

function delta(runId: string, seq: number): RunEvent {
  return event(runId, seq, { type: 'text.delta', id: 't1', agentId: 'lead', delta: `chunk ${seq} ` });
}

function usage(
  runId: string,
  stepId: string,
  agentId: string,
  inputTokens: number,
  outputTokens: number,
  costUsd: number,
): UsageRecord {
  return {
    runId,
    stepId,
    agentId,
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens,
    outputTokens,
    costUsd,
    at: new Date().toISOString(),
  };
}

function agent(id: string, systemPrompt: string): AgentDefinition {
  return {
    id,
    name: id,
    tier: 'worker',
    description: 'a test agent',
    sections: ['engineering'],
    capabilities: ['writing'],
    filePatterns: ['docs/**'],
    llmRequirement: { class: 'balanced', toolCalling: true },
    tools: ['fs.read', 'fs.*'],
    limits: { maxIterations: 8, temperature: 0.2 },
    systemPrompt,
  };
}
