/**
 * Who is at fault when something fails, which decides how it is shown and retried:
 * `user` (bad input or configuration), `system` (our code or storage), `provider`
 * (an LLM provider), `tool` (a tool or MCP server).
 */
export type ErrorCategory = 'user' | 'system' | 'provider' | 'tool';

/** Options accepted by {@link AetherError}. */
export interface AetherErrorOptions {
  category?: ErrorCategory;
  isRetryable?: boolean;
  /** A short next step for a person, shown by the CLI under the message. */
  hint?: string;
  cause?: unknown;
}

/**
 * The one error class of Aether. `code` is stable (UPPER_SNAKE) and is what programs
 * match on; `message` is for people and never contains a secret.
 *
 * @example
 * throw new AetherError('AGENT_NOT_FOUND', `no agent "${id}"`, { category: 'user', hint: 'run `aether init`' });
 */
export class AetherError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly isRetryable: boolean;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: AetherErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AetherError';
    this.code = code;
    this.category = options.category ?? 'system';
    this.isRetryable = options.isRetryable ?? false;
    this.hint = options.hint;
  }
}

/** True when `error` is an {@link AetherError}, optionally with the given code. */
export function isAetherError(error: unknown, code?: string): error is AetherError {
  return error instanceof AetherError && (code === undefined || error.code === code);
}

/** A one-line description of any thrown value, for logs and events. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
