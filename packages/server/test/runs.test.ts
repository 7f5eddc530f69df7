import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  readSse,
  signUp,
  startTestServer,
  type TestAccount,
  type TestServer,
} from '../src/testing/index.ts';

let llm: FakeLlmServer;
let server: TestServer;
let idle: TestServer;
let account: TestAccount;
let idleAccount: TestAccount;

beforeAll(async () => {
  llm = await startFakeLlmServer();
  llm.setDefaultReply({ text: 'done: all good', usage: { inputTokens: 30, outputTokens: 4 } });
  const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.baseURL };
  server = await startTestServer({ env });
  // A server that executes nothing: runs stay queued.
  idle = await startTestServer({ env, runWorkers: false });
  account = await signUp(server.app, 'runs-co');
  idleAccount = await signUp(idle.app, 'idle-co');
});
afterAll(async () => {
  await Promise.all([server?.dispose(), idle?.dispose()]);
  await llm?.close();
});

const post = (
  target: TestServer,
  token: string,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  target.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const get = (target: TestServer, token: string, url: string) =>
  target.app.inject({ method: 'GET', url, headers: bearer(token) });

async function finish(runId: string): Promise<void> {
  const read = await readSse(server.url, `/v1/runs/${runId}/events`, bearer(account.token));
  expect(read.events.at(-1)?.type).toMatch(/^run\.(completed|failed|cancelled)$/);
}

describe('POST /v1/runs', () => {
  it('answers 202 with the id, and the finished run has its status, answer, usage and feedback', async () => {
    const created = await post(server, account.token, '/v1/runs', {
      goal: 'check the build',
      agent: 'writer',
    });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ status: 'queued' });
    const { id } = created.json() as { id: string };
    await finish(id);
    expect((await get(server, account.token, `/v1/runs/${id}`)).json()).toMatchObject({
      id,
      status: 'completed',
      answer: 'done: all good',
      agent: 'writer',
      goal: 'check the build',
    });
    const usage = (await get(server, account.token, `/v1/runs/${id}/usage`)).json() as {
      total: { inputTokens: number };
      byAgent: Record<string, { inputTokens: number }>;
    };
    expect(usage.total.inputTokens).toBe(30);
    expect(usage.byAgent['writer']?.inputTokens).toBe(30);
    expect(
      (await post(server, account.token, `/v1/runs/${id}/feedback`, { rating: 5, comment: 'great' }))
        .statusCode,
    ).toBe(201);
    expect(
      (await post(server, account.token, `/v1/runs/${id}/feedback`, { rating: 6 })).json(),
    ).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('body.rating') },
    });
    expect((await get(server, account.token, `/v1/runs/${id}/feedback`)).json()).toMatchObject({
      feedback: [{ rating: 5, comment: 'great' }],
    });
    expect((await get(server, account.token, `/v1/runs/${id}/checklist`)).json()).toEqual({ items: [] });
    const list = (await get(server, account.token, '/v1/runs?status=completed&limit=5')).json() as {
      runs: Array<{ id: string }>;
    };
    expect(list.runs.map((run) => run.id)).toContain(id);
  });

  it('runs a team plan and exposes its checklist', async () => {
    llm.setDefaultReply((request) => {
      const format = (request.body as { response_format?: { json_schema?: { name?: string } } })
        .response_format?.json_schema?.name;
      if (format === 'plan')
        return {
          text: JSON.stringify({
            items: [{ id: 'item-1', title: 'Write it', capability: 'writing', acceptance: 'written' }],
          }),
        };
      if (format === 'verdict') return { text: JSON.stringify({ passed: true, reason: 'fine' }) };
      if (format === 'synthesis')
        return {
          text: JSON.stringify({ answer: 'team answer', agreements: [], contradictions: [], unique: [] }),
        };
      return { text: 'work done' };
    });
    try {
      const created = await post(server, account.token, '/v1/runs', { goal: 'write a note' });
      const { id } = created.json() as { id: string };
      await finish(id);
      const run = (await get(server, account.token, `/v1/runs/${id}`)).json() as {
        status: string;
        answer: string;
      };
      expect(run).toMatchObject({ status: 'completed', answer: 'team answer' });
      const checklist = (await get(server, account.token, `/v1/runs/${id}/checklist`)).json() as {
        items: Array<{ id: string; status: string }>;
      };
      expect(checklist.items).toMatchObject([{ id: 'item-1', status: 'done' }]);
    } finally {
      llm.setDefaultReply({ text: 'done: all good', usage: { inputTokens: 30, outputTokens: 4 } });
    }
  });

  it('honours an Idempotency-Key: the same request gives the same run, another body is refused', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await post(idle, idleAccount.token, '/v1/runs', { goal: 'once only' }, headers);
    const again = await post(idle, idleAccount.token, '/v1/runs', { goal: 'once only' }, headers);
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.json() as { id: string }).id).toBe((first.json() as { id: string }).id);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(idle, idleAccount.token, '/v1/runs', { goal: 'racing' }, { 'idempotency-key': 'race' }),
      ),
    );
    expect(new Set(concurrent.map((response) => (response.json() as { id: string }).id)).size).toBe(1);
    const other = await post(idle, idleAccount.token, '/v1/runs', { goal: 'something else' }, headers);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining('Idempotency-Key') },
    });
    const runs = (await get(idle, idleAccount.token, '/v1/runs')).json() as { runs: Array<{ goal: string }> };
    expect(runs.runs.filter((run) => run.goal === 'once only').length).toBe(1);
    expect(runs.runs.filter((run) => run.goal === 'racing').length).toBe(1);
  });

  it('answers bad run requests with a 4xx naming the field', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'body.goal: required'],
      [{ goal: 42 }, 400, 'body.goal: expected string'],
      [{ goal: '' }, 400, 'body.goal'],
      [{ goal: '   ' }, 400, 'goal: expected a non-empty goal'],
      [{ goal: 'x', tenantId: 'b' }, 400, 'body.tenantId: unknown field'],
      [{ goal: 'x', team: 'nope' }, 404, 'team: no team "nope"'],
      [{ goal: 'x', agent: 'nope' }, 404, 'agent: no agent "nope"'],
      [{ goal: 'x', agent: 'writer', team: 'core' }, 400, 'team, agent'],
      [{ goal: 'x', model: 'no-colon' }, 400, 'body.model'],
    ];
    for (const [payload, status, message] of cases) {
      const response = await post(idle, idleAccount.token, '/v1/runs', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(
        (response.json() as { error: { message: string } }).error.message,
        JSON.stringify(payload),
      ).toContain(message);
    }
    const badKey = await post(
      idle,
      idleAccount.token,
      '/v1/runs',
      { goal: 'x' },
      { 'idempotency-key': 'k'.repeat(300) },
    );
    expect(badKey.statusCode).toBe(400);
    expect((badKey.json() as { error: { message: string } }).error.message).toContain('idempotency-key');
  });
});

