import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { EventJournal, systemClock, tenantJournalTarget } from '@aether/core';
import { createBullRunQueue, startBullRunWorker } from '@aether/server';
import { bearer, signUp, startTestServer, type TestServer } from '@aether/server/testing';
import { createTemporaryDatabase } from '@aether/store/testing';
import { Queue } from 'bullmq';
import { type Benchmark, summarize } from './stats.ts';

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** GETs `path` as fast as `concurrency` keep-alive connections allow for `seconds`; requests per second. */
async function load(
  baseUrl: string,
  path: string,
  token: string,
  seconds: number,
  concurrency: number,
): Promise<number> {
  const url = new URL(path, baseUrl);
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const request = httpRequest(url, { agent, headers: bearer(token) }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`GET ${path}: ${response.statusCode}`));
        response.resume();
        response.on('end', () => resolve());
      });
      request.on('error', reject);
      request.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await one();
        done++;
      }
    }),
  );
  return done / seconds;
}

/** Requests per second of `GET /v1/runs/:id` with row-level security, then with it disabled on the tables the route reads. */
async function rlsThroughput(server: TestServer, seconds: number): Promise<{ on: number; off: number }> {
  const account = await signUp(server.app, 'rls-bench');
  const created = await server.app.inject({
    method: 'POST',
    url: '/v1/runs',
    headers: bearer(account.token),
    payload: { goal: 'read me' },
  });
  const id = (created.json() as { id: string }).id;
  const path = `/v1/runs/${id}`;
  const toggle = async (enabled: boolean) => {
    for (const table of ['runs', 'users', 'api_keys'])
      await server.context.store.database.query(
        `ALTER TABLE ${table} ${enabled ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`,
      );
  };
  await load(server.url, path, account.token, 1, 16);
  // Alternate, so warm-up and other load on the machine fall on both sides alike.
  const on: number[] = [];
  const off: number[] = [];
  try {
    for (let round = 0; round < 2; round++) {
      on.push(await load(server.url, path, account.token, seconds / 2, 16));
      await toggle(false);
      off.push(await load(server.url, path, account.token, seconds / 2, 16));
      await toggle(true);
    }
  } finally {
    await toggle(true);
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return { on: mean(on), off: mean(off) };
}

/** Opens an SSE stream and calls `onEvent` with each event's seq as it arrives; resolves when the server ends it. */
function follow(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  onEvent: (seq: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      new URL(path, baseUrl),
      { agent, headers: { accept: 'text/event-stream', ...headers } },
      (response) => {
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let boundary = buffer.indexOf('\n\n');
          while (boundary !== -1) {
            const frame = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
            const id = /^id: (\d+)$/m.exec(frame);
            if (id?.[1] !== undefined) onEvent(Number(id[1]));
          }
        });
        response.on('end', () => resolve());
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/**
 * 1,000 SSE subscribers on one run: latency from an event's publication (after its group
 * commit) to each subscriber receiving it; then 1,000 clients reconnecting with
 * Last-Event-ID half-way and catching up to the end.
 */
async function fanOut(
  server: TestServer,
  subscribers: number,
  events: number,
): Promise<{
  subscribers: number;
  latency: ReturnType<typeof summarize>;
  catchUpMs: number;
  missedPerClient: number;
}> {
  const account = await signUp(server.app, 'fanout-bench');
  const created = await server.app.inject({
    method: 'POST',
    url: '/v1/runs',
    headers: bearer(account.token),
    payload: { goal: 'fan out' },
  });
  const runId = (created.json() as { id: string }).id;
  const tenant = server.context.store.forTenant(account.tenantId);
  const journal = new EventJournal({
    target: tenantJournalTarget(tenant),
    clock: systemClock,
    flushIntervalMs: 5,
  });
  const published = new Map<number, number>();
  journal.subscribe((event) => {
    published.set(event.seq, performance.now());
    server.context.bus.publish(event);
  });
  const run = journal.open(runId, 0);
  const latencies: number[] = [];
  const streams = Array.from({ length: subscribers }, () =>
    follow(server.url, `/v1/runs/${runId}/events`, bearer(account.token), (seq) => {
      const at = published.get(seq);
      if (at !== undefined) latencies.push(performance.now() - at);
    }),
  );
  // Wait until every stream is subscribed.
  while (server.context.bus.subscriberCount() < subscribers)
    await new Promise((resolve) => setTimeout(resolve, 20));
  for (let index = 0; index < events; index++) {
    run.emit({ type: 'agent.thought', stepId: 's', agentId: 'bench', text: `thought ${index}` });
    await run.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  run.emit({ type: 'run.cancelled', reason: 'benchmark over' });
  await run.flush();
  await Promise.all(streams);

  const half = Math.floor(events / 2);
  const started = performance.now();
  let received = 0;
  await Promise.all(
    Array.from({ length: subscribers }, () =>
      follow(
        server.url,
        `/v1/runs/${runId}/events`,
        { ...bearer(account.token), 'last-event-id': String(half) },
        () => {
          received++;
        },
      ),
    ),
  );
  const catchUpMs = performance.now() - started;
  return { subscribers, latency: summarize(latencies), catchUpMs, missedPerClient: received / subscribers };
}

/** BullMQ jobs per second through one worker (concurrency 16), a no-op processor and the run queue's options. */
async function queueThroughput(redisUrl: string, jobs: number): Promise<number> {
  const prefix = `aether-bench-${crypto.randomUUID().slice(0, 8)}`;
  const queue = createBullRunQueue(redisUrl, prefix);
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const worker = startBullRunWorker({
    url: redisUrl,
    executor: {
      execute: async () => {
        done++;
        if (done === jobs) finished();
        return 'skipped';
      },
    } as unknown as Parameters<typeof startBullRunWorker>[0]['executor'],
    concurrency: 16,
    lockMs: 30_000,
    prefix,
  });
  const tenantId = crypto.randomUUID();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: jobs }, () => queue.enqueue({ tenantId, runId: crypto.randomUUID() })),
  );
  await all;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.close();
  const cleanup = new Queue('aether-runs', { connection: { url: redisUrl }, prefix });
  await cleanup.obliterate({ force: true }).catch(() => {});
  await cleanup.close();
  return jobs / seconds;
}

