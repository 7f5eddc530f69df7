import type { Store, TenantStore, WrappedDataKey } from '@aether/core';
import { describe, expect, it } from 'vitest';
import type { Transaction } from '../drivers/database.ts';

/** What the tool storage contract needs from the store contract suite around it. */
export interface ToolStoreContractContext {
  store(): Store;
  newTenant(label?: string): Promise<TenantStore>;
  /** Runs SQL as aether_app for a tenant (undefined: none set); undefined for stores that are not SQL. */
  asApp?: <T>(tenantId: string | undefined, work: (tx: Transaction) => Promise<T>) => Promise<T>;
  /** Declares a test that needs `asApp` (skipped for stores that are not SQL). */
  itWithSql(title: string, test: () => Promise<void>): void;
}

const sealed = (tag: string) => ({ ciphertext: `c-${tag}`, iv: `i-${tag}`, tag: `t-${tag}` });
const wrapped = (masterKeyId: string, tag: string): WrappedDataKey => ({ ...sealed(tag), masterKeyId });

/**
 * The contract of the repositories the tool manager and the secret vault use: MCP server
 * configurations, secrets and data keys, pipeline decisions, pending approvals, tool
 * definition hashes and the write idempotency log. Called inside `describeStoreContract`.
 */
export function describeToolStoreContract(context: ToolStoreContractContext): void {
  const { newTenant } = context;

  describe('MCP server configurations', () => {
    it('puts, lists, replaces and removes by name', async () => {
      const tenant = await newTenant();
      const first = await tenant.mcpServers.put('memory', { command: 'node', args: ['memory.js'] });
      expect(first).toMatchObject({ name: 'memory', config: { command: 'node', args: ['memory.js'] } });
      await tenant.mcpServers.put('everything', {
        url: 'http://127.0.0.1:9/mcp',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, not a template
        headers: { A: '${secret:TOKEN}' },
      });
      const replaced = await tenant.mcpServers.put('memory', { command: 'node', args: ['other.js'] });
      expect(replaced.createdAt).toBe(first.createdAt);
      expect((await tenant.mcpServers.list()).map((server) => server.name)).toEqual(['everything', 'memory']);
      expect((await tenant.mcpServers.get('memory'))?.config).toEqual({
        command: 'node',
        args: ['other.js'],
      });
      expect(await tenant.mcpServers.remove('memory')).toBe(true);
      expect(await tenant.mcpServers.remove('memory')).toBe(false);
      expect(await tenant.mcpServers.get('memory')).toBeUndefined();
    });

    it('refuses a malformed name, naming it', async () => {
      const tenant = await newTenant();
      for (const bad of ['', 'Upper', 'has__underscores', 'x'.repeat(33), '-dash']) {
        await expect(tenant.mcpServers.put(bad, {})).rejects.toMatchObject({
          code: 'MCP_SERVER_NAME_INVALID',
        });
      }
      expect(await tenant.mcpServers.list()).toEqual([]);
    });
  });

  describe('secrets', () => {
    it('keeps one data key per tenant: the first creator wins a race', async () => {
      const tenant = await newTenant();
      expect(await tenant.secrets.getDataKey()).toBeUndefined();
      const results = await Promise.all([
        tenant.secrets.createDataKey(wrapped('k1', 'a')),
        tenant.secrets.createDataKey(wrapped('k1', 'b')),
        tenant.secrets.createDataKey(wrapped('k1', 'c')),
      ]);
      expect(new Set(results.map((key) => key.ciphertext)).size).toBe(1);
      expect(await tenant.secrets.getDataKey()).toEqual(results[0]);
      expect(results[0]?.rotatedAt).toBeNull();
    });

    it('re-wraps the data key only from the expected master key', async () => {
      const tenant = await newTenant();
      await tenant.secrets.createDataKey(wrapped('old', 'a'));
      expect(await tenant.secrets.rewrapDataKey(wrapped('new', 'b'), 'other')).toBe(false);
      expect(await tenant.secrets.rewrapDataKey(wrapped('new', 'b'), 'old')).toBe(true);
      const key = await tenant.secrets.getDataKey();
      expect(key).toMatchObject({ masterKeyId: 'new', ciphertext: 'c-b' });
      expect(key?.rotatedAt).not.toBeNull();
    });

    it('stores sealed values by name; list shows names and times only', async () => {
      const tenant = await newTenant();
      await expect(tenant.secrets.put('TOKEN', sealed('x'))).rejects.toMatchObject({
        code: 'SECRET_DATA_KEY_MISSING',
      });
      await tenant.secrets.createDataKey(wrapped('k', 'dk'));
      await tenant.secrets.put('TOKEN', sealed('1'));
      await tenant.secrets.put('API_KEY', sealed('2'));
      await tenant.secrets.put('TOKEN', sealed('3'));
      expect((await tenant.secrets.get('TOKEN'))?.sealed).toEqual(sealed('3'));
      const listed = await tenant.secrets.list();
      expect(listed.map((secret) => secret.name)).toEqual(['API_KEY', 'TOKEN']);
      expect(JSON.stringify(listed)).not.toContain('c-');
      expect(await tenant.secrets.remove('TOKEN')).toBe(true);
      expect(await tenant.secrets.remove('TOKEN')).toBe(false);
      expect(await tenant.secrets.get('TOKEN')).toBeUndefined();
      for (const bad of ['', '1ABC', 'has-dash', 'x'.repeat(129)]) {
        await expect(tenant.secrets.put(bad, sealed('z'))).rejects.toMatchObject({
          code: 'SECRET_NAME_INVALID',
        });
      }
    });
  });

  describe('tool decisions', () => {
    it('records decisions of a run in order; an unknown run is refused', async () => {
      const tenant = await newTenant();
      const run = await tenant.runs.create({ goal: 'tools' });
      const base = {
        runId: run.id,
        callId: 'c1',
        stepId: 'lead/1',
        agentId: 'lead',
        toolName: 'memory__read_graph',
      };
      await tenant.toolDecisions.record({
        ...base,
        approved: false,
        step: 'registered',
        reason: 'no',
        decidedBy: 'policy',
      });
      await tenant.toolDecisions.record({
        ...base,
        approved: true,
        step: 'confirmation',
        reason: 'yes',
        decidedBy: 'user:terminal',
      });
      const listed = await tenant.toolDecisions.list(run.id);
      expect(listed.map((decision) => [decision.step, decision.approved, decision.decidedBy])).toEqual([
        ['registered', false, 'policy'],
        ['confirmation', true, 'user:terminal'],
      ]);
      expect(await tenant.toolDecisions.list('nope')).toEqual([]);
      await expect(
        tenant.toolDecisions.record({
          ...base,
          runId: crypto.randomUUID(),
          approved: true,
          step: 'policy',
          reason: 'r',
          decidedBy: 'p',
        }),
      ).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    });
  });

  describe('pending approvals', () => {
    it('creates, lists pending, answers once (compare-and-set)', async () => {
      const tenant = await newTenant();
      const run = await tenant.runs.create({ goal: 'approve' });
      const request = {
        runId: run.id,
        callId: 'c1',
        stepId: 'lead/1',
        agentId: 'lead',
        toolName: 'filesystem__write_file',
        input: { path: 'a.txt', content: 'hi' },
        what: 'write a file',
        how: 'MCP tool write_file of server filesystem',
        why: 'to save',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      const created = await tenant.approvals.create(request);
      expect(created).toMatchObject({
        ...request,
        status: 'pending',
        reason: null,
        decidedBy: null,
        decidedAt: null,
      });
      expect((await tenant.approvals.listPending()).map((approval) => approval.id)).toEqual([created.id]);
      const approved = await tenant.approvals.decide(created.id, {
        status: 'approved',
        reason: 'ok',
        decidedBy: 'user:api',
      });
      expect(approved).toMatchObject({ status: 'approved', reason: 'ok', decidedBy: 'user:api' });
      const again = await tenant.approvals.decide(created.id, {
        status: 'denied',
        reason: 'late',
        decidedBy: 'x',
      });
      expect(again?.status).toBe('approved');
      expect(await tenant.approvals.listPending()).toEqual([]);
      expect(
        await tenant.approvals.decide(crypto.randomUUID(), { status: 'denied', reason: 'r', decidedBy: 'x' }),
      ).toBeUndefined();
    });

    it('an expired approval can only be marked expired', async () => {
      const tenant = await newTenant();
      const run = await tenant.runs.create({ goal: 'late' });
      const created = await tenant.approvals.create({
        runId: run.id,
        callId: 'c1',
        stepId: 's',
        agentId: 'a',
        toolName: 't',
        input: null,
        what: 'w',
        how: 'h',
        why: 'y',
        expiresAt: new Date(Date.now() - 1_000).toISOString(),
      });
      expect(
        (await tenant.approvals.decide(created.id, { status: 'approved', reason: 'r', decidedBy: 'u' }))
          ?.status,
      ).toBe('pending');
      expect(
        (
          await tenant.approvals.decide(created.id, {
            status: 'expired',
            reason: 'timeout',
            decidedBy: 'timeout',
          })
        )?.status,
      ).toBe('expired');
    });
  });

  describe('tool definitions', () => {
    it('approves on first sight, quarantines a change, re-approves, and reverts to approved', async () => {
      const tenant = await newTenant();
      const first = await tenant.toolDefinitions.observe(
        'srv',
        'echo',
        'h1',
        { name: 'echo', v: 1 },
        'first-use',
      );
      expect(first).toMatchObject({
        status: 'approved',
        approvedHash: 'h1',
        currentHash: 'h1',
        approvedBy: 'first-use',
      });
      expect(
        (await tenant.toolDefinitions.observe('srv', 'echo', 'h1', { name: 'echo', v: 1 }, 'x')).status,
      ).toBe('approved');
      const changed = await tenant.toolDefinitions.observe('srv', 'echo', 'h2', { name: 'echo', v: 2 }, 'x');
      expect(changed).toMatchObject({ status: 'quarantined', approvedHash: 'h1', currentHash: 'h2' });
      expect(changed.approvedDefinition).toEqual({ name: 'echo', v: 1 });
      expect(await tenant.toolDefinitions.approve('srv', 'echo', 'h3', 'user')).toBeUndefined();
      const approved = await tenant.toolDefinitions.approve('srv', 'echo', 'h2', 'user:cli');
      expect(approved).toMatchObject({ status: 'approved', approvedHash: 'h2', approvedBy: 'user:cli' });
      await tenant.toolDefinitions.observe('srv', 'echo', 'h3', {}, 'x');
      expect((await tenant.toolDefinitions.observe('srv', 'echo', 'h2', {}, 'x')).status).toBe('approved');
      await tenant.toolDefinitions.observe('other', 'a', 'h', {}, 'x');
      expect((await tenant.toolDefinitions.list()).map((row) => `${row.server}/${row.toolName}`)).toEqual([
        'other/a',
        'srv/echo',
      ]);
      expect((await tenant.toolDefinitions.list('srv')).length).toBe(1);
      expect(await tenant.toolDefinitions.get('srv', 'missing')).toBeUndefined();
    });
  });

  describe('tool writes', () => {
    it('claims a key once, records the outcome, and returns it to later claims', async () => {
      const tenant = await newTenant();
      const run = await tenant.runs.create({ goal: 'write' });
      const write = {
        key: 'k1',
        runId: run.id,
        stepId: 'lead/1',
        callId: 'c1',
        toolName: 'filesystem__write_file',
      };
      expect(await tenant.toolWrites.begin(write)).toEqual({ claimed: true });
      const second = await tenant.toolWrites.begin(write);
      expect(second).toMatchObject({ claimed: false, existing: { status: 'started', outcome: null } });
      await tenant.toolWrites.complete('k1', { status: 'ok', output: 'written' });
      await expect(tenant.toolWrites.complete('k1', { status: 'ok', output: 'again' })).rejects.toMatchObject(
        {
          code: 'TOOL_WRITE_NOT_STARTED',
        },
      );
      const third = await tenant.toolWrites.begin(write);
      expect(third).toMatchObject({
        claimed: false,
        existing: { status: 'completed', outcome: { status: 'ok', output: 'written' } },
      });
      expect((await tenant.toolWrites.get('k1'))?.completedAt).not.toBeNull();
      await expect(
        tenant.toolWrites.begin({ ...write, key: 'k2', runId: crypto.randomUUID() }),
      ).rejects.toMatchObject({
        code: 'RUN_NOT_FOUND',
      });
    });
  });

  describe('tool and secret tenancy', () => {
    const canary = `CANARY-${crypto.randomUUID()}`;

    it("tenant B sees and changes none of A's tool and secret rows", async () => {
      const a = await newTenant('tools-a');
      const b = await newTenant('tools-b');
      const run = await a.runs.create({ goal: 'isolation' });
      await a.mcpServers.put('srv', { command: canary });
      await a.secrets.createDataKey(wrapped(canary, canary));
      await a.secrets.put('SHARED_NAME', sealed(canary));
      await a.toolDefinitions.observe('srv', 'tool', canary, { canary }, 'x');
      const approval = await a.approvals.create({
        runId: run.id,
        callId: 'c',
        stepId: 's',
        agentId: 'a',
        toolName: canary,
        input: canary,
        what: canary,
        how: 'h',
        why: 'y',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      await a.toolWrites.begin({ key: canary, runId: run.id, stepId: 's', callId: 'c', toolName: 't' });
      await a.toolDecisions.record({
        runId: run.id,
        callId: 'c',
        stepId: 's',
        agentId: 'a',
        toolName: canary,
        approved: true,
        step: 'policy',
        reason: canary,
        decidedBy: 'p',
      });
      const seen = JSON.stringify([
        await b.mcpServers.list(),
        await b.secrets.getDataKey(),
        await b.secrets.list(),
        await b.secrets.get('SHARED_NAME'),
        await b.toolDefinitions.list(),
        await b.approvals.listPending(),
        await b.approvals.get(approval.id),
        await b.toolWrites.get(canary),
        await b.toolDecisions.list(run.id),
      ]);
      expect(seen).not.toContain(canary);
      expect(
        await b.approvals.decide(approval.id, { status: 'approved', reason: 'hijack', decidedBy: 'b' }),
      ).toBeUndefined();
      expect(await b.mcpServers.remove('srv')).toBe(false);
      expect(await b.secrets.rewrapDataKey(wrapped('b', 'b'), canary)).toBe(false);
      await expect(
        b.toolWrites.begin({ key: canary, runId: run.id, stepId: 's', callId: 'c', toolName: 't' }),
      ).rejects.toMatchObject({
        code: 'RUN_NOT_FOUND',
      });
      // B's own data key and secret of the same name do not collide with A's.
      await b.secrets.createDataKey(wrapped('b', 'b'));
      await b.secrets.put('SHARED_NAME', sealed('b'));
      expect((await a.secrets.get('SHARED_NAME'))?.sealed).toEqual(sealed(canary));
      expect((await a.approvals.get(approval.id))?.status).toBe('pending');
    });

    context.itWithSql('plain SQL as aether_app without a tenant sees no tool or secret rows', async () => {
      const asApp = context.asApp;
      if (asApp === undefined) return;
      for (const tenantId of [undefined, '']) {
        const counts = await asApp(tenantId, (tx) =>
          tx.query<{ name: string; count: number | string }>(
            `SELECT 'mcp_servers' AS name, count(*) AS count FROM mcp_servers
             UNION ALL SELECT 'secret_data_keys', count(*) FROM secret_data_keys
             UNION ALL SELECT 'secrets', count(*) FROM secrets
             UNION ALL SELECT 'tool_decisions', count(*) FROM tool_decisions
             UNION ALL SELECT 'pending_approvals', count(*) FROM pending_approvals
             UNION ALL SELECT 'tool_definitions', count(*) FROM tool_definitions
             UNION ALL SELECT 'tool_writes', count(*) FROM tool_writes`,
          ),
        );
        expect(counts.every((row) => Number(row.count) === 0)).toBe(true);
      }
    });

    context.itWithSql('aether_app may not change or delete the decision log', async () => {
      const asApp = context.asApp;
      if (asApp === undefined) return;
      const tenant = await newTenant();
      for (const sql of [
        `UPDATE tool_decisions SET reason = 'x'`,
        'DELETE FROM tool_decisions',
        'DELETE FROM tool_writes',
      ]) {
        await expect(
          asApp(tenant.tenantId, (tx) => tx.query(sql)),
          sql,
        ).rejects.toMatchObject({ code: '42501' });
      }
    });
  });
}
