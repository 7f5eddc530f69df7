/**
 * The source of time for the engine. Inject a fixed or stepping clock in tests instead of
 * mocking `Date`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
