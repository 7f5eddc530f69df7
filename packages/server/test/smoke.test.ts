import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, readSse, signUp, startTestServer, type TestServer } from '../src/testing/index.ts';

let llm: FakeLlmServer;
let server: TestServer;

beforeAll(async () => {
  llm = await startFakeLlmServer();
  llm.setDefaultReply(() => ({ text: 'the answer is 42' }));
  server = await startTestServer({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.baseURL } });
});
afterAll(async () => {
  await server?.dispose();
  await llm?.close();
});

it('signs up, runs a goal and streams it', async () => {
  const account = await signUp(server.app, 'smoke-co');
  const created = await server.app.inject({
    method: 'POST',
    url: '/v1/runs',
    headers: bearer(account.token),
    payload: { goal: 'What is six times seven?', agent: 'writer' },
  });
  expect(created.statusCode, created.body).toBe(202);
  const { id } = created.json() as { id: string };
  const read = await readSse(server.url, `/v1/runs/${id}/events`, bearer(account.token));
  expect(read.status).toBe(200);
  expect(read.events.at(-1)?.type, JSON.stringify(read.events.at(-1))).toBe('run.completed');
  const run = await server.app.inject({
    method: 'GET',
    url: `/v1/runs/${id}`,
    headers: bearer(account.token),
  });
  expect(run.json()).toMatchObject({ id, status: 'completed', answer: 'the answer is 42' });
});
