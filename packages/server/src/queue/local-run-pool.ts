import type { RunExecutor } from './run-executor.ts';
import type { RunJob, RunQueue } from './run-queue.ts';

/**
 * The embedded mode's queue and workers in one: jobs wait in memory and `concurrency` of
 * them execute at once in this process. The runs table is the durable part: queued and
 * orphaned runs are enqueued again at start (`recoverRuns`).
 */
export class LocalRunPool implements RunQueue {
  readonly #executor: RunExecutor;
  readonly #concurrency: number;
  readonly #waiting: RunJob[] = [];
  readonly #known = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(executor: RunExecutor, concurrency: number) {
    this.#executor = executor;
    this.#concurrency = concurrency;
  }

  async enqueue(job: RunJob): Promise<void> {
    if (this.#closed || this.#known.has(job.runId)) return;
    this.#known.add(job.runId);
    this.#waiting.push(job);
    this.#pump();
  }

  async depth(): Promise<number> {
    return this.#waiting.length;
  }

  /** Jobs executing now. */
  get active(): number {
    return this.#running.size;
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#concurrency) {
      const job = this.#waiting.shift();
      if (job === undefined) return;
      const work: Promise<void> = this.#executor
        .execute(job)
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.#running.delete(work);
          this.#known.delete(job.runId);
          this.#pump();
        });
      this.#running.add(work);
    }
  }

  /** Stops taking jobs; runs in progress are left to finish or to be resumed at the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
  }

  /** Resolves when nothing waits or executes (tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0 || this.#waiting.length > 0) await Promise.race(this.#running);
  }
}
