import type { JsonValue } from '../contracts/json.ts';

/** What a redacted secret is replaced by. */
export const REDACTED = '[redacted secret]';

/**
 * Removes known secret values from text and JSON: what a tool server returns or says when it
 * fails may echo the credentials it was started with (an environment dump, an error quoting
 * a header). Values shorter than 4 characters are not matched (they would match everywhere).
 */
export class SecretRedactor {
  readonly #values: readonly string[];

  constructor(values: Iterable<string>) {
    this.#values = [...new Set(values)]
      .filter((value) => value.length >= 4)
      .sort((a, b) => b.length - a.length);
  }

  /** True when there is nothing to redact. */
  get empty(): boolean {
    return this.#values.length === 0;
  }

  text(text: string): string {
    let result = text;
    for (const value of this.#values) if (result.includes(value)) result = result.split(value).join(REDACTED);
    return result;
  }

  json(value: JsonValue): JsonValue {
    if (this.#values.length === 0) return value;
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [this.text(key), this.json(item)]),
      );
    }
    return value;
  }
}
