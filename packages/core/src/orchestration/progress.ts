/**
 * Watching a run's progress: budgets of tokens and time ({@link RunBudget}), agents
 * repeating themselves ({@link LoopDetector}) and runs that stop moving
 * ({@link StallDetector}). Limits come from the `execution` and `progress` settings groups
 * as parameters; time comes from an injected clock (and timer), so tests never sleep.
 */
import { type Clock, systemClock } from '../contracts/clock.ts';
import { AetherError } from '../errors.ts';
import { normalizeText, textSimilarity } from './text-similarity.ts';

/** The budgets a run has. */
export type BudgetKind = 'tokens' | 'time';

/** A budget past its warning ratio but not used up. */
export interface BudgetWarning {
  warning: BudgetKind;
  /** Tokens, or milliseconds for `time`. */
  used: number;
  limit: number;
  /** `used / limit`. */
  ratio: number;
}

/** A budget used up (`used >= limit`). */
export interface BudgetExceeded {
  exceeded: BudgetKind;
  used: number;
  limit: number;
}

/** What {@link RunBudget.check} says: all is well, a warning, or a budget used up. */
export type BudgetStatus = 'ok' | BudgetWarning | BudgetExceeded;

/** Options of {@link RunBudget}. */
export interface RunBudgetOptions {
  /** Tokens the run may spend (`execution.tokenBudget`); `Infinity` for no limit. */
  tokenLimit: number;
  /** Time the run may take, in ms (`execution.timeBudgetMs`); `Infinity` for no limit. */
  timeLimitMs: number;
  /** Share of a budget at which the warning fires (`progress.budgetWarningRatio`). */
  warningRatio: number;
  /** Called once per budget kind, the first time its use reaches `warningRatio`. */
  onWarning?: (warning: BudgetWarning) => void;
  clock?: Clock;
  /** Tokens already spent, when a run resumes. */
  usedTokens?: number;
  /** Time already used, in ms, when a run resumes (the clock counts from construction). */
  elapsedMs?: number;
}

function invalidBudget(field: string, expected: string, got: unknown): AetherError {
  return new AetherError(
    'RUN_BUDGET_INVALID',
    `run budget: ${field}: expected ${expected}, got ${String(got)}`,
    {
      category: 'user',
    },
  );
}

function checkLimit(field: string, value: number): void {
  if (!(value > 0) || Number.isNaN(value))
    throw invalidBudget(field, 'a number above 0 (or Infinity)', value);
}

function checkAmount(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0)
    throw invalidBudget(field, 'a finite number of at least 0', value);
}

/**
 * A run's token and time budgets. `add` counts tokens as usage arrives; `check` says where
 * the run stands. The warning callback fires once per kind when its use first reaches
 * `warningRatio` (even when the same step also uses the budget up); `check` keeps
 * reporting an exceeded budget, tokens before time.
 *
 * @example
 * const budget = new RunBudget({
 *   tokenLimit: settings.execution.tokenBudget,
 *   timeLimitMs: settings.execution.timeBudgetMs,
 *   warningRatio: settings.progress.budgetWarningRatio,
 *   onWarning: (warning) => emit({ type: 'budget.warning', ...warning }),
 * });
 * const status = budget.add(usage.totalTokens);
 * if (status !== 'ok' && 'exceeded' in status) await wrapUpAndSynthesize();
 */
export class RunBudget {
  /** Tokens the run may spend. */
  readonly tokenLimit: number;
  /** Time the run may take, in ms. */
  readonly timeLimitMs: number;
  readonly #warningRatio: number;
  readonly #onWarning: ((warning: BudgetWarning) => void) | undefined;
  readonly #clock: Clock;
  readonly #startedAt: number;
  readonly #elapsedBefore: number;
  readonly #warned = new Set<BudgetKind>();
  #usedTokens: number;

  constructor(options: RunBudgetOptions) {
    checkLimit('tokenLimit', options.tokenLimit);
    checkLimit('timeLimitMs', options.timeLimitMs);
    if (!(options.warningRatio >= 0 && options.warningRatio <= 1))
      throw invalidBudget('warningRatio', 'a number from 0 to 1', options.warningRatio);
    checkAmount('usedTokens', options.usedTokens ?? 0);
    checkAmount('elapsedMs', options.elapsedMs ?? 0);
    this.tokenLimit = options.tokenLimit;
    this.timeLimitMs = options.timeLimitMs;
    this.#warningRatio = options.warningRatio;
    this.#onWarning = options.onWarning;
    this.#clock = options.clock ?? systemClock;
    this.#startedAt = this.#clock.now();
    this.#elapsedBefore = options.elapsedMs ?? 0;
    this.#usedTokens = options.usedTokens ?? 0;
  }

