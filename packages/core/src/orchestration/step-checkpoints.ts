import type { JsonValue } from '../contracts/json.ts';
import type { StepCheckpoints } from '../engine/agent-loop.ts';
import type { RunJournal } from '../events/event-journal.ts';

/**
 * A run's checkpoints: what was stored before (a resumed run replays it) plus what this
 * process records, written through the journal in the same group commit as the events of
 * the step, so a step is either finished with its trace or not finished at all.
 */
export class JournalCheckpoints implements StepCheckpoints {
  readonly #stored: Map<string, JsonValue>;
  readonly #journal: RunJournal;
  /** Keys replayed from storage in this process (for tests and the trace). */
  readonly replayed = new Set<string>();

  constructor(journal: RunJournal, stored: Map<string, JsonValue> = new Map()) {
    this.#journal = journal;
    this.#stored = stored;
  }

  get(key: string): JsonValue | undefined {
    const value = this.#stored.get(key);
    if (value !== undefined) this.replayed.add(key);
    return value;
  }

  /** True when `key` is stored (without counting it as replayed). */
  has(key: string): boolean {
    return this.#stored.has(key);
  }

  record(key: string, output: JsonValue): void {
    this.#stored.set(key, output);
    this.#journal.checkpoint(key, output);
  }

  durable(): Promise<void> {
    return this.#journal.commit();
  }
}
