/** A request to execute (or finish) one run. At-least-once: executing a job twice is safe. */
export interface RunJob {
  tenantId: string;
  runId: string;
}

/** Where `POST /v1/runs` puts its jobs: the in-process pool, or BullMQ on Redis. */
export interface RunQueue {
  /** Enqueues a job; a job for a run already waiting is not added twice. */
  enqueue(job: RunJob): Promise<void>;
  /** Jobs waiting for a worker. */
  depth(): Promise<number>;
  close(): Promise<void>;
}

/** Redis connection options of BullMQ from a `redis://` URL. */
export function redisConnection(url: string): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  maxRetriesPerRequest: null;
} {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    maxRetriesPerRequest: null,
  };
}
