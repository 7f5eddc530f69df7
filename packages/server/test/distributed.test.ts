import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  deepMerge,
  defaultSettings,
  type RunEvent,
  SETTINGS_SCHEMA_VERSION,
  type Settings,
} from '@aether/core';
import { type FakeLlmServer, startFakeLlmServer } from '@aether/core/testing';
import { readMigrations } from '@aether/store';
import { createTemporaryDatabase, type TemporaryDatabase } from '@aether/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/serve.ts';
import { bearer, readSse, signUp, type TestAccount } from '../src/testing/index.ts';

const databaseUrl = process.env['DATABASE_URL'];
const redisUrl = process.env['REDIS_URL'];
const AETHER_BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'aether.js');
const LEDGER_SERVER = join(import.meta.dirname, 'fixtures', 'ledger-mcp-server.ts');
/** kill -9 trials, as the issue asks for several. */
const TRIALS = Number(process.env['AETHER_DISTRIBUTED_TRIALS'] ?? 3);
const RUNS_PER_TRIAL = 6;

/** Settings of the API process and the workers: short locks and heartbeats so a dead worker's runs move on quickly. */
const OVERRIDES = {
  server: {
    signup: 'open',
    queueLockMs: 2_000,
    workerConcurrency: 3,
    authRateLimitPerMinute: 10_000,
    rateLimitPerMinute: 1_000_000,
  },
  execution: { heartbeatMs: 200, staleRunMs: 1_000 },
};