describe('cancel', () => {
  it('cancels a queued run at once (with its event) and refuses to cancel it again', async () => {
    const { id } = (await post(idle, idleAccount.token, '/v1/runs', { goal: 'never mind' })).json() as {
      id: string;
    };
    const cancelled = await post(idle, idleAccount.token, `/v1/runs/${id}/cancel`);
    expect(cancelled.statusCode).toBe(202);
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled' });
    const events = await readSse(idle.url, `/v1/runs/${id}/events`, bearer(idleAccount.token));
    expect(events.events.map((event) => event.type)).toEqual(['run.cancelled']);
    expect((await post(idle, idleAccount.token, `/v1/runs/${id}/cancel`)).statusCode).toBe(409);
  });

  it('cancels a running run where it executes', async () => {
    llm.setDefaultReply({
      text: Array.from({ length: 200 }, () => 'slow').join(' '),
      latency: { betweenChunksMs: 20 },
    });
    try {
      const { id } = (
        await post(server, account.token, '/v1/runs', { goal: 'take long', agent: 'writer' })
      ).json() as { id: string };
      const head = await readSse(server.url, `/v1/runs/${id}/events`, bearer(account.token), {
        maxEvents: 3,
      });
      expect(head.events.length).toBe(3);
      expect((await post(server, account.token, `/v1/runs/${id}/cancel`)).statusCode).toBe(202);
      const rest = await readSse(server.url, `/v1/runs/${id}/events`, {
        ...bearer(account.token),
        'last-event-id': '3',
      });
      expect(rest.events.at(-1)?.type).toBe('run.cancelled');
      expect((await get(server, account.token, `/v1/runs/${id}`)).json()).toMatchObject({
        status: 'cancelled',
      });
    } finally {
      llm.setDefaultReply({ text: 'done: all good', usage: { inputTokens: 30, outputTokens: 4 } });
    }
  });
});

