import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
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

beforeAll(async () => {
  llm = await startFakeLlmServer();
  // Each tenant's answer carries that tenant's canary (it is in the goal the model sees).
  llm.setDefaultReply((request) => ({
    text: `answer about ${/CANARY_[AB]_[0-9a-f]+/.exec(request.lastUserText)?.[0] ?? 'nothing'}`,
  }));
  server = await startTestServer({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.baseURL } });
});
afterAll(async () => {
  await server?.dispose();
  await llm?.close();
});

interface Owned {
  account: TestAccount;
  canary: string;
  runId: string;
  agentId: string;
  teamId: string;
  mcpName: string;
  secretName: string;
  keyId: string;
  inviteId: string;
  approvalId: string;
  memberId: string;
}

async function call(token: string, method: string, url: string, payload?: unknown) {
  return server.app.inject({
    method: method as 'GET',
    url,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** A tenant that puts a canary string into everything it owns. */
async function populate(label: 'A' | 'B'): Promise<Owned> {
  const canary = `CANARY_${label}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const lower = canary.toLowerCase().replaceAll('_', '-');
  const account = await signUp(server.app, `probe-${label.toLowerCase()}`, `${lower}@probe.test`);
  const token = account.token;
  const agentId = `agent-${lower.slice(-12)}`;
  expect(
    (
      await call(token, 'POST', '/v1/agents', {
        id: agentId,
        name: canary,
        tier: 'worker',
        systemPrompt: `You are ${canary}.`,
      })
    ).statusCode,
  ).toBe(201);
  const teamId = `team-${lower.slice(-12)}`;
  const team = await call(token, 'PUT', `/v1/teams/${teamId}`, {
    id: teamId,
    name: canary,
    lead: 'lead',
    members: [{ agentId: 'coder', relationship: 'orchestrate' }],
    preApprovedTools: [],
    policy: { mode: 'parallel', maxConcurrency: 2 },
  });
  expect(team.statusCode, team.body).toBe(200);
  const mcpName = `mcp-${lower.slice(-12)}`;
  expect(
    (await call(token, 'PUT', `/v1/mcp-servers/${mcpName}`, { config: { command: 'node', args: [canary] } }))
      .statusCode,
  ).toBe(200);
  const secretName = `SECRET_${canary.slice(-12).toUpperCase()}`;
  expect(
    (await call(token, 'PUT', `/v1/secrets/${secretName}`, { value: `value-${canary}` })).statusCode,
  ).toBe(200);
  const key = await call(token, 'POST', '/v1/api-keys', { name: canary });
  const invite = await call(token, 'POST', '/v1/invites', {
    role: 'member',
    email: `${lower}-invitee@probe.test`,
  });
  const joined = await server.app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: {
      email: `${lower}-invitee@probe.test`,
      password: 'long-enough-password',
      subdomain: account.subdomain,
      inviteToken: (invite.json() as { token: string }).token,
    },
  });
  expect(joined.statusCode, joined.body).toBe(201);
  const run = await call(token, 'POST', '/v1/runs', { goal: `Explain ${canary}`, agent: agentId });
  const runId = (run.json() as { id: string }).id;
  const stream = await readSse(server.url, `/v1/runs/${runId}/events`, bearer(token));
  expect(stream.events.at(-1)?.type).toBe('run.completed');
  expect(
    (await call(token, 'POST', `/v1/runs/${runId}/feedback`, { rating: 4, comment: canary })).statusCode,
  ).toBe(201);
  const approval = await server.context.store.forTenant(account.tenantId).approvals.create({
    runId,
    callId: 'c1',
    stepId: 's1',
    agentId,
    toolName: `${mcpName}__write`,
    input: { text: canary },
    what: canary,
    how: canary,
    why: canary,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return {
    account,
    canary,
    runId,
    agentId,
    teamId,
    mcpName,
    secretName,
    keyId: (key.json() as { id: string }).id,
    inviteId: (invite.json() as { id: string }).id,
    approvalId: approval.id,
    memberId: (joined.json() as { user: { id: string } }).user.id,
  };
}

it("never shows tenant B's canary to tenant A, on any route, stream or GraphQL operation, and B's ids answer 404", async () => {
  const a = await populate('A');
  const b = await populate('B');
  const token = a.account.token;
  const seen: string[] = [];
  const touched = new Set<string>();
  const probe = async (method: string, route: string, url: string, payload?: unknown, expected?: number) => {
    const response = await call(token, method, url, payload);
    touched.add(`${method} ${route}`);
    seen.push(response.body);
    if (expected !== undefined)
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(expected);
    expect(response.body, `${method} ${url}`).not.toContain(b.canary);
    return response;
  };

  // Reads: lists of A's own things, and B's ids in A's requests.
  for (const route of [
    '/v1/me',
    '/v1/runs',
    '/v1/agents',
    '/v1/teams',
    '/v1/mcp-servers',
    '/v1/secrets',
    '/v1/members',
    '/v1/invites',
    '/v1/api-keys',
    '/v1/audit',
    '/v1/approvals',
  ])
    await probe('GET', route, route, undefined, 200);
  await probe('GET', '/v1/runs/:id', `/v1/runs/${b.runId}`, undefined, 404);
  await probe('GET', '/v1/runs/:id/checklist', `/v1/runs/${b.runId}/checklist`, undefined, 404);
  await probe('GET', '/v1/runs/:id/usage', `/v1/runs/${b.runId}/usage`, undefined, 404);
  await probe('GET', '/v1/runs/:id/feedback', `/v1/runs/${b.runId}/feedback`, undefined, 404);
  await probe('GET', '/v1/runs/:id/events', `/v1/runs/${b.runId}/events`, undefined, 404);
  await probe('GET', '/v1/agents/:id', `/v1/agents/${b.agentId}`, undefined, 404);
  await probe('GET', '/v1/agents/:id/versions', `/v1/agents/${b.agentId}/versions`, undefined, 404);
  await probe('GET', '/v1/teams/:id', `/v1/teams/${b.teamId}`, undefined, 404);
  // Writes aimed at B's things.
  await probe('POST', '/v1/runs/:id/cancel', `/v1/runs/${b.runId}/cancel`, undefined, 404);
  await probe('POST', '/v1/runs/:id/feedback', `/v1/runs/${b.runId}/feedback`, { rating: 1 }, 404);
  await probe('POST', '/v1/approvals/:id/approve', `/v1/approvals/${b.approvalId}/approve`, {}, 404);
  await probe('POST', '/v1/approvals/:id/deny', `/v1/approvals/${b.approvalId}/deny`, {}, 404);
  await probe('DELETE', '/v1/teams/:id', `/v1/teams/${b.teamId}`, undefined, 404);
  await probe('DELETE', '/v1/mcp-servers/:name', `/v1/mcp-servers/${b.mcpName}`, undefined, 404);
  await probe('DELETE', '/v1/secrets/:name', `/v1/secrets/${b.secretName}`, undefined, 404);
  await probe('DELETE', '/v1/api-keys/:id', `/v1/api-keys/${b.keyId}`, undefined, 404);
  await probe('PATCH', '/v1/members/:id', `/v1/members/${b.memberId}`, { role: 'viewer' }, 404);
  await probe('DELETE', '/v1/members/:id', `/v1/members/${b.memberId}`, undefined, 404);
  await probe('POST', '/v1/runs', '/v1/runs', { goal: 'use their team', team: b.teamId }, 404);
  await probe('POST', '/v1/runs', '/v1/runs', { goal: 'use their agent', agent: b.agentId }, 404);
  // GraphQL over HTTP.
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    touched.add('POST /graphql');
    const response = await call(token, 'POST', '/graphql', { query, variables });
    expect(response.body).not.toContain(b.canary);
    return response.json() as {
      data?: Record<string, unknown>;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
  };
  const foreignTeam = await graphql(
    'mutation($team: String) { executeGoal(goal: "x", team: $team) { id } }',
    { team: b.teamId },
  );
  expect(foreignTeam.errors?.[0]?.extensions?.code, JSON.stringify(foreignTeam)).toBe('TEAM_NOT_FOUND');
  // Writes with B's names create A's own, separate things (no tenant id is ever taken from a request).
  await probe(
    'PUT',
    '/v1/agents/:id',
    `/v1/agents/${b.agentId}`,
    { id: b.agentId, name: 'mine', tier: 'worker', systemPrompt: 'mine' },
    200,
  );
  await probe(
    'POST',
    '/v1/agents',
    '/v1/agents',
    { id: b.agentId, name: 'mine again', tier: 'worker', systemPrompt: 'mine' },
    201,
  );
  await probe(
    'PUT',
    '/v1/teams/:id',
    `/v1/teams/${b.teamId}`,
    {
      id: b.teamId,
      name: 'mine',
      lead: 'lead',
      members: [{ agentId: 'writer', relationship: 'orchestrate' }],
      preApprovedTools: [],
      policy: { mode: 'parallel', maxConcurrency: 1 },
    },
    200,
  );
  await probe(
    'PUT',
    '/v1/mcp-servers/:name',
    `/v1/mcp-servers/${b.mcpName}`,
    { config: { command: 'node' } },
    200,
  );
  await probe('PUT', '/v1/secrets/:name', `/v1/secrets/${b.secretName}`, { value: 'mine' }, 200);
  await probe('POST', '/v1/invites', '/v1/invites', {}, 201);
  await probe('POST', '/v1/api-keys', '/v1/api-keys', { name: 'mine' }, 201);
  const versions = await probe(
    'GET',
    '/v1/agents/:id/versions',
    `/v1/agents/${b.agentId}/versions`,
    undefined,
    200,
  );
  expect((versions.json() as { versions: unknown[] }).versions.length).toBe(2);

  expect(
    (await graphql('query($id: ID!) { run(id: $id) { id goal answer } }', { id: b.runId })).data,
  ).toEqual({ run: null });
  const own = await graphql('query($id: ID!) { run(id: $id) { id goal answer } }', { id: a.runId });
  expect(JSON.stringify(own.data)).toContain(a.canary);
  const list = await graphql('{ runs(limit: 100) { id goal } }');
  expect(((list.data?.['runs'] ?? []) as unknown[]).length).toBeGreaterThan(0);

  // SSE and WebSocket streams of B's run.
  const sse = await readSse(server.url, `/v1/runs/${b.runId}/events`, bearer(token));
  expect(sse.status).toBe(404);
  expect(sse.events).toEqual([]);
  const wsUrl = `${server.url.replace('http', 'ws')}/v1/runs/${b.runId}/events`;
  const wsMessages = await new Promise<{ code: number; messages: string[] }>((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers: bearer(token) });
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    socket.on('close', (code) => resolve({ code, messages }));
    socket.on('error', reject);
  });
  expect(wsMessages.code).toBe(4404);
  expect(wsMessages.messages.join('\n')).not.toContain(b.canary);
  // The same socket route works for A's own run and delivers A's events.
  const ownWs = await new Promise<string[]>((resolve, reject) => {
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/v1/runs/${a.runId}/events?access_token=${token}`,
    );
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    socket.on('close', () => resolve(messages));
    socket.on('error', reject);
  });
  expect(ownWs.at(-1)).toContain('run.completed');
  expect(ownWs.join('\n')).not.toContain(b.canary);

  // The graphql-ws subscription of B's run fails; of A's run, it streams A's events.
  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const subscribe = (runId: string) =>
    new Promise<{ events: string[]; error?: unknown }>((resolve) => {
      const events: string[] = [];
      client.subscribe<{ runEvents: { json: string } }>(
        {
          query: 'subscription($id: ID!) { runEvents(runId: $id) { seq type json } }',
          variables: { id: runId },
        },
        {
          next: (value) => events.push(value.data?.runEvents.json ?? JSON.stringify(value)),
          error: (error) => resolve({ events, error }),
          complete: () => resolve({ events }),
        },
      );
    });
  const foreign = await subscribe(b.runId);
  expect(foreign.error).toBeDefined();
  expect(JSON.stringify(foreign)).not.toContain(b.canary);
  const mine = await subscribe(a.runId);
  expect(
    mine.error,
    JSON.stringify({
      code: (mine.error as { code?: number })?.code,
      reason: (mine.error as { reason?: string })?.reason,
      foreign: {
        code: (foreign.error as { code?: number })?.code,
        reason: (foreign.error as { reason?: string })?.reason,
        e: String(foreign.error),
      },
    }),
  ).toBeUndefined();
  expect(mine.events.at(-1)).toContain('run.completed');
  await client.dispose();

  // Every documented route was probed.
  const docs = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(docs.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  const publicRoutes = new Set([
    'POST /v1/auth/signup',
    'POST /v1/auth/login',
    'GET /healthz',
    'GET /readyz',
    'GET /metrics',
  ]);
  expect(documented.filter((route) => !touched.has(route) && !publicRoutes.has(route))).toEqual([]);

  // B's things are untouched.
  const bRun = await call(b.account.token, 'GET', `/v1/runs/${b.runId}`);
  expect(bRun.json()).toMatchObject({ status: 'completed' });
  expect(bRun.body).toContain(b.canary);
  const bKeys = await call(b.account.token, 'GET', '/v1/api-keys');
  expect(bKeys.json()).toMatchObject({ keys: [{ id: b.keyId, revokedAt: null }] });
  const bMembers = await call(b.account.token, 'GET', '/v1/members');
  expect((bMembers.json() as { members: unknown[] }).members.length).toBe(2);
  expect((await call(b.account.token, 'GET', `/v1/teams/${b.teamId}`)).json()).toMatchObject({
    name: b.canary,
  });
  expect(seen.join('\n')).toContain(a.canary);
});
