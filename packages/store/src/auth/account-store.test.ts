import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrate } from '../migrations/migrate.ts';
import { createSqlStore, type SqlStore } from '../store/sql-store.ts';
import { catalogCheck } from '../tenancy/catalog-check.ts';
import { describeOnEachDatabase, type FreshDatabase } from '../testing/fresh-databases.ts';
import { type AccountDirectory, createAccountDirectory } from './account-directory.ts';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
const hex = (character: string) => character.repeat(64);

describeOnEachDatabase('server accounts (0006)', process.env.DATABASE_URL, (fresh) => {
  let subject: FreshDatabase;
  let store: SqlStore;
  let accounts: AccountDirectory;

  beforeEach(async () => {
    subject = await fresh();
    const report = await migrate(subject.database);
    store = createSqlStore(subject.database, { vector: report.vector });
    accounts = createAccountDirectory(store);
  });
  afterEach(() => subject.dispose());

  const workspace = (slug: string, email = `owner@${slug}.test`) =>
    accounts.createWorkspace({ slug, name: slug, owner: { email, passwordHash: HASH } });

  it('keeps the catalog rules with the new tables', async () => {
    expect(await catalogCheck(store)).toEqual([]);
  });

  it('creates a workspace with its owner in one transaction; a taken slug or a failing seed leaves nothing', async () => {
    expect(await accounts.hasUsers()).toBe(false);
    const { tenant, user } = await workspace('acme', 'Owner@Acme.test');
    expect(user).toMatchObject({ tenantId: tenant.id, email: 'owner@acme.test', role: 'owner' });
    expect(await accounts.hasUsers()).toBe(true);
    await expect(workspace('acme')).rejects.toMatchObject({ code: 'TENANT_SLUG_TAKEN' });
    await expect(
      accounts.createWorkspace({
        slug: 'broken',
        name: 'broken',
        owner: { email: 'a@b.test', passwordHash: HASH },
        seed: async (scoped) => {
          await scoped.teams.save({
            id: 'core',
            name: 'Core',
            lead: 'lead',
            members: [],
            preApprovedTools: [],
            policy: { mode: 'parallel', maxConcurrency: 2 },
          });
          throw new Error('seed failed');
        },
      }),
    ).rejects.toThrow('seed failed');
    expect(await store.tenants.findBySlug('broken')).toBeUndefined();
    const again = await workspace('broken');
    expect(await store.forTenant(again.tenant.id).teams.list()).toEqual([]);
  });

  it('finds members by email case-insensitively, per tenant, and refuses a duplicate email', async () => {
    const a = await workspace('team-a', 'same@example.test');
    const b = await workspace('team-b', 'same@example.test');
    const tenantA = store.forTenant(a.tenant.id);
    const found = await tenantA.users.findByEmail('SAME@example.test');
    expect(found).toMatchObject({ id: a.user.id, passwordHash: HASH });
    await expect(
      tenantA.users.create({ email: 'Same@Example.test', passwordHash: HASH, role: 'member' }),
    ).rejects.toMatchObject({ code: 'USER_EMAIL_TAKEN' });
    const member = await tenantA.users.create({
      email: 'm@example.test',
      passwordHash: HASH,
      role: 'member',
    });
    expect((await tenantA.users.list()).map((user) => user.email)).toEqual([
      'same@example.test',
      'm@example.test',
    ]);
    expect(await tenantA.users.setRole(member.id, 'viewer')).toMatchObject({ role: 'viewer' });
    // B's users are invisible to A, by id and by email.
    expect(await tenantA.users.get(b.user.id)).toBeUndefined();
    expect(await tenantA.users.setRole(b.user.id, 'viewer')).toBeUndefined();
    expect(await tenantA.users.remove(b.user.id)).toBe(false);
    expect(await store.forTenant(b.tenant.id).users.get(b.user.id)).toMatchObject({ role: 'owner' });
  });

  it('stores API keys hashed, revokes them, and removes them with their member', async () => {
    const a = await workspace('keys-a');
    const b = await workspace('keys-b');
    const tenantA = store.forTenant(a.tenant.id);
    const id = crypto.randomUUID();
    const created = await tenantA.apiKeys.create({
      id,
      name: 'ci',
      userId: a.user.id,
      role: 'member',
      prefix: 'aek_1234',
      keyHash: hex('a'),
    });
    expect(created).toMatchObject({ id, name: 'ci', revokedAt: null, lastUsedAt: null });
    expect(created).not.toHaveProperty('keyHash');
    expect(await tenantA.apiKeys.findForAuth(id)).toMatchObject({ keyHash: hex('a') });
    expect(await store.forTenant(b.tenant.id).apiKeys.findForAuth(id)).toBeUndefined();
    expect(await store.forTenant(b.tenant.id).apiKeys.revoke(id)).toBeUndefined();
    await tenantA.apiKeys.touch(id);
    expect((await tenantA.apiKeys.list())[0]?.lastUsedAt).not.toBeNull();
    const revoked = await tenantA.apiKeys.revoke(id);
    expect(revoked?.revokedAt).not.toBeNull();
    expect((await tenantA.apiKeys.revoke(id))?.revokedAt).toBe(revoked?.revokedAt);
    const member = await tenantA.users.create({ email: 'm@keys.test', passwordHash: HASH, role: 'member' });
    const second = crypto.randomUUID();
    await tenantA.apiKeys.create({
      id: second,
      name: 'm',
      userId: member.id,
      role: 'member',
      prefix: 'p',
      keyHash: hex('b'),
    });
    expect(await tenantA.users.remove(member.id)).toBe(true);
    expect(await tenantA.apiKeys.findForAuth(second)).toBeUndefined();
  });

  it('uses an invite once, not after it expired, and finds its tenant by token', async () => {
    const a = await workspace('invites-a');
    const tenantA = store.forTenant(a.tenant.id);
    const later = new Date(Date.now() + 60_000).toISOString();
    const invite = await tenantA.invites.create({
      tokenHash: hex('c'),
      kind: 'join',
      role: 'member',
      email: 'New@Invites.test',
      createdBy: a.user.id,
      expiresAt: later,
    });
    expect(invite).toMatchObject({ email: 'new@invites.test', usedAt: null, kind: 'join' });
    expect(await accounts.inviteByToken(hex('c'))).toEqual({ tenantId: a.tenant.id, id: invite.id });
    expect(await accounts.inviteByToken(hex('d'))).toBeUndefined();
    const now = new Date().toISOString();
    expect(await tenantA.invites.consume(hex('c'), now)).toMatchObject({ id: invite.id });
    expect(await tenantA.invites.consume(hex('c'), now)).toBeUndefined();
    await tenantA.invites.create({
      tokenHash: hex('e'),
      kind: 'workspace',
      role: 'owner',
      email: null,
      createdBy: a.user.id,
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(await tenantA.invites.consume(hex('e'), now)).toBeUndefined();
    expect((await tenantA.invites.list()).length).toBe(2);
  });

  it('appends to the audit log (newest first), claims idempotency keys once, and stores feedback', async () => {
    const a = await workspace('audit-a');
    const b = await workspace('audit-b');
    const tenantA = store.forTenant(a.tenant.id);
    const tenantB = store.forTenant(b.tenant.id);
    for (const status of [201, 202]) {
      await tenantA.audit.append({
        actor: `user:${a.user.id}`,
        action: 'POST /v1/runs',
        target: null,
        status,
        detail: { body: { goal: 'x' } },
        requestId: `r${status}`,
      });
    }
    expect((await tenantA.audit.list()).map((entry) => entry.status)).toEqual([202, 201]);
    expect(await tenantB.audit.list()).toEqual([]);

    const run = await tenantA.runs.create({ goal: 'g' });
    const first = await tenantA.runRequests.claim({ key: 'k1', runId: run.id, requestHash: 'h1' });
    const other = await tenantA.runs.create({ goal: 'g2' });
    const second = await tenantA.runRequests.claim({ key: 'k1', runId: other.id, requestHash: 'h2' });
    expect(second).toEqual(first);
    expect(await tenantB.runRequests.get('k1')).toBeUndefined();
    // B cannot point its key at A's run (composite foreign key).
    await expect(tenantB.runRequests.claim({ key: 'k1', runId: run.id, requestHash: 'h' })).rejects.toThrow();

    const feedback = await tenantA.feedback.add({
      runId: run.id,
      userId: a.user.id,
      rating: 5,
      comment: 'great',
    });
    expect(feedback).toMatchObject({ rating: 5, comment: 'great', runId: run.id });
    expect(await tenantA.feedback.list(run.id)).toEqual([feedback]);
    await expect(
      tenantA.feedback.add({ runId: run.id, userId: null, rating: 9, comment: null }),
    ).rejects.toMatchObject({
      code: 'FEEDBACK_INVALID',
    });
    await expect(
      tenantB.feedback.add({ runId: run.id, userId: null, rating: 3, comment: null }),
    ).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
    expect(await tenantB.feedback.list(run.id)).toEqual([]);
  });

  it('counts runs by status and lists unfinished runs across tenants (ids only)', async () => {
    const a = await workspace('count-a');
    const b = await workspace('count-b');
    const queued = await store.forTenant(a.tenant.id).runs.create({ goal: 'q' });
    const running = await store.forTenant(b.tenant.id).runs.create({ goal: 'r' });
    await store.forTenant(b.tenant.id).runs.transition(running.id, 'running', { owner: 'h:1:x' });
    const done = await store.forTenant(b.tenant.id).runs.create({ goal: 'd' });
    await store.forTenant(b.tenant.id).runs.transition(done.id, 'cancelled');
    expect(await accounts.runStatusCounts()).toEqual({ queued: 1, running: 1, cancelled: 1 });
    await store.forTenant(a.tenant.id).usage.record([
      {
        runId: queued.id,
        stepId: 's1',
        agentId: 'x',
        provider: 'openai',
        model: 'm',
        inputTokens: 10,
        outputTokens: 3,
        costUsd: 0,
        at: new Date().toISOString(),
      },
    ]);
    expect(await accounts.usageByProvider()).toEqual([
      { provider: 'openai', calls: 1, inputTokens: 10, outputTokens: 3 },
    ]);
    const unfinished = await accounts.unfinishedRuns(10);
    expect(unfinished.map((run) => [run.tenantId, run.id, run.status, run.owner])).toEqual([
      [a.tenant.id, queued.id, 'queued', null],
      [b.tenant.id, running.id, 'running', 'h:1:x'],
    ]);
  });
});