  /** Tokens spent so far. */
  get usedTokens(): number {
    return this.#usedTokens;
  }

  /** Time used so far, in ms. */
  get elapsedMs(): number {
    return this.#elapsedBefore + Math.max(0, this.#clock.now() - this.#startedAt);
  }

  /** Tokens left before the budget is used up (0 when it is). */
  get remainingTokens(): number {
    return Math.max(0, this.tokenLimit - this.#usedTokens);
  }

  /** Counts tokens spent (input plus output) and returns {@link RunBudget.check}. */
  add(tokens: number): BudgetStatus {
    checkAmount('tokens', tokens);
    this.#usedTokens += tokens;
    return this.check();
  }

  /** Where the run stands now; fires the warning callback for a budget that just crossed its ratio. */
  check(): BudgetStatus {
    const tokens = { kind: 'tokens' as const, used: this.#usedTokens, limit: this.tokenLimit };
    const time = { kind: 'time' as const, used: this.elapsedMs, limit: this.timeLimitMs };
    let warning: BudgetWarning | undefined;
    for (const budget of [tokens, time]) {
      const ratio = budget.used / budget.limit;
      if (ratio < this.#warningRatio) continue;
      const current: BudgetWarning = { warning: budget.kind, used: budget.used, limit: budget.limit, ratio };
      if (!this.#warned.has(budget.kind)) {
        this.#warned.add(budget.kind);
        this.#onWarning?.(current);
      }
      if (warning === undefined || current.ratio > warning.ratio) warning = current;
    }
    for (const budget of [tokens, time]) {
      if (budget.used >= budget.limit)
        return { exceeded: budget.kind, used: budget.used, limit: budget.limit };
    }
    return warning ?? 'ok';
  }
}

/** Options of {@link LoopDetector}. */
export interface LoopDetectorOptions {
  /** Recent outputs per agent compared (`progress.loopWindow`, at least 2). */
  window: number;
  /** Outputs at least this similar count as repeats (`progress.similarityThreshold`). */
  similarityThreshold: number;
}

/** What {@link LoopDetector.record} found. */
export type LoopCheck =
  | { loop: false }
  | {
      loop: true;
      agentId: string;
      /** 1: the same output again and again; 2: two outputs taking turns (A B A B …); and so on. */
      period: number;
      /** Outputs compared (the window). */
      outputs: number;
      /** The lowest similarity among the repeats, in [0, 1]. */
      similarity: number;
    };

/** Longest normalized output kept per step; enough to tell outputs apart, bounded in cost. */
const MAX_COMPARED_CHARS = 20_000;

/**
 * Detects an agent repeating itself: over its last `window` outputs, every output is at
 * least `similarityThreshold` similar ({@link textSimilarity}) to the one `period` steps
 * before it, for a period of 1 (the same output each time) up to half the window (a cycle
 * of outputs). A detection is reported once, then that agent's window starts over.
 *
 * Feed it everything a step produced (its text and its tool calls, e.g. as JSON), not only
 * the text: a step that calls tools with new arguments but says nothing is not a repeat.
 *
 * @example
 * const loops = new LoopDetector({ window: settings.progress.loopWindow, similarityThreshold: settings.progress.similarityThreshold });
 * const check = loops.record('coder', stepText + JSON.stringify(toolCalls));
 * if (check.loop) emit({ type: 'progress.loop', agentId: check.agentId, period: check.period });
 */
export class LoopDetector {
  readonly #window: number;
  readonly #threshold: number;
  readonly #history = new Map<string, string[]>();

  constructor(options: LoopDetectorOptions) {
    if (!Number.isInteger(options.window) || options.window < 2)
      throw new AetherError(
        'LOOP_DETECTOR_OPTIONS_INVALID',
        `loop detector: window: expected an integer of at least 2, got ${String(options.window)}`,
        { category: 'user' },
      );
    if (!(options.similarityThreshold >= 0 && options.similarityThreshold <= 1))
      throw new AetherError(
        'LOOP_DETECTOR_OPTIONS_INVALID',
        `loop detector: similarityThreshold: expected a number from 0 to 1, got ${String(options.similarityThreshold)}`,
        { category: 'user' },
      );
    this.#window = options.window;
    this.#threshold = options.similarityThreshold;
  }

  /** Adds an agent's output and says whether its recent outputs form a loop. */
  record(agentId: string, output: string): LoopCheck {
    let history = this.#history.get(agentId);
    if (history === undefined) {
      history = [];
      this.#history.set(agentId, history);
    }
    history.push(normalizeText(output).slice(0, MAX_COMPARED_CHARS));
    if (history.length > this.#window) history.shift();
    if (history.length < this.#window) return { loop: false };
    for (let period = 1; period * 2 <= this.#window; period++) {
      let lowest = 1;
      for (let index = period; index < history.length && lowest >= this.#threshold; index++) {
        lowest = Math.min(
          lowest,
          textSimilarity(history[index] as string, history[index - period] as string),
        );
      }
      if (lowest >= this.#threshold) {
        this.#history.delete(agentId);
        return { loop: true, agentId, period, outputs: this.#window, similarity: lowest };
      }
    }
    return { loop: false };
  }

  /** Forgets one agent's outputs (e.g. after it was given new instructions), or every agent's. */
  reset(agentId?: string): void {
    if (agentId === undefined) this.#history.clear();
    else this.#history.delete(agentId);
  }
}

/** The timer a {@link StallDetector} schedules its check with. */
export interface StallTimer {
  /** Calls `callback` once after `delayMs`; returns a handle for `clear`. */
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

/** Node's timers, unref'd so a watcher never keeps the process alive. */
export const systemStallTimer: StallTimer = Object.freeze({
  set(callback: () => void, delayMs: number): unknown {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return handle;
  },
  clear(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
});

/** What a stall callback is told. */
export interface StallInfo {
  /** Time since the last progress, in ms. */
  idleMs: number;
  /** When the last progress (or the start) was, in ms since the epoch. */
  lastProgressAt: number;
}

/** Options of {@link StallDetector}. */
export interface StallDetectorOptions {
  /** No progress for this long is a stall (`progress.stallTimeoutMs`). */
  timeoutMs: number;
  /** Called once per stall; progress re-arms the detector. */
  onStall: (stall: StallInfo) => void;
  /** Receives an error thrown by `onStall` (default: rethrown). */
  onError?: (error: unknown) => void;
  clock?: Clock;
  timer?: StallTimer;
}

/**
 * Calls `onStall` when no progress was reported for `timeoutMs`. Armed on construction;
 * call `progress()` whenever the run moves (an event, a finished step), `stop()` when the
 * run ends. After a stall it stays quiet until the next `progress()`.
 *
 * @example
 * const stall = new StallDetector({ timeoutMs: settings.progress.stallTimeoutMs, onStall: (info) => emit({ type: 'progress.stalled', ...info }) });
 * sink.onEvent(() => stall.progress());
 * try { await execute(); } finally { stall.stop(); }
 */
export class StallDetector {
  readonly #timeoutMs: number;
  readonly #onStall: (stall: StallInfo) => void;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #clock: Clock;
  readonly #timer: StallTimer;
  #lastProgressAt: number;
  #handle: unknown;
  #armed = false;
  #stalled = false;
  #stopped = false;

  constructor(options: StallDetectorOptions) {
    if (!(options.timeoutMs > 0) || !Number.isFinite(options.timeoutMs))
      throw new AetherError(
        'STALL_DETECTOR_OPTIONS_INVALID',
        `stall detector: timeoutMs: expected a number of milliseconds above 0, got ${String(options.timeoutMs)}`,
        { category: 'user' },
      );
    this.#timeoutMs = options.timeoutMs;
    this.#onStall = options.onStall;
    this.#onError = options.onError;
    this.#clock = options.clock ?? systemClock;
    this.#timer = options.timer ?? systemStallTimer;
    this.#lastProgressAt = this.#clock.now();
    this.#arm(this.#timeoutMs);
  }

  /** True after a stall was reported and before the next progress. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** True after `stop()`. */
  get stopped(): boolean {
    return this.#stopped;
  }

  #arm(delayMs: number): void {
    if (this.#armed) this.#timer.clear(this.#handle);
    this.#handle = this.#timer.set(() => this.#fire(), Math.max(0, delayMs));
    this.#armed = true;
  }

  #fire(): void {
    this.#armed = false;
    if (this.#stopped || this.#stalled) return;
    const idleMs = this.#clock.now() - this.#lastProgressAt;
    if (idleMs < this.#timeoutMs) {
      this.#arm(this.#timeoutMs - idleMs);
      return;
    }
    this.#stalled = true;
    try {
      this.#onStall({ idleMs, lastProgressAt: this.#lastProgressAt });
    } catch (error) {
      if (this.#onError === undefined) throw error;
      this.#onError(error);
    }
  }

  /** Reports progress: the idle time starts again and a reported stall is over. */
  progress(): void {
    if (this.#stopped) return;
    this.#lastProgressAt = this.#clock.now();
    this.#stalled = false;
    this.#arm(this.#timeoutMs);
  }

  /** Same as {@link StallDetector.progress}. */
  reset(): void {
    this.progress();
  }

  /** Stops watching for good; later calls do nothing. */
  stop(): void {
    this.#stopped = true;
    if (this.#armed) this.#timer.clear(this.#handle);
    this.#armed = false;
  }
}
