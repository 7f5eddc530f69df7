import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS_SCHEMA_VERSION } from '@aether/core';
import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, readSse } from '../src/testing/index.ts';

const AETHER_BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'aether.js');

let llm: FakeLlmServer;
let home: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  llm = await startFakeLlmServer();
  llm.setDefaultReply({
    text: Array.from({ length: 60 }, (_, index) => `part${index}`).join(' '),
    latency: { betweenChunksMs: 15 },
  });
  home = await mkdtemp(join(tmpdir(), 'aether-embedded-'));
  await writeFile(
    join(home, 'settings.json'),
    JSON.stringify({
      schemaVersion: SETTINGS_SCHEMA_VERSION,
      server: { signup: 'open' },
      logging: { level: 'silent' },
    }),
  );
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await llm?.close();
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

/** Starts `aether serve --port 0` (embedded: no DATABASE_URL or REDIS_URL) and resolves with its URL. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AETHER_BIN, 'serve', '--port', '0'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        AETHER_HOME: home,
        OPENAI_API_KEY: 'sk-embedded',
        OPENAI_BASE_URL: llm.baseURL,
      },
      cwd: home,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+) \(embedded/.exec(stderr);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      reject(new Error(`aether serve exited (${code ?? signal}): ${stderr}`));
    });
  });
}

it('resumes a run at start after `aether serve` was killed with SIGKILL in the middle of it', async () => {
  const first = await serve();
  const signup = await fetch(`${first.url}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'me@restart.test',
      password: 'long-enough-password',
      subdomain: 'restart-co',
    }),
  });
  expect(signup.status).toBe(201);
  const { token } = (await signup.json()) as { token: string };
  const created = await fetch(`${first.url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ goal: 'survive a crash', agent: 'writer' }),
  });
  const { id } = (await created.json()) as { id: string };
  const head = await readSse(first.url, `/v1/runs/${id}/events`, bearer(token), { maxEvents: 4 });
  expect(head.events.length).toBe(4);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  const second = await serve();
  const tail = await readSse(second.url, `/v1/runs/${id}/events`, {
    ...bearer(token),
    'last-event-id': String(head.ids.at(-1)),
  });
  const all = [...head.events, ...tail.events];
  expect(all.map((event) => event.seq)).toEqual(all.map((_, index) => index + 1));
  expect(all.some((event) => event.type === 'run.resumed')).toBe(true);
  expect(all.at(-1)?.type).toBe('run.completed');
  const run = (await (await fetch(`${second.url}/v1/runs/${id}`, { headers: bearer(token) })).json()) as {
    status: string;
  };
  expect(run.status).toBe('completed');
  second.child.kill('SIGTERM');
}, 120_000);
