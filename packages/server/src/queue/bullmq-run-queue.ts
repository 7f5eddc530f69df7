import { Queue, Worker } from 'bullmq';
import type { RunExecutor } from './run-executor.ts';
import { type RunJob, type RunQueue, redisConnection } from './run-queue.ts';

/** The BullMQ queue of runs. */
export const RUN_QUEUE_NAME = 'aether-runs';

/**
 * The distributed mode's queue: BullMQ on Redis. The job id is the run id, so a run waiting
 * or executing is never queued twice; finished jobs are removed so a run left unfinished
 * can be queued again by the recovery scan.
 */
export function createBullRunQueue(url: string, prefix?: string): RunQueue {
  const queue = new Queue<RunJob>(RUN_QUEUE_NAME, {
    connection: redisConnection(url),
    ...(prefix === undefined ? {} : { prefix }),
  });
  queue.on('error', () => {});
  return {
    async enqueue(job) {
      await queue.add('run', job, {
        jobId: job.runId,
        removeOnComplete: true,
        removeOnFail: true,
        attempts: 20,
        backoff: { type: 'exponential', delay: 1_000 },
      });
    },
    async depth() {
      const counts = await queue.getJobCounts('wait', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(counts).reduce((sum, value) => sum + value, 0);
    },
    close: () => queue.close(),
  };
}

/** Options of {@link startBullRunWorker}. */
export interface BullRunWorkerOptions {
  url: string;
  executor: RunExecutor;
  concurrency: number;
  /** A job whose worker stopped renewing its lock this long goes to another worker. */
  lockMs: number;
  prefix?: string;
}

/**
 * Consumes the run queue: each job executes (or finishes) its run with the executor. A job
 * whose worker died is redelivered after its lock expires; the executor then takes the run
 * over from the dead owner and resumes it from its checkpoints.
 */
export function startBullRunWorker(options: BullRunWorkerOptions): { close(): Promise<void> } {
  const worker = new Worker<RunJob>(
    RUN_QUEUE_NAME,
    async (job) => {
      await options.executor.execute(job.data);
    },
    {
      connection: redisConnection(options.url),
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(1_000, Math.floor(options.lockMs / 2)),
      maxStalledCount: 1_000,
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    },
  );
  worker.on('error', () => {});
  return { close: () => worker.close() };
}
