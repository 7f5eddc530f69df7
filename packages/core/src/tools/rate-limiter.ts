import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../contracts/clock.ts';

/** A rate: `perMinute` calls on average, up to `burst` at once. */
export interface RateLimit {
  perMinute: number;
  burst: number;
}

/** What {@link RateLimiter.acquire} decided. */
export type RateDecision = { ok: true; waitedMs: number } | { ok: false; retryAfterMs: number };

/**
 * Token buckets keyed by tenant and tool. The embedded default keeps them in memory; a
 * distributed deployment keeps them in Redis behind the same interface.
 */
export interface RateLimiter {
  /**
   * Takes one token from `key`'s bucket, waiting up to `maxWaitMs` for it. When the wait
   * would be longer, nothing is taken and the decision says when to try again.
   */
  acquire(key: string, limit: RateLimit, maxWaitMs: number, signal: AbortSignal): Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Options of {@link InMemoryRateLimiter}. */
export interface InMemoryRateLimiterOptions {
  clock: Clock;
  /** Waits `ms` (tests pass one that advances a fake clock). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Token buckets in this process's memory. A caller that must wait reserves its token first
 * (the bucket may go below zero), so concurrent callers queue fairly instead of racing.
 */
export class InMemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: Clock;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(options: InMemoryRateLimiterOptions) {
    this.#clock = options.clock;
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  }

  async acquire(
    key: string,
    limit: RateLimit,
    maxWaitMs: number,
    signal: AbortSignal,
  ): Promise<RateDecision> {
    const now = this.#clock.now();
    const perMs = limit.perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, waitedMs: 0 };
    }
    const waitMs = Math.ceil((1 - bucket.tokens) / perMs);
    if (waitMs > maxWaitMs) return { ok: false, retryAfterMs: waitMs };
    bucket.tokens -= 1;
    try {
      await this.#sleep(waitMs, signal);
    } catch (error) {
      bucket.tokens += 1;
      throw error;
    }
    return { ok: true, waitedMs: waitMs };
  }
}
