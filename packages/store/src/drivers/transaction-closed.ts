import { AetherError } from '@aether/core';

/** The error for using a transaction (or a store bound to it) after it ended. */
export function transactionClosed(): AetherError {
  return new AetherError(
    'TRANSACTION_CLOSED',
    'this transaction has already ended; use the store passed to transaction() only inside its callback',
  );
}
