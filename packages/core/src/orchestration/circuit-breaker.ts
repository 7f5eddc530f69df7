/**
 * Per-agent circuit breakers: an agent that keeps failing is taken out of routing for a
 * while, so work escalates or goes to another agent instead of failing again.
 *
 * ```
 * closed ──(threshold failures within windowMs)──▶ open ──(cooldownMs)──▶ half-open
 *   ▲                                               ▲                        │
 *   └──────────────── trial succeeds ───────────────┼────────────────────────┤
 *                                                   └──── trial fails ───────┘
 * ```
 */
import { type Clock, systemClock } from '../contracts/clock.ts';
import { AetherError } from '../errors.ts';

/**
 * Where a breaker stands: `closed` (the agent takes work), `open` (it does not, until the
 * cooldown ends), `half-open` (the cooldown ended: one trial is allowed).
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Limits of a {@link CircuitBreaker}; the `escalation` settings group has the same names. */
export interface CircuitBreakerOptions {
  /** Failures within `windowMs` that open the breaker (`escalation.threshold`). */
  threshold: number;
  /** The window failures are counted in, in ms (`escalation.windowMs`). */
  windowMs: number;
  /** How long an open breaker stays open before a trial, in ms (`escalation.cooldownMs`). */
  cooldownMs: number;
  /** The source of time (default: the wall clock). */
  clock?: Clock;
  /** State saved by {@link CircuitBreaker.snapshot}, to carry breakers across a resume. */
  initial?: readonly BreakerSnapshot[];
}

/** What {@link CircuitBreaker.recordFailure} did. */
export interface FailureOutcome {
  /** True when this failure opened the breaker (from closed, or a failed half-open trial). */
  tripped: boolean;
  /** Failures of the agent within the window, this one included. */
  failures: number;
  /** The state after the failure. */
  state: BreakerState;
}

/** One agent's breaker as plain data, for storing with a run's checkpoint. */
export interface BreakerSnapshot {
  agentId: string;
  /** Times (ms since the epoch) of the failures still within the window. */
  failures: number[];
  /** When the breaker last opened, or `null` while closed. */
  openedAt: number | null;
}

interface BreakerRecord {
  failures: number[];
  openedAt: number | null;
  trialInFlight: boolean;
}

function checkOptions(options: CircuitBreakerOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.threshold) || options.threshold < 1)
    problems.push(`threshold: expected an integer of at least 1, got ${String(options.threshold)}`);
  if (!Number.isFinite(options.windowMs) || options.windowMs <= 0)
    problems.push(`windowMs: expected a number of milliseconds above 0, got ${String(options.windowMs)}`);
  if (!Number.isFinite(options.cooldownMs) || options.cooldownMs < 0)
    problems.push(
      `cooldownMs: expected a number of milliseconds of at least 0, got ${String(options.cooldownMs)}`,
    );
  if (problems.length > 0) {
    throw new AetherError(
      'CIRCUIT_BREAKER_OPTIONS_INVALID',
      `circuit breaker options: ${problems.join('; ')}`,
      {
        category: 'user',
        hint: 'check the escalation settings (aether config get escalation)',
      },
    );
  }
}

