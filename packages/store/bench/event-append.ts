/**
 * Times event appends through the store: one transaction per event vs group commits of
 * 10, on PGlite (on disk, as the CLI uses it, and in memory) and, when DATABASE_URL is
 * set, on that server (in a temporary database). Also compares ways of setting the
 * tenant session on PGlite. Prints numbers; asserts nothing.
 *
 *   node packages/store/bench/event-append.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node packages/store/bench/event-append.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from '@aether/core';
import { openStore, type SqlStore } from '../src/index.ts';
import { createTemporaryDatabase } from '../src/testing/index.ts';

const SINGLE = 1_000;
const BATCHES = 100;
const BATCH_SIZE = 10;
const ROUNDS = 3;

async function measure(label: string, store: SqlStore): Promise<void> {
  const tenant = await store.tenants.ensure({ slug: 'bench', name: 'Bench' });
  const events = store.forTenant(tenant.id).events;
  const runs = store.forTenant(tenant.id).runs;
  const results: Record<string, number[]> = { single: [], batched: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const run = await runs.create({ goal: 'bench' });
    let seq = 0;
    const next = (): RunEvent => ({
      schemaVersion: 1,
      runId: run.id,
      seq: ++seq,
      at: new Date().toISOString(),
      type: 'text.delta',
      id: 't1',
      agentId: 'lead',
      delta: 'some streamed words ',
    });
    let started = performance.now();
    for (let index = 0; index < SINGLE; index++) await events.append([next()]);
    results.single?.push(((performance.now() - started) * 1_000) / SINGLE);
    started = performance.now();
    for (let index = 0; index < BATCHES; index++) {
      await events.append(Array.from({ length: BATCH_SIZE }, next));
    }
    results.batched?.push(((performance.now() - started) * 1_000) / BATCHES);
  }
  const best = (values: number[] | undefined): number => Math.min(...(values ?? [Number.NaN]));
  const median = (values: number[] | undefined): number =>
    [...(values ?? [])].sort((a, b) => a - b)[1] ?? Number.NaN;
  console.log(
    `${label.padEnd(24)} ${SINGLE} × 1 event: ${median(results.single).toFixed(0)} µs/tx (best ${best(results.single).toFixed(0)})` +
      `   ${BATCHES} × ${BATCH_SIZE} events: ${median(results.batched).toFixed(0)} µs/tx = ${(median(results.batched) / BATCH_SIZE).toFixed(0)} µs/event (best ${best(results.batched).toFixed(0)} µs/tx)`,
  );
}

/** The tenant-session variants, raw, on one PGlite: what each costs per transaction. */
async function compareSessions(store: SqlStore): Promise<void> {
  const tenant = await store.tenants.ensure({ slug: 'bench', name: 'Bench' });
  const run = await store.forTenant(tenant.id).runs.create({ goal: 'session bench' });
  let seq = 0;
  const insert = `INSERT INTO run_events (tenant_id, schema_version, run_id, seq, type, data, at)
                  VALUES ($1, 1, $2, $3, 'text.delta', '{"id":"t1","agentId":"lead","delta":"x"}', now())`;
  const variants: Record<string, () => Promise<void>> = {
    'one set_config x2 query': () =>
      store.database.transaction(async (tx) => {
        await tx.query(
          `SELECT set_config('role', 'aether_app', true), set_config('app.tenant_id', $1, true)`,
          [tenant.id],
        );
        await tx.query(insert, [tenant.id, run.id, ++seq]);
      }),
    'SET LOCAL ROLE + set_config': () =>
      store.database.transaction(async (tx) => {
        await tx.exec('SET LOCAL ROLE aether_app');
        await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant.id]);
        await tx.query(insert, [tenant.id, run.id, ++seq]);
      }),
    'inlined uuid, simple query': () =>
      store.database.transaction(async (tx) => {
        await tx.exec(
          `SELECT set_config('role', 'aether_app', true), set_config('app.tenant_id', '${tenant.id}', true)`,
        );
        await tx.query(insert, [tenant.id, run.id, ++seq]);
      }),
    'no session (owner, no RLS)': () =>
      store.database.transaction(async (tx) => {
        await tx.query(insert, [tenant.id, run.id, ++seq]);
      }),
  };
  const timings: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const started = performance.now();
      for (let index = 0; index < 500; index++) await variant();
      const values = timings[name] ?? [];
      values.push(((performance.now() - started) * 1_000) / 500);
      timings[name] = values;
    }
  }
  for (const [name, values] of Object.entries(timings)) {
    console.log(`  session: ${name.padEnd(28)} ${Math.min(...values).toFixed(0)} µs/tx (best of ${ROUNDS})`);
  }
}

const home = await mkdtemp(join(tmpdir(), 'aether-bench-'));
try {
  const onDisk = await openStore({ dataDir: join(home, 'db') });
  await measure('PGlite, data dir', onDisk);
  await compareSessions(onDisk);
  await onDisk.close();

  const inMemory = await openStore({ memory: true });
  await measure('PGlite, memory', inMemory);
  await inMemory.close();

  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl !== undefined && adminUrl !== '') {
    const database = await createTemporaryDatabase(adminUrl);
    try {
      const server = await openStore({ databaseUrl: database.url });
      await measure('PostgreSQL server', server);
      await server.close();
    } finally {
      await database.drop();
    }
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
