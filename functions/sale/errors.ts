/**
 * Errors the sale steps throw by name, for the state machine's Retry and Catch (Lambda reports
 * `error.name` as the error type). Transient ones are retried with backoff; the rest go to the
 * recorded failure. Exchange errors keep their own names (exchange.ts): ExchangeUnavailable,
 * RateLimited, Banned, PlacementOutcomeUnknown; the store's ConcurrencyConflictError is retried too.
 */

/** The case is not selling this sale (settled, failed, or another attempt runs): nothing to do here. */
export class SaleNotRunningError extends Error {
  override readonly name = 'SaleNotRunningError';
}

/** An order's outcome is still unknown: nothing may be settled or placed until it is resolved. */
export class OrderInDoubtError extends Error {
  override readonly name = 'OrderInDoubtError';
  readonly transient = true;
}

/** A step was given input it cannot act on (a bug in the definition or a hand-started execution). */
export class InvalidStepInputError extends Error {
  override readonly name = 'InvalidStepInputError';
}

/** The sale's desk failed (ResolveDeskOrders): each member's sale fails as its own failing step would. */
export class DeskFailedError extends Error {
  override readonly name = 'DeskFailed';
}
