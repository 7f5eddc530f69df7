import { describe, expect, it } from 'vitest';
import type { Clock } from '../contracts/clock.ts';
import { isAetherError } from '../errors.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const OPTIONS = { threshold: 3, windowMs: 60_000, cooldownMs: 30_000 };

describe('CircuitBreaker', () => {
  it('trips after threshold failures within the window', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    expect(breakers.recordFailure('coder')).toEqual({ tripped: false, failures: 1, state: 'closed' });
    clock.advance(10_000);
    expect(breakers.recordFailure('coder')).toEqual({ tripped: false, failures: 2, state: 'closed' });
    expect(breakers.isOpen('coder')).toBe(false);
    clock.advance(10_000);
    expect(breakers.recordFailure('coder')).toEqual({ tripped: true, failures: 3, state: 'open' });
    expect(breakers.isOpen('coder')).toBe(true);
    expect(breakers.state('coder')).toBe('open');
    expect(breakers.tryAcquire('coder')).toBe(false);
    expect(breakers.isOpen('writer')).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    breakers.recordFailure('coder');
    breakers.recordFailure('coder');
    clock.advance(60_000);
    expect(breakers.failures('coder')).toBe(0);
    expect(breakers.recordFailure('coder')).toEqual({ tripped: false, failures: 1, state: 'closed' });
  });

  it('is half-open after the cooldown: one trial, success closes', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    for (let index = 0; index < 3; index++) breakers.recordFailure('coder');
    clock.advance(29_999);
    expect(breakers.state('coder')).toBe('open');
    clock.advance(1);
    expect(breakers.state('coder')).toBe('half-open');
    expect(breakers.isOpen('coder')).toBe(false);
    expect(breakers.tryAcquire('coder')).toBe(true);
    expect(breakers.isOpen('coder')).toBe(true);
    expect(breakers.tryAcquire('coder')).toBe(false);
    breakers.recordSuccess('coder');
    expect(breakers.state('coder')).toBe('closed');
    expect(breakers.failures('coder')).toBe(0);
    expect(breakers.tryAcquire('coder')).toBe(true);
  });

  it('re-opens when the half-open trial fails', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    for (let index = 0; index < 3; index++) breakers.recordFailure('coder');
    clock.advance(30_000);
    expect(breakers.tryAcquire('coder')).toBe(true);
    const outcome = breakers.recordFailure('coder');
    expect(outcome.tripped).toBe(true);
    expect(outcome.state).toBe('open');
    clock.advance(29_000);
    expect(breakers.isOpen('coder')).toBe(true);
    clock.advance(1_000);
    expect(breakers.state('coder')).toBe('half-open');
  });

  it('does not re-trip on failures reported while open, and ignores late successes', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    for (let index = 0; index < 3; index++) breakers.recordFailure('coder');
    expect(breakers.recordFailure('coder').tripped).toBe(false);
    breakers.recordSuccess('coder');
    expect(breakers.state('coder')).toBe('open');
  });

  it('counts failures in a sliding window even with successes between', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    breakers.recordFailure('coder');
    breakers.recordSuccess('coder');
    breakers.recordFailure('coder');
    breakers.recordSuccess('coder');
    expect(breakers.recordFailure('coder').tripped).toBe(true);
  });

  it('saves and restores its state for a resumed run', () => {
    const clock = fakeClock();
    const breakers = new CircuitBreaker({ ...OPTIONS, clock });
    for (let index = 0; index < 3; index++) breakers.recordFailure('coder');
    breakers.recordFailure('writer');
    const saved = breakers.snapshot();
    expect(saved.map((entry) => entry.agentId)).toEqual(['coder', 'writer']);
    const restored = new CircuitBreaker({ ...OPTIONS, clock, initial: JSON.parse(JSON.stringify(saved)) });
    expect(restored.state('coder')).toBe('open');
    expect(restored.failures('writer')).toBe(1);
    restored.reset('coder');
    expect(restored.state('coder')).toBe('closed');
  });

  it('refuses options out of range with a readable error', () => {
    let caught: unknown;
    try {
      new CircuitBreaker({ threshold: 0, windowMs: -1, cooldownMs: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isAetherError(caught, 'CIRCUIT_BREAKER_OPTIONS_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('threshold: expected an integer of at least 1, got 0');
    expect((caught as Error).message).toContain('windowMs');
  });
});