/**
 * Circuit breakers for many agents, one per agent id, created on first use (closed).
 *
 * `isOpen` is a pure question (what routing asks); `tryAcquire` is what a dispatcher calls
 * just before giving an agent work, so that a half-open breaker lets exactly one trial
 * through. Report the outcome with `recordSuccess` / `recordFailure`.
 *
 * Failures are counted in a sliding window: `threshold` failures within `windowMs` open
 * the breaker whatever successes came between them. A success in the half-open state
 * closes it and forgets the failures; a success reported while open (work that started
 * before the breaker opened) changes nothing.
 *
 * @example
 * const breakers = new CircuitBreaker({ ...settings.escalation, clock });
 * if (breakers.tryAcquire('coder')) {
 *   const ok = await runItem('coder');
 *   if (ok) breakers.recordSuccess('coder');
 *   else if (breakers.recordFailure('coder').tripped) emit({ type: 'escalation', … });
 * }
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #cooldownMs: number;
  readonly #clock: Clock;
  readonly #records = new Map<string, BreakerRecord>();

  constructor(options: CircuitBreakerOptions) {
    checkOptions(options);
    this.#threshold = options.threshold;
    this.#windowMs = options.windowMs;
    this.#cooldownMs = options.cooldownMs;
    this.#clock = options.clock ?? systemClock;
    for (const saved of options.initial ?? []) {
      this.#records.set(saved.agentId, {
        failures: [...saved.failures].sort((a, b) => a - b),
        openedAt: saved.openedAt,
        trialInFlight: false,
      });
    }
  }

  #record(agentId: string): BreakerRecord {
    let record = this.#records.get(agentId);
    if (record === undefined) {
      record = { failures: [], openedAt: null, trialInFlight: false };
      this.#records.set(agentId, record);
    }
    return record;
  }

  #prune(record: BreakerRecord, now: number): void {
    const since = now - this.#windowMs;
    while (record.failures.length > 0 && (record.failures[0] as number) <= since) record.failures.shift();
  }

  #stateOf(record: BreakerRecord | undefined, now: number): BreakerState {
    if (record === undefined || record.openedAt === null) return 'closed';
    return now - record.openedAt < this.#cooldownMs ? 'open' : 'half-open';
  }

  /** The state of an agent's breaker now. Unknown agents are `closed`. */
  state(agentId: string): BreakerState {
    return this.#stateOf(this.#records.get(agentId), this.#clock.now());
  }

  /**
   * True when the agent must not get work now: the breaker is open, or half-open with its
   * one trial already under way. Pure: asking does not take the trial.
   */
  isOpen(agentId: string): boolean {
    const record = this.#records.get(agentId);
    const state = this.#stateOf(record, this.#clock.now());
    return state === 'open' || (state === 'half-open' && record?.trialInFlight === true);
  }

  /**
   * Asks to give the agent work: true while closed; in the half-open state true once (the
   * trial), then false until the trial's outcome is recorded; false while open.
   */
  tryAcquire(agentId: string): boolean {
    const record = this.#record(agentId);
    const state = this.#stateOf(record, this.#clock.now());
    if (state === 'closed') return true;
    if (state === 'open' || record.trialInFlight) return false;
    record.trialInFlight = true;
    return true;
  }

  /** Records a failure of the agent and says whether it opened the breaker. */
  recordFailure(agentId: string): FailureOutcome {
    const now = this.#clock.now();
    const record = this.#record(agentId);
    const before = this.#stateOf(record, now);
    this.#prune(record, now);
    record.failures.push(now);
    let tripped = false;
    if (before === 'half-open' || (before === 'closed' && record.failures.length >= this.#threshold)) {
      record.openedAt = now;
      tripped = true;
    }
    record.trialInFlight = false;
    return { tripped, failures: record.failures.length, state: this.#stateOf(record, now) };
  }

  /** Records a success: closes a half-open breaker (forgetting its failures); otherwise no change. */
  recordSuccess(agentId: string): void {
    const record = this.#records.get(agentId);
    if (record === undefined) return;
    if (this.#stateOf(record, this.#clock.now()) === 'half-open') {
      record.openedAt = null;
      record.failures = [];
    }
    record.trialInFlight = false;
  }

  /** Failures of the agent within the window now. */
  failures(agentId: string): number {
    const record = this.#records.get(agentId);
    if (record === undefined) return 0;
    this.#prune(record, this.#clock.now());
    return record.failures.length;
  }

  /** Closes the agent's breaker and forgets its failures (e.g. after its definition was fixed). */
  reset(agentId: string): void {
    this.#records.delete(agentId);
  }

  /** Every breaker that is not closed or has failures in its window, by agent id. */
  snapshot(): BreakerSnapshot[] {
    const now = this.#clock.now();
    const saved: BreakerSnapshot[] = [];
    for (const [agentId, record] of [...this.#records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      this.#prune(record, now);
      if (record.openedAt === null && record.failures.length === 0) continue;
      saved.push({ agentId, failures: [...record.failures], openedAt: record.openedAt });
    }
    return saved;
  }
}
