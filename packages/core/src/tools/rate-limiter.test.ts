import { describe, expect, it } from 'vitest';
import { InMemoryRateLimiter } from './rate-limiter.ts';

function fakeTime() {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    waits,
  };
}

describe('token bucket rate limiter', () => {
  const signal = new AbortController().signal;

  it('allows a burst, then waits for a token when the wait is short, and denies when it is long', async () => {
    const time = fakeTime();
    const limiter = new InMemoryRateLimiter({ clock: time.clock, sleep: time.sleep });
    const limit = { perMinute: 60, burst: 2 };
    expect(await limiter.acquire('t:x', limit, 5_000, signal)).toEqual({ ok: true, waitedMs: 0 });
    expect(await limiter.acquire('t:x', limit, 5_000, signal)).toEqual({ ok: true, waitedMs: 0 });
    expect(await limiter.acquire('t:x', limit, 5_000, signal)).toEqual({ ok: true, waitedMs: 1_000 });
    expect(await limiter.acquire('t:x', limit, 500, signal)).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(time.waits).toEqual([1_000]);
    // Another key has its own bucket.
    expect(await limiter.acquire('t:y', limit, 0, signal)).toEqual({ ok: true, waitedMs: 0 });
    time.advance(10_000);
    expect(await limiter.acquire('t:x', limit, 0, signal)).toEqual({ ok: true, waitedMs: 0 });
    expect(await limiter.acquire('t:x', limit, 0, signal)).toEqual({ ok: true, waitedMs: 0 });
    expect((await limiter.acquire('t:x', limit, 0, signal)).ok).toBe(false);
  });

  it('queues concurrent waiters one token apart', async () => {
    const time = fakeTime();
    const limiter = new InMemoryRateLimiter({
      clock: time.clock,
      sleep: async (ms) => void time.waits.push(ms),
    });
    const limit = { perMinute: 60, burst: 1 };
    const results = await Promise.all([1, 2, 3].map(() => limiter.acquire('k', limit, 10_000, signal)));
    expect(results.map((result) => (result.ok ? result.waitedMs : -1))).toEqual([0, 1_000, 2_000]);
  });
});
