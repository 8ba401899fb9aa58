/**
 * One rate budget for the city's exchange account, shared by every caller (every Lambda container,
 * every function, the local stack): a token bucket per (scope, limit group), kept as GCRA's one
 * number, the bucket's "theoretical arrival time" (`tat`): the instant the schedule of grants
 * already handed out ends. A caller reserves `n` slots by moving `tat` forward by `n` intervals and
 * sends once `tat` is within `burst` intervals of now. This file is the arithmetic, pure; the store
 * that keeps `tat` (DynamoDB, conditional writes) is `#adapters/dynamodb/rate-budget-store`.
 *
 * Upbit counts each group per second (orders 12/s since 2026-08-21, other exchange calls 30/s, each
 * quotation group 10/s), per account for exchange calls and per client IP for quotations, and we do
 * not know where its windows start. So the budget holds for every window, wherever it starts: any
 * span of `windowMs + marginMs` holds at most `burst + span / interval` grants (GCRA's bound), and
 * the interval is chosen so that this is at most the limit. The margin absorbs clock differences
 * between callers and network jitter (requests sent evenly may arrive bunched).
 */

/** What a caller of the exchange asks of the budget before each request. */
export interface RateBudget {
  /** Waits until `n` requests (default 1) of `group` may be sent, and takes them from the budget. */
  acquire(group: string, n?: number): Promise<void>;
}

/** Upbit counts its limits per second, on the wall clock. The one notion of time for rate windows. */
export const UPBIT_RATE_WINDOW_MS = 1000;

/** Quotation groups are counted per client IP (the NAT's); the others per account. */
export const UPBIT_QUOTATION_GROUPS: ReadonlySet<string> = new Set([
  'market',
  'candle',
  'trade',
  'ticker',
  'orderbook',
]);

/** Upbit's documented limits per second (orders: 8 until 2026-08-20, 12 from 2026-08-21). */
export const UPBIT_RATE_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  market: 10,
  candle: 10,
  trade: 10,
  ticker: 10,
  orderbook: 10,
  order: 12,
  default: 30,
});

/** Jitter and clock differences the budget leaves room for (added to the window). */
export const DEFAULT_MARGIN_MS = 100;

export interface BucketParams {
  /** Time one grant occupies on the schedule (1 / rate). */
  intervalMs: number;
  /** Grants that may go at once after a quiet spell (the bucket's capacity). */
  burst: number;
}

/**
 * The bucket for a limit of `limit` requests per `windowMs`: a tenth of the limit as burst (at least
 * 1), the rest spread evenly over the window plus the margin, so no window holds more than `limit`.
 */
export function bucketFor(limit: number, windowMs = UPBIT_RATE_WINDOW_MS, marginMs = DEFAULT_MARGIN_MS): BucketParams {
  if (!Number.isInteger(limit) || limit < 2)
    throw new RangeError(`a rate limit must be a whole number of at least 2 a window: ${limit}`);
  const burst = Math.max(1, Math.floor(limit / 10));
  return { burst, intervalMs: Math.ceil((windowMs + marginMs) / (limit - burst)) };
}

/** The most grants any span of `spanMs` can hold under `params` (GCRA's bound). */
export function maxGrantsIn(spanMs: number, params: BucketParams): number {
  return params.burst + Math.floor(spanMs / params.intervalMs);
}

export interface Reservation {
  /** The schedule's new end, to store. */
  tat: number;
  /** When the reserved requests may be sent (now, or later when the schedule is full). */
  sendAt: number;
}

/** Reserves `n` grants at `now` on a bucket whose schedule ends at `tat` (undefined: never used). */
export function reserve(tat: number | undefined, now: number, n: number, params: BucketParams): Reservation {
  if (!Number.isInteger(n) || n < 1 || n > params.burst)
    throw new RangeError(`between 1 and ${params.burst} requests at once: ${n}`);
  const next = Math.max(tat ?? now, now) + n * params.intervalMs;
  return { tat: next, sendAt: sendAtFor(next, now, params) };
}

/** When a caller whose reservation moved the schedule's end to `tat` may send. */
export function sendAtFor(tat: number, now: number, params: BucketParams): number {
  return Math.max(now, tat - params.burst * params.intervalMs);
}

/** The limit group's key in the store: quotation groups per egress IP, the others per account. */
export function bucketScope(group: string, scopes: { account: string; egress: string }): string {
  return UPBIT_QUOTATION_GROUPS.has(group) ? `ip:${scopes.egress}` : `account:${scopes.account}`;
}
