import { describe, expect, it } from 'vitest';
import type { Clock } from '../contracts/clock.ts';
import { isAetherError } from '../errors.ts';
import { type BudgetWarning, LoopDetector, RunBudget, StallDetector, type StallTimer } from './progress.ts';

function fakeClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** A timer driven by the fake clock: `advance` moves time and fires what is due. */
function fakeTimer(clock: ReturnType<typeof fakeClock>) {
  let nextId = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timer: StallTimer & { advance(ms: number): void; readonly pending: number } = {
    set(callback, delayMs) {
      nextId++;
      pending.set(nextId, { at: clock.now() + delayMs, callback });
      return nextId;
    },
    clear(handle) {
      pending.delete(handle as number);
    },
    advance(ms) {
      const end = clock.now() + ms;
      for (;;) {
        const due = [...pending].filter(([, entry]) => entry.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        pending.delete(due[0]);
        clock.advance(due[1].at - clock.now());
        due[1].callback();
      }
      clock.advance(end - clock.now());
    },
    get pending() {
      return pending.size;
    },
  };
  return timer;
}

describe('RunBudget', () => {
  it('warns once at 80 % of the tokens and reports exceeded at 100 %', () => {
    const warnings: BudgetWarning[] = [];
    const budget = new RunBudget({
      tokenLimit: 1_000,
      timeLimitMs: 60_000,
      warningRatio: 0.8,
      clock: fakeClock(),
      onWarning: (warning) => warnings.push(warning),
    });
    expect(budget.add(500)).toBe('ok');
    expect(budget.add(299)).toBe('ok');
    expect(warnings).toEqual([]);
    expect(budget.add(1)).toEqual({ warning: 'tokens', used: 800, limit: 1_000, ratio: 0.8 });
    expect(warnings).toEqual([{ warning: 'tokens', used: 800, limit: 1_000, ratio: 0.8 }]);
    expect(budget.add(100)).toMatchObject({ warning: 'tokens', used: 900 });
    expect(warnings).toHaveLength(1);
    expect(budget.add(100)).toEqual({ exceeded: 'tokens', used: 1_000, limit: 1_000 });
    expect(budget.check()).toEqual({ exceeded: 'tokens', used: 1_000, limit: 1_000 });
    expect(budget.remainingTokens).toBe(0);
    expect(warnings).toHaveLength(1);
  });

  it('warns and exceeds on time with the clock', () => {
    const clock = fakeClock(5_000);
    const warnings: BudgetWarning[] = [];
    const budget = new RunBudget({
      tokenLimit: Number.POSITIVE_INFINITY,
      timeLimitMs: 10_000,
      warningRatio: 0.8,
      clock,
      onWarning: (warning) => warnings.push(warning),
    });
    clock.advance(7_999);
    expect(budget.check()).toBe('ok');
    clock.advance(1);
    expect(budget.check()).toEqual({ warning: 'time', used: 8_000, limit: 10_000, ratio: 0.8 });
    clock.advance(2_000);
    expect(budget.check()).toEqual({ exceeded: 'time', used: 10_000, limit: 10_000 });
    expect(warnings.map((warning) => warning.warning)).toEqual(['time']);
  });

  it('fires the warning even when one step jumps past the limit, and carries usage across a resume', () => {
    const warnings: BudgetWarning[] = [];
    const budget = new RunBudget({
      tokenLimit: 1_000,
      timeLimitMs: 10_000,
      warningRatio: 0.8,
      clock: fakeClock(),
      usedTokens: 100,
      elapsedMs: 1_000,
      onWarning: (warning) => warnings.push(warning),
    });
    expect(budget.usedTokens).toBe(100);
    expect(budget.elapsedMs).toBe(1_000);
    expect(budget.add(5_000)).toEqual({ exceeded: 'tokens', used: 5_100, limit: 1_000 });
    expect(warnings).toHaveLength(1);
  });

  it('refuses bad limits and amounts', () => {
    expect(() => new RunBudget({ tokenLimit: 0, timeLimitMs: 1, warningRatio: 0.8 })).toThrow(
      /tokenLimit: expected a number above 0/,
    );
    const budget = new RunBudget({ tokenLimit: 10, timeLimitMs: 10, warningRatio: 0.8 });
    let caught: unknown;
    try {
      budget.add(-1);
    } catch (error) {
      caught = error;
    }
    expect(isAetherError(caught, 'RUN_BUDGET_INVALID')).toBe(true);
  });
});

describe('LoopDetector', () => {
  const options = { window: 4, similarityThreshold: 0.9 };

  it('detects the same output again and again, once', () => {
    const loops = new LoopDetector(options);
    const outputs = [
      'Searching the web for X (try 1)',
      'Searching the web for X (try 2)',
      'searching the web for x (try 3)',
    ];
    for (const output of outputs) expect(loops.record('coder', output)).toEqual({ loop: false });
    const check = loops.record('coder', 'Searching the web for X (try 4)');
    expect(check).toMatchObject({ loop: true, agentId: 'coder', period: 1, outputs: 4 });
    expect(check.loop && check.similarity).toBe(1);
    expect(loops.record('coder', 'Searching the web for X (try 5)')).toEqual({ loop: false });
  });

  it('detects two outputs taking turns', () => {
    const loops = new LoopDetector(options);
    const a = 'Calling read_file on src/index.ts to look for the export.';
    const b = 'The file does not have it; calling list_files on src.';
    expect(loops.record('coder', a).loop).toBe(false);
    expect(loops.record('coder', b).loop).toBe(false);
    expect(loops.record('coder', a).loop).toBe(false);
    expect(loops.record('coder', b)).toMatchObject({ loop: true, period: 2 });
  });

  it('keeps agents apart and ignores outputs that change', () => {
    const loops = new LoopDetector(options);
    for (let index = 0; index < 3; index++) loops.record('coder', 'same text');
    expect(loops.record('writer', 'same text').loop).toBe(false);
    const steps = [
      'Read the spec and listed the three endpoints.',
      'Wrote the handler for GET /users with pagination.',
      'Added tests for the handler; two fail on the cursor.',
      'Fixed the cursor encoding; all tests pass now.',
    ];
    const fresh = new LoopDetector(options);
    for (const step of steps) expect(fresh.record('coder', step).loop).toBe(false);
  });

  it('forgets an agent on reset', () => {
    const loops = new LoopDetector(options);
    for (let index = 0; index < 3; index++) loops.record('coder', 'same text');
    loops.reset('coder');
    expect(loops.record('coder', 'same text').loop).toBe(false);
  });

  it('refuses a window below 2', () => {
    expect(() => new LoopDetector({ window: 1, similarityThreshold: 0.9 })).toThrow(
      /window: expected an integer of at least 2/,
    );
  });
});

describe('StallDetector', () => {
  it('calls back after the timeout without progress, once', () => {
    const clock = fakeClock(1_000);
    const timer = fakeTimer(clock);
    const stalls: { idleMs: number; lastProgressAt: number }[] = [];
    const stall = new StallDetector({
      timeoutMs: 120_000,
      onStall: (info) => stalls.push(info),
      clock,
      timer,
    });
    timer.advance(119_999);
    expect(stalls).toEqual([]);
    timer.advance(1);
    expect(stalls).toEqual([{ idleMs: 120_000, lastProgressAt: 1_000 }]);
    expect(stall.stalled).toBe(true);
    timer.advance(500_000);
    expect(stalls).toHaveLength(1);
  });

  it('is reset by progress and re-armed after a stall', () => {
    const clock = fakeClock();
    const timer = fakeTimer(clock);
    let stalls = 0;
    const stall = new StallDetector({ timeoutMs: 1_000, onStall: () => stalls++, clock, timer });
    timer.advance(900);
    stall.progress();
    timer.advance(900);
    expect(stalls).toBe(0);
    timer.advance(100);
    expect(stalls).toBe(1);
    stall.reset();
    expect(stall.stalled).toBe(false);
    timer.advance(1_000);
    expect(stalls).toBe(2);
  });

  it('does nothing after stop and leaves no timer behind', () => {
    const clock = fakeClock();
    const timer = fakeTimer(clock);
    let stalls = 0;
    const stall = new StallDetector({ timeoutMs: 1_000, onStall: () => stalls++, clock, timer });
    stall.stop();
    expect(timer.pending).toBe(0);
    stall.progress();
    timer.advance(10_000);
    expect(stalls).toBe(0);
    expect(stall.stopped).toBe(true);
  });

  it('re-arms for the remaining time when the timer fires early', () => {
    const clock = fakeClock();
    let fire: (() => void) | undefined;
    const delays: number[] = [];
    const timer: StallTimer = {
      set(callback, delayMs) {
        fire = callback;
        delays.push(delayMs);
        return delays.length;
      },
      clear() {},
    };
    let stalls = 0;
    new StallDetector({ timeoutMs: 1_000, onStall: () => stalls++, clock, timer });
    clock.advance(400);
    fire?.();
    expect(stalls).toBe(0);
    expect(delays).toEqual([1_000, 600]);
  });

  it('hands an error of the callback to onError', () => {
    const clock = fakeClock();
    const timer = fakeTimer(clock);
    const errors: unknown[] = [];
    new StallDetector({
      timeoutMs: 10,
      onStall: () => {
        throw new Error('sink closed');
      },
      onError: (error) => errors.push(error),
      clock,
      timer,
    });
    timer.advance(10);
    expect(errors).toHaveLength(1);
  });

  it('works with the real timer without keeping the process alive', async () => {
    const stalled = await new Promise<boolean>((resolve) => {
      const stall = new StallDetector({ timeoutMs: 5, onStall: () => resolve(true) });
      setTimeout(() => {
        stall.stop();
        resolve(false);
      }, 1_000);
    });
    expect(stalled).toBe(true);
  });
});
