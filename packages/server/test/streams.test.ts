import type { RunEvent } from '@aether/core';
import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
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
let account: TestAccount;

const LONG_ANSWER = Array.from({ length: 80 }, (_, index) => `word${index}`).join(' ');

beforeAll(async () => {
  llm = await startFakeLlmServer();
  // Streamed word by word with a pause between chunks, so the run is still going when a client drops.
  llm.setDefaultReply({ text: LONG_ANSWER, latency: { betweenChunksMs: 12 } });
  server = await startTestServer({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.baseURL } });
  account = await signUp(server.app, 'stream-co');
});
afterAll(async () => {
  await server?.dispose();
  await llm?.close();
});

async function startRun(goal: string): Promise<string> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/v1/runs',
    headers: bearer(account.token),
    payload: { goal, agent: 'writer' },
  });
  expect(response.statusCode).toBe(202);
  return (response.json() as { id: string }).id;
}

const stored = (runId: string): Promise<RunEvent[]> =>
  server.context.store.forTenant(account.tenantId).events.list(runId);

it('resumes a dropped SSE stream in the middle of a streaming run with exactly the missed events', async () => {
  const runId = await startRun('stream a long answer');
  const seen: RunEvent[] = [];
  const ids: number[] = [];
  let lastId: number | undefined;
  let reconnects = 0;
  for (;;) {
    const read = await readSse(
      server.url,
      `/v1/runs/${runId}/events`,
      { ...bearer(account.token), ...(lastId === undefined ? {} : { 'last-event-id': String(lastId) }) },
      { maxEvents: 4 },
    );
    expect(read.status).toBe(200);
    seen.push(...read.events);
    ids.push(...read.ids);
    lastId = read.ids.at(-1) ?? lastId;
    if (read.ended || read.events.at(-1)?.type === 'run.completed') break;
    reconnects++;
  }
  const events = await stored(runId);
  expect(events.at(-1)?.type).toBe('run.completed');
  // The run was live during the reconnects: text deltas kept arriving between them.
  expect(reconnects).toBeGreaterThan(3);
  expect(events.filter((event) => event.type === 'text.delta').length).toBeGreaterThan(3);
  expect(seen).toEqual(events);
  expect(ids).toEqual(events.map((event) => event.seq));
});

it('serves two tabs following the same run the same events, and a finished run from any point', async () => {
  const runId = await startRun('two tabs');
  const [first, second] = await Promise.all([
    readSse(server.url, `/v1/runs/${runId}/events`, bearer(account.token)),
    readSse(server.url, `/v1/runs/${runId}/events?access_token=${account.token}`, {}),
  ]);
  const events = await stored(runId);
  expect(first.events).toEqual(events);
  expect(second.events).toEqual(events);
  expect(first.ended && second.ended).toBe(true);
  const middle = Math.floor(events.length / 2);
  const rest = await readSse(server.url, `/v1/runs/${runId}/events`, {
    ...bearer(account.token),
    'last-event-id': String(middle),
  });
  expect(rest.events).toEqual(events.slice(middle));
  const none = await readSse(
    server.url,
    `/v1/runs/${runId}/events?after=${events.length}`,
    bearer(account.token),
  );
  expect(none.events).toEqual([]);
});

it('streams the same events over a WebSocket, resuming after ?after=', async () => {
  const runId = await startRun('over a socket');
  const receive = (after: number, stopAfter?: number) =>
    new Promise<RunEvent[]>((resolve, reject) => {
      const socket = new WebSocket(
        `${server.url.replace('http', 'ws')}/v1/runs/${runId}/events?after=${after}`,
        {
          headers: bearer(account.token),
        },
      );
      const events: RunEvent[] = [];
      socket.on('message', (data) => {
        events.push(JSON.parse(String(data)) as RunEvent);
        if (stopAfter !== undefined && events.length >= stopAfter) {
          socket.terminate();
          resolve(events);
        }
      });
      socket.on('close', () => resolve(events));
      socket.on('error', reject);
    });
  const head = await receive(0, 3);
  const tail = await receive(head.at(-1)?.seq ?? 0);
  const events = await stored(runId);
  expect([...head, ...tail]).toEqual(events);
});

it('refuses a stream without a credential or for a run that does not exist', async () => {
  const unauthenticated = await readSse(
    server.url,
    '/v1/runs/00000000-0000-4000-8000-000000000000/events',
    {},
  );
  expect(unauthenticated.status).toBe(401);
  const missing = await readSse(
    server.url,
    '/v1/runs/00000000-0000-4000-8000-000000000000/events',
    bearer(account.token),
  );
  expect(missing.status).toBe(404);
});