/** Issue 5: the server. */
export const serverBenchmark: Benchmark = {
  name: 'server',
  async run({ quick }) {
    const seconds = quick ? 2 : 5;
    const embedded = await startTestServer({ runWorkers: false });
    let rows: string[] = [];
    let fan: Awaited<ReturnType<typeof fanOut>>;
    try {
      const pglite = await rlsThroughput(embedded, seconds);
      console.log('PGlite', pglite);
      rows.push(
        `| PGlite (embedded, in this process) | ${Math.round(pglite.on)} | ${Math.round(pglite.off)} | ${Math.round((1 - pglite.on / pglite.off) * 100)} % |`,
      );
      fan = await fanOut(embedded, quick ? 200 : 1000, quick ? 20 : 50);
      console.log('fan-out', fan);
    } finally {
      await embedded.dispose();
    }
    const databaseUrl = process.env['DATABASE_URL'];
    const redisUrl = process.env['REDIS_URL'];
    let queueLine = 'not measured (set REDIS_URL)';
    if (databaseUrl !== undefined && databaseUrl !== '') {
      const database = await createTemporaryDatabase(databaseUrl);
      const server = await startTestServer({ runWorkers: false, database: { databaseUrl: database.url } });
      try {
        const postgres = await rlsThroughput(server, seconds);
        console.log('PostgreSQL', postgres);
        rows.push(
          `| PostgreSQL server (pool of 10) | ${Math.round(postgres.on)} | ${Math.round(postgres.off)} | ${Math.round((1 - postgres.on / postgres.off) * 100)} % |`,
        );
      } finally {
        await server.dispose();
        await database.drop();
      }
    }
    if (redisUrl !== undefined && redisUrl !== '') {
      const perSecond = await queueThroughput(redisUrl, quick ? 500 : 3000);
      console.log('queue', perSecond);
      queueLine = `${Math.round(perSecond)} jobs/s`;
    }
    rows = rows.length === 0 ? ['| — | — | — | — |'] : rows;
    return `## Server (issue 5)

**Read route under row-level security.** \`GET /v1/runs/:id\` with a JWT (verify, member lookup
and the run read, each in a tenant transaction as \`aether_app\`), 16 keep-alive connections from
the same process for ${seconds} s, over loopback; then the same with row-level security disabled
on \`runs\`, \`users\` and \`api_keys\` (the \`SET LOCAL ROLE\` / \`set_config\` round trip stays).

| database | req/s, RLS on | req/s, RLS off | cost of RLS |
|---|---|---|---|
${rows.join('\n')}

**Queue.** BullMQ on the local Redis, one worker (concurrency 16) with a no-op processor and the
run queue's job options (job id = run id, removed on completion): ${queueLine} per worker.

**Live event fan-out.** ${fan.subscribers} SSE subscribers on one run (real sockets on loopback,
clients in the same process), ${quick ? 20 : 50} events emitted 20 ms apart through the group-committing journal;
latency from the event's publication (after it is stored) to each subscriber parsing it:

| samples | p50 | p99 | max |
|---|---|---|---|
| ${fan.latency.count} | ${fan.latency.median.toFixed(1)} ms | ${fan.latency.p99.toFixed(1)} ms | ${fan.latency.max.toFixed(1)} ms |

**Reconnect and catch up.** The same number of clients reconnect at once with \`Last-Event-ID\` half-way
through the finished run and read the ${fan.missedPerClient.toFixed(0)} events each missed from the database:
all done in ${Math.round(fan.catchUpMs)} ms.
`;
  },
};