describe('approvals', () => {
  it('lists pending tool writes and records the decision and who made it, once', async () => {
    const { id: runId } = (
      await post(idle, idleAccount.token, '/v1/runs', { goal: 'write a file' })
    ).json() as { id: string };
    const tenant = idle.context.store.forTenant(idleAccount.tenantId);
    const pending = await tenant.approvals.create({
      runId,
      callId: 'c1',
      stepId: 'writer/1',
      agentId: 'writer',
      toolName: 'files__write',
      input: { path: 'a.txt' },
      what: 'write a.txt',
      how: 'files__write',
      why: 'asked to',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const listed = (await get(idle, idleAccount.token, '/v1/approvals')).json() as {
      approvals: Array<{ id: string }>;
    };
    expect(listed.approvals.map((approval) => approval.id)).toEqual([pending.id]);
    const approved = await post(idle, idleAccount.token, `/v1/approvals/${pending.id}/approve`, {
      reason: 'looks right',
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'approved',
      reason: 'looks right',
      decidedBy: `user:${idleAccount.userId}`,
    });
    expect((await post(idle, idleAccount.token, `/v1/approvals/${pending.id}/deny`)).statusCode).toBe(409);
    expect(
      (await post(idle, idleAccount.token, '/v1/approvals/00000000-0000-4000-8000-000000000000/deny'))
        .statusCode,
    ).toBe(404);
  });
});

describe('agents, teams, MCP servers and secrets', () => {
  it('versions agents, checks teams against them, and keeps secrets write-only', async () => {
    const token = idleAccount.token;
    const definition = {
      id: 'analyst',
      name: 'Analyst',
      tier: 'worker',
      capabilities: ['analysis'],
      systemPrompt: 'Analyse.',
    };
    const first = await post(idle, token, '/v1/agents', definition);
    expect(first.statusCode).toBe(201);
    const second = await idle.app.inject({
      method: 'PUT',
      url: '/v1/agents/analyst',
      headers: bearer(token),
      payload: { ...definition, systemPrompt: 'Analyse carefully.' },
    });
    expect(second.json()).toMatchObject({
      version: 2,
      parentId: (first.json() as { versionId: string }).versionId,
    });
    const versions = (await get(idle, token, '/v1/agents/analyst/versions')).json() as {
      versions: Array<{ version: number }>;
    };
    expect(versions.versions.map((version) => version.version)).toEqual([1, 2]);
    const badAgent = await post(idle, token, '/v1/agents', { ...definition, id: 'Bad Id', tier: 'boss' });
    expect(badAgent.statusCode).toBe(400);
    expect((badAgent.json() as { error: { message: string } }).error.message).toMatch(/body\.(id|tier)/);
    const mismatch = await idle.app.inject({
      method: 'PUT',
      url: '/v1/agents/other',
      headers: bearer(token),
      payload: definition,
    });
    expect(mismatch.json()).toMatchObject({ error: { message: 'id: expected "other" as in the path' } });

    const badTeam = await idle.app.inject({
      method: 'PUT',
      url: '/v1/teams/ghosts',
      headers: bearer(token),
      payload: {
        id: 'ghosts',
        name: 'Ghosts',
        lead: 'nobody',
        members: [{ agentId: 'analyst', relationship: 'orchestrate' }],
        preApprovedTools: [],
        policy: { mode: 'parallel', maxConcurrency: 2 },
      },
    });
    expect(badTeam.statusCode).toBe(400);
    expect((badTeam.json() as { error: { message: string } }).error.message).toContain('nobody');

    const badServer = await idle.app.inject({
      method: 'PUT',
      url: '/v1/mcp-servers/files',
      headers: bearer(token),
      payload: { config: { command: 42 } },
    });
    expect(badServer.statusCode).toBe(400);
    expect((badServer.json() as { error: { message: string } }).error.message).toContain('command');

    const secret = await idle.app.inject({
      method: 'PUT',
      url: '/v1/secrets/GITHUB_TOKEN',
      headers: bearer(token),
      payload: { value: 'ghp_supersecretvalue123' },
    });
    expect(secret.statusCode).toBe(200);
    expect(secret.body).not.toContain('ghp_supersecretvalue123');
    const secrets = await get(idle, token, '/v1/secrets');
    expect(secrets.json()).toMatchObject({ secrets: [{ name: 'GITHUB_TOKEN' }] });
    expect(secrets.body).not.toContain('ghp_supersecretvalue123');
    const badSecret = await idle.app.inject({
      method: 'PUT',
      url: '/v1/secrets/bad-name',
      headers: bearer(token),
      payload: { value: 'x' },
    });
    expect(badSecret.statusCode).toBe(400);
    const audit = await get(idle, token, '/v1/audit');
    expect(audit.body).toContain('PUT /v1/secrets/:name');
    expect(audit.body).not.toContain('ghp_supersecretvalue123');
  });
});

describe('GraphQL, health, metrics and docs', () => {
  it('executes a goal and reads runs over GraphQL on the same service as REST', async () => {
    const mutation = await post(server, account.token, '/graphql', {
      query:
        'mutation($goal: String!, $key: String) { executeGoal(goal: $goal, idempotencyKey: $key) { id status goal } }',
      variables: { goal: 'over graphql', key: 'gql-1' },
    });
    const created = (mutation.json() as { data: { executeGoal: { id: string; status: string } } }).data
      .executeGoal;
    expect(created.status).toBe('QUEUED');
    await finish(created.id);
    const query = await post(server, account.token, '/graphql', {
      query: 'query($id: ID!) { run(id: $id) { id status answer } runs(limit: 100) { id } }',
      variables: { id: created.id },
    });
    const rest = (await get(server, account.token, `/v1/runs/${created.id}`)).json() as {
      status: string;
      answer: string | null;
    };
    expect(query.json()).toMatchObject({
      data: {
        run: { id: created.id, status: rest.status.toUpperCase(), answer: rest.answer },
        runs: expect.arrayContaining([{ id: created.id }]),
      },
    });
    const unauthenticated = await server.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ runs { id } }' },
    });
    expect(unauthenticated.statusCode).toBe(401);
    const invalid = await post(server, account.token, '/graphql', { query: '{ nope }' });
    expect((invalid.json() as { errors: unknown[] }).errors.length).toBe(1);
  });

  it('answers /healthz, /readyz, /metrics and the OpenAPI document', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      mode: 'embedded',
      checks: { database: 'ok', migrations: 'ok' },
    });
    const metrics = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/aether_runs\{status="completed"\} [1-9]/);
    expect(metrics).toMatch(/aether_model_calls_total\{provider="openai"\} [1-9]/);
    expect(metrics).toMatch(/aether_model_tokens_total\{provider="openai",direction="input"\} [1-9]/);
    expect(metrics).toContain('aether_queue_depth 0');
    expect(metrics).toContain('aether_event_stream_subscribers');
    const docs = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/v1/runs',
        '/v1/runs/{id}',
        '/v1/runs/{id}/events',
        '/v1/auth/signup',
        '/graphql',
      ]),
    );
    expect((await server.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
    expect(
      (await server.app.inject({ method: 'GET', url: '/v1/nope', headers: bearer(account.token) }))
        .statusCode,
    ).toBe(404);
  });
});
