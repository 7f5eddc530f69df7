import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AetherError, type Environment, loadSettings, type Settings, systemClock } from '@aether/core';
import {
  createAccountDirectory,
  type DatabaseOptions,
  type MigrationReport,
  migrate,
  openDatabase,
  openStore,
  readMigrations,
  type SqlStore,
} from '@aether/store';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { createApp } from './app/create-app.ts';
import type { ServerContext } from './app/server-context.ts';
import { createTokenSigner, loadJwtKey } from './auth/tokens.ts';
import { createBullRunQueue, startBullRunWorker } from './queue/bullmq-run-queue.ts';
import { LocalRunPool } from './queue/local-run-pool.ts';
import { RunExecutor } from './queue/run-executor.ts';
import type { RunQueue } from './queue/run-queue.ts';
import { createLocalEventBus, createRedisEventBus, type EventBus } from './streams/event-bus.ts';
import { loadServerMasterKeys } from './wiring/master-keys.ts';

/** Where a server or worker runs and with what. */
export interface ServeOptions {
  env: Environment;
  /** `$AETHER_HOME`: settings, the embedded database, keys, blobs. */
  home: string;
  /** Settings to use instead of `$AETHER_HOME/settings.json`. */
  settings?: Settings;
  port?: number;
  host?: string;
  /** Open this database instead of the one `env` names (tests: `{ memory: true }`). */
  database?: DatabaseOptions;
  /** Pino logging; false for none. */
  logger?: boolean | { level: string };
  /** Embedded mode: execute runs in this process (default true). */
  runWorkers?: boolean;
  /** BullMQ key prefix (default `AETHER_QUEUE_PREFIX`, else BullMQ's `bull`); deployments sharing a Redis keep apart with it. */
  queuePrefix?: string;
}

/** A listening server. */
export interface RunningServer {
  app: FastifyInstance;
  context: ServerContext;
  /** `http://host:port`. */
  url: string;
  /** The embedded worker pool, when this process executes runs. */
  pool: LocalRunPool | undefined;
  close(): Promise<void>;
}