if (databaseUrl === undefined || databaseUrl === '' || redisUrl === undefined || redisUrl === '') {
  describe.skip('distributed mode (set DATABASE_URL and REDIS_URL to run)', () => {
    it('runs against PostgreSQL and Redis', () => {});
  });
} else {
  describe('distributed mode: PostgreSQL server, BullMQ on Redis, aether worker processes', () => {
    let database: TemporaryDatabase;
    let llm: FakeLlmServer;
    let home: string;
    let api: RunningServer;
    let account: TestAccount;
    let redis: Redis;
    const prefix = `aether-test-${crypto.randomUUID().slice(0, 8)}`;
    const workers = new Set<ChildProcess>();
    let ledger: string;

    const env = () => ({
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      AETHER_HOME: home,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      AETHER_QUEUE_PREFIX: prefix,
      AETHER_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
      OPENAI_API_KEY: 'sk-distributed',
      OPENAI_BASE_URL: llm.baseURL,
    });

    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [AETHER_BIN, ...args], { env: env(), cwd: home });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });

    /** Starts `aether worker` and resolves once it says it is executing. */
    const startWorkerProcess = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const child = spawn(process.execPath, [AETHER_BIN, 'worker'], {
          env: env(),
          cwd: home,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        workers.add(child);
        let stderr = '';
        child.stderr?.on('data', (chunk) => {
          stderr += chunk;
          if (stderr.includes('executing up to')) resolve(child);
        });
        child.on('exit', (code, signal) => {
          workers.delete(child);
          if (!stderr.includes('executing up to'))
            reject(new Error(`aether worker exited (${code ?? signal}): ${stderr}`));
        });
      });

    beforeAll(async () => {
      // Set means "test it": an unreachable server fails here rather than skipping.
      database = await createTemporaryDatabase(databaseUrl);
      redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3_000 });
      expect(await redis.ping()).toBe('PONG');
      llm = await startFakeLlmServer({ latency: { firstByteMs: 120 } });
      llm.setDefaultReply((request) => {
        if (!request.toolNames.includes('ledger__append'))
          return { text: `plain answer: ${request.lastUserText.slice(0, 40)}` };
        if (request.messages.at(-1)?.role === 'tool') return { text: 'recorded in the ledger' };
        return { toolCalls: [{ name: 'ledger__append', arguments: { entry: request.lastUserText } }] };
      });
      home = await mkdtemp(join(tmpdir(), 'aether-distributed-'));
      ledger = join(home, 'ledger.txt');
      await writeFile(ledger, '');
      await writeFile(
        join(home, 'settings.json'),
        JSON.stringify({ schemaVersion: SETTINGS_SCHEMA_VERSION, ...OVERRIDES }),
      );
    }, 60_000);

    afterAll(async () => {
      for (const worker of workers) worker.kill('SIGKILL');
      await api?.close();
      await llm?.close();
      if (redis !== undefined) {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
      await database?.drop();
      if (home !== undefined) await rm(home, { recursive: true, force: true });
    }, 60_000);

    it('is not ready until `aether migrate` has run; then it is', async () => {
      const settings = deepMerge(defaultSettings(), OVERRIDES) as Settings;
      api = await startServer({ env: env(), home, settings, port: 0, host: '127.0.0.1' });
      expect(api.context.mode).toBe('distributed');
      const before = await api.app.inject({ method: 'GET', url: '/readyz' });
      expect(before.statusCode).toBe(503);
      const migrated = await cli(['migrate', '--json']);
      expect(migrated.code, migrated.stderr).toBe(0);
      const latest = (await readMigrations()).at(-1)?.version;
      expect(JSON.parse(migrated.stdout)).toMatchObject({ version: latest });
      const after = await api.app.inject({ method: 'GET', url: '/readyz' });
      expect(after.json()).toMatchObject({
        status: 'ready',
        mode: 'distributed',
        checks: { database: 'ok', redis: 'ok', migrations: 'ok' },
      });
      account = await signUp(api.app, 'dist-co');
      const token = account.token;
      const put = (url: string, payload: unknown) =>
        api.app.inject({ method: 'PUT', url, headers: bearer(token), payload: payload as object });
      expect(
        (
          await put('/v1/mcp-servers/ledger', {
            config: { command: process.execPath, args: [LEDGER_SERVER, ledger] },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await put('/v1/agents/clerk', {
            id: 'clerk',
            name: 'Clerk',
            tier: 'worker',
            tools: ['ledger__*'],
            systemPrompt: 'Record every request in the ledger.',
          })
        ).statusCode,
      ).toBe(200);
    });

    it('executes runs on worker processes and streams them through the API process, resuming after Last-Event-ID', async () => {
      await Promise.all([startWorkerProcess(), startWorkerProcess()]);
      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/runs',
        headers: bearer(account.token),
        payload: { goal: 'stream me from another process', agent: 'writer' },
      });
      const { id } = created.json() as { id: string };
      const head = await readSse(api.url, `/v1/runs/${id}/events`, bearer(account.token), { maxEvents: 2 });
      const tail = await readSse(api.url, `/v1/runs/${id}/events`, {
        ...bearer(account.token),
        'last-event-id': String(head.ids.at(-1)),
      });
      const stored = await api.context.store.forTenant(account.tenantId).events.list(id);
      expect(stored.at(-1)?.type).toBe('run.completed');
      expect([...head.events, ...tail.events]).toEqual(stored);
      const run = (
        await api.app.inject({ method: 'GET', url: `/v1/runs/${id}`, headers: bearer(account.token) })
      ).json();
      expect(run).toMatchObject({
        status: 'completed',
        answer: 'plain answer: stream me from another process',
      });
      const metrics = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/aether_runs\{status="completed"\} [1-9]/);
    }, 60_000);

    it(`finishes every run on another worker when one is killed with SIGKILL mid-run (${TRIALS} trials), applying no write twice`, async () => {
      const token = account.token;
      const approver = new AbortController();
      // A person approving every tool write as it comes (the writes go through the approval pipeline).
      const approving = (async () => {
        while (!approver.signal.aborted) {
          const pending = (
            await api.app.inject({ method: 'GET', url: '/v1/approvals', headers: bearer(token) })
          ).json() as {
            approvals: Array<{ id: string }>;
          };
          for (const approval of pending.approvals)
            await api.app.inject({
              method: 'POST',
              url: `/v1/approvals/${approval.id}/approve`,
              headers: bearer(token),
              payload: {},
            });
          await delay(50);
        }
      })();
      const allRuns: string[] = [];
      let resumed = 0;
      try {
        for (let trial = 0; trial < TRIALS; trial++) {
          while (workers.size < 2) await startWorkerProcess();
          const ids: string[] = [];
          for (let index = 0; index < RUNS_PER_TRIAL; index++) {
            const response = await api.app.inject({
              method: 'POST',
              url: '/v1/runs',
              headers: bearer(token),
              payload: { goal: `trial ${trial} entry ${index}`, agent: 'clerk' },
            });
            expect(response.statusCode).toBe(202);
            ids.push((response.json() as { id: string }).id);
          }
          allRuns.push(...ids);
          // Kill a worker while it executes one of these runs.
          const tenant = api.context.store.forTenant(account.tenantId);
          let victim: ChildProcess | undefined;
          while (victim === undefined) {
            const running = (await tenant.runs.list({ status: 'running', limit: 100 })).filter((run) =>
              ids.includes(run.id),
            );
            const pids = new Set(running.map((run) => Number(run.owner?.split(':')[1])));
            victim = [...workers].find((worker) => pids.has(worker.pid ?? -1));
            if (victim === undefined) await delay(20);
          }
          await delay(Math.floor(Math.random() * 300));
          victim.kill('SIGKILL');
          await new Promise((resolve) => victim?.once('exit', resolve));
          await startWorkerProcess();
          // Every run of the trial ends, completed.
          for (const id of ids) {
            let status = 'queued';
            while (!['completed', 'failed', 'cancelled'].includes(status)) {
              await delay(100);
              status = ((await tenant.runs.get(id))?.status ?? 'missing') as string;
            }
            const run = await tenant.runs.get(id);
            expect(run?.status, `trial ${trial}, run ${id}: ${JSON.stringify(run?.error)}`).toBe('completed');
            const events: RunEvent[] = await tenant.events.list(id);
            if (events.some((event) => event.type === 'run.resumed')) resumed++;
            expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
          }
        }
      } finally {
        approver.abort();
        await approving;
      }
      // No run lost, at least one taken over from a dead worker, and no write applied twice.
      expect(allRuns.length).toBe(TRIALS * RUNS_PER_TRIAL);
      expect(resumed).toBeGreaterThan(0);
      const lines = (await readFile(ledger, 'utf8')).split('\n').filter((line) => line !== '');
      const counts = new Map<string, number>();
      for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
      expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
      // Each run's write was applied once, or (killed between claiming and finishing it) not repeated.
      expect(lines.length).toBeLessThanOrEqual(allRuns.length);
      expect(lines.length).toBeGreaterThanOrEqual(allRuns.length - TRIALS * 3);
      console.log(
        `distributed crash trials: ${TRIALS}, runs ${allRuns.length}, resumed ${resumed}, ledger entries ${lines.length}`,
      );
    }, 300_000);
  });
}