function variable(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

async function migrationsCurrent(store: SqlStore): Promise<boolean> {
  const files = await readMigrations();
  const newest = files.reduce((max, file) => Math.max(max, file.version), 0);
  const [row] = await store.database.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return Number(row?.version ?? 0) >= newest;
}

async function openServerStore(options: ServeOptions, distributed: boolean): Promise<SqlStore> {
  const databaseUrl = variable(options.env, 'DATABASE_URL');
  if (options.database !== undefined) return openStore(options.database);
  if (databaseUrl !== undefined) return openStore({ databaseUrl, migrate: !distributed });
  await mkdir(options.home, { recursive: true });
  return openStore({ dataDir: join(options.home, 'db') });
}

/**
 * `aether serve`. With no configuration: PGlite in `$AETHER_HOME/db`, an in-process worker
 * pool and event bus, everything in one process, unfinished runs resumed at start. With
 * `DATABASE_URL` and `REDIS_URL`: the PostgreSQL server (migrated by `aether migrate`),
 * BullMQ on Redis for jobs (executed by `aether worker` processes) and Redis pub/sub for
 * live events; this process runs no runs.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const redisUrl = variable(options.env, 'REDIS_URL');
  const distributed =
    redisUrl !== undefined &&
    (variable(options.env, 'DATABASE_URL') !== undefined || options.database?.databaseUrl !== undefined);
  const settings = options.settings ?? (await loadSettings(join(options.home, 'settings.json')));
  const store = await openServerStore(options, distributed);
  const closers: Array<() => Promise<unknown>> = [() => store.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
  };
  try {
    const key = await loadJwtKey(variable(options.env, 'AETHER_JWT_SECRET'), join(options.home, 'jwt.key'));
    const masterKeys = await loadServerMasterKeys(options.env, options.home, !distributed);
    // Rate limits are shared through Redis whenever there is one, even in the embedded mode.
    const redis = redisUrl === undefined ? undefined : new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    if (redis !== undefined) {
      redis.on('error', () => {});
      closers.push(() => redis.quit());
    }
    const bus: EventBus =
      distributed && redisUrl !== undefined ? createRedisEventBus(redisUrl) : createLocalEventBus();
    closers.push(() => bus.close());
    let pool: LocalRunPool | undefined;
    let queue: RunQueue;
    let executor: RunExecutor | undefined;
    if (distributed && redisUrl !== undefined) {
      queue = createBullRunQueue(
        redisUrl,
        options.queuePrefix ?? variable(options.env, 'AETHER_QUEUE_PREFIX'),
      );
    } else {
      executor = new RunExecutor({
        store,
        settings,
        env: options.env,
        home: options.home,
        bus,
        masterKeys,
        onError: (message) => process.stderr.write(`aether serve: ${message}\n`),
      });
      pool = new LocalRunPool(executor, options.runWorkers === false ? 0 : settings.server.workerConcurrency);
      queue = pool;
      const started = executor;
      closers.push(() => started.close());
    }
    closers.push(() => queue.close());
    const context: ServerContext = {
      store,
      accounts: createAccountDirectory(store),
      settings,
      tokens: createTokenSigner(key, settings.server.tokenTtlMs),
      bus,
      queue,
      masterKeys,
      clock: systemClock,
      mode: distributed ? 'distributed' : 'embedded',
      migrationsCurrent: () => migrationsCurrent(store),
      logger: options.logger ?? false,
      ...(redis === undefined ? {} : { redis }),
    };
    const app = await createApp(context);
    closers.push(() => app.close());
    const address = await app.listen({
      port: options.port ?? settings.server.port,
      host: options.host ?? settings.server.host,
    });
    if (pool !== undefined && options.runWorkers !== false) {
      for (const run of await context.accounts.unfinishedRuns(100_000))
        await pool.enqueue({ tenantId: run.tenantId, runId: run.id });
    }
    return { app, context, url: address, pool, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A running `aether worker`. */
export interface RunningWorker {
  executor: RunExecutor;
  close(): Promise<void>;
}

/**
 * `aether worker`: executes runs from the BullMQ queue (any number of them, on any host).
 * Needs `DATABASE_URL` and `REDIS_URL`. At start it queues every unfinished run again (a job
 * lost with a dead worker's Redis state, or a run queued while no queue was reachable); the
 * job id is the run id, so nothing is queued twice.
 */
export async function startWorker(options: ServeOptions): Promise<RunningWorker> {
  const redisUrl = variable(options.env, 'REDIS_URL');
  const databaseUrl = variable(options.env, 'DATABASE_URL') ?? options.database?.databaseUrl;
  if (redisUrl === undefined || databaseUrl === undefined) {
    throw new AetherError('WORKER_NEEDS_SERVERS', 'aether worker needs DATABASE_URL and REDIS_URL', {
      category: 'user',
      hint: 'the embedded mode (aether serve without them) executes runs in the server process',
    });
  }
  const settings = options.settings ?? (await loadSettings(join(options.home, 'settings.json')));
  const store = await openStore({ databaseUrl, migrate: false });
  const closers: Array<() => Promise<unknown>> = [() => store.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
  };
  try {
    const bus = createRedisEventBus(redisUrl);
    closers.push(() => bus.close());
    const executor = new RunExecutor({
      store,
      settings,
      env: options.env,
      home: options.home,
      bus,
      masterKeys: await loadServerMasterKeys(options.env, options.home, false),
      onError: (message) => process.stderr.write(`aether worker: ${message}\n`),
    });
    closers.push(() => executor.close());
    const prefix = options.queuePrefix ?? variable(options.env, 'AETHER_QUEUE_PREFIX');
    const queue = createBullRunQueue(redisUrl, prefix);
    closers.push(() => queue.close());
    const worker = startBullRunWorker({
      url: redisUrl,
      executor,
      concurrency: settings.server.workerConcurrency,
      lockMs: settings.server.queueLockMs,
      ...(prefix === undefined ? {} : { prefix }),
    });
    closers.push(() => worker.close());
    for (const run of await createAccountDirectory(store).unfinishedRuns(100_000))
      await queue.enqueue({ tenantId: run.tenantId, runId: run.id });
    return { executor, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `aether migrate`: applies pending migrations to `DATABASE_URL` (or the embedded database). */
export async function runMigrations(options: Pick<ServeOptions, 'env' | 'home'>): Promise<MigrationReport> {
  const databaseUrl = variable(options.env, 'DATABASE_URL');
  if (databaseUrl === undefined) await mkdir(options.home, { recursive: true });
  const database = await openDatabase(
    databaseUrl === undefined ? { dataDir: join(options.home, 'db') } : { databaseUrl },
  );
  try {
    return await migrate(database);
  } finally {
    await database.close();
  }
}
