/**
 * The exchange port: the little the sale engine needs from a venue. Prices, sizes, fees and balances
 * are decimal.js values (never floats); instants are Dates. The Upbit adapter implements it over
 * HTTP; tests run it against the local exchange simulator.
 */
import type { Decimal } from '#domain/money';

/** A market code in the exchange's spelling, e.g. `KRW-BTC` (quote first). */
export type MarketCode = string;

export interface Quote {
  market: MarketCode;
  /** Last traded price. */
  tradePrice: Decimal;
  /** When that trade happened. */
  tradeTimestamp: Date;
  /** When the exchange produced the snapshot. */
  timestamp: Date;
  /** Base-coin volume traded over the last 24 hours. */
  accTradeVolume24h: Decimal;
  /** Quote (won) value traded over the last 24 hours. */
  accTradeValue24h: Decimal;
}

export interface BookLevel {
  price: Decimal;
  size: Decimal;
}

export interface OrderBook {
  market: MarketCode;
  timestamp: Date;
  /** Best (highest) bid first. */
  bids: BookLevel[];
  /** Best (lowest) ask first. */
  asks: BookLevel[];
  totalBidSize: Decimal;
  totalAskSize: Decimal;
}

export interface Balance {
  currency: string;
  /** Available (not locked in open orders). */
  balance: Decimal;
  locked: Decimal;
  avgBuyPrice: Decimal;
}

/** What an order on this market must respect, read from the exchange (never from a table in code). */
export interface MarketRules {
  market: MarketCode;
  baseCurrency: string;
  quoteCurrency: string;
  tickSize: Decimal;
  /** Fee rate charged on a sell, as a fraction (0.0005 = 0.05%). */
  askFee: Decimal;
  /** Smallest order total (price x volume) the exchange accepts on the sell side, in quote currency. */
  minOrderTotal: Decimal;
  /** Largest order total, when the exchange states one. */
  maxOrderTotal?: Decimal;
  /** `active` when trading is allowed. */
  state: string;
  /** The account's balance of the coin being sold. */
  baseBalance: Balance;
  /** The account's balance of the quote currency (won). */
  quoteBalance: Balance;
}

export type TimeInForce = 'ioc' | 'fok';

interface SellBase {
  market: MarketCode;
  /**
   * Client order key, unique over the account forever (a repeat is refused even if the first attempt
   * failed). Derive it from case, sale and slice; it is how an order in doubt is found again.
   */
  identifier: string;
  volume: Decimal;
}

/** A sell order: a limit order (IOC / FOK, or resting when `timeInForce` is absent), a market sell, or a best-price order. */
export type SellOrder =
  | (SellBase & { type: 'limit'; price: Decimal; timeInForce?: TimeInForce })
  | (SellBase & { type: 'market' })
  | (SellBase & { type: 'best'; timeInForce: TimeInForce });

export type OrderState = 'wait' | 'watch' | 'done' | 'cancel';

export interface Fill {
  uuid: string;
  price: Decimal;
  volume: Decimal;
  /** price x volume, in quote currency, before fees. */
  funds: Decimal;
  createdAt: Date;
}

export interface ExchangeOrder {
  uuid: string;
  identifier?: string;
  market: MarketCode;
  side: 'ask' | 'bid';
  type: 'limit' | 'market' | 'best' | 'price';
  timeInForce?: string;
  /** Limit price; absent for market orders. */
  price?: Decimal;
  volume: Decimal;
  remainingVolume: Decimal;
  executedVolume: Decimal;
  /** Sum of the fills' funds (gross proceeds), in quote currency. */
  executedFunds: Decimal;
  paidFee: Decimal;
  state: OrderState;
  createdAt: Date;
  /** Fills; empty in a placement acknowledgement, filled in by a lookup. */
  trades: Fill[];
}

/** An order is found either by the exchange's uuid or by the client's identifier. */
export type OrderRef = { uuid: string } | { identifier: string };

/** Terminal: nothing more will happen to it. */
export function isFinal(order: Pick<ExchangeOrder, 'state'>): boolean {
  return order.state === 'done' || order.state === 'cancel';
}

/**
 * The result of placing with resolution: the order exists on the exchange (placed now, or found by
 * its identifier after a doubtful attempt); or it provably does not (the exchange refused a request
 * with this identifier and holds no order under it: the identifier is spent); or the request went out
 * without an answer and the order is not found *yet*: it is in doubt, because a request that timed
 * out can still be processed later. An order in doubt is never re-sent and never forgotten: it is
 * looked up again until found or an officer decides.
 */
export type PlaceOutcome =
  | { outcome: 'placed'; order: ExchangeOrder; resolvedByLookup: boolean }
  | { outcome: 'absent'; identifier: string; reason: string }
  | { outcome: 'inDoubt'; identifier: string; reason: string };

export interface Exchange {
  /** Tickers for several markets in as few calls as the exchange allows. */
  quotes(markets: readonly MarketCode[]): Promise<Quote[]>;
  orderBooks(markets: readonly MarketCode[]): Promise<OrderBook[]>;
  marketRules(market: MarketCode): Promise<MarketRules>;
  /** Sends a sell order once. Throws PlacementOutcomeUnknown when the answer was lost. */
  placeSell(order: SellOrder): Promise<ExchangeOrder>;
  /** Sends a sell order and, on any doubt, looks it up by its identifier instead of sending it again. */
  placeOrResolve(order: SellOrder): Promise<PlaceOutcome>;
  getOrder(ref: OrderRef): Promise<ExchangeOrder>;
  /** Polls an order until it is final (IOC/FOK/market orders finish within moments). */
  settle(ref: OrderRef): Promise<ExchangeOrder>;
  /** Cancels an open order; returns its final record (also when it had already finished). */
  cancelOrder(ref: OrderRef): Promise<ExchangeOrder>;
  balances(): Promise<Balance[]>;
}

/** A search of finished orders by creation time; the exchange allows a window of at most 7 days. */
export interface ClosedOrderQuery {
  market?: MarketCode;
  /** Default both. */
  states?: ReadonlyArray<'done' | 'cancel'>;
  /** Created at or after. With `to` absent the window is the 7 days from here. */
  from?: Date;
  /** Created at or before. With `from` absent the window is the 7 days up to here; with neither, the last 7 days. */
  to?: Date;
  /** At most 1000 (default 100). */
  limit?: number;
  order?: 'asc' | 'desc';
}

/** Finding orders again after the fact (orders in doubt, late processing). */
export interface OrderHistory {
  closedOrders(query: ClosedOrderQuery): Promise<ExchangeOrder[]>;
  /** Open or finished, by exchange uuids or by client identifiers (at most 100). */
  ordersByRefs(refs: { uuids: readonly string[] } | { identifiers: readonly string[] }): Promise<ExchangeOrder[]>;
}

/** An address registered (on the exchange's website) for withdrawals; only these can receive. */
export interface WithdrawalAddress {
  currency: string;
  netType: string;
  address: string;
  secondaryAddress?: string;
}

export interface WithdrawalRequest extends WithdrawalAddress {
  amount: Decimal;
  /** `internal`: to another account on the same exchange (free, fast). Default `default`. */
  transactionType?: 'default' | 'internal';
}

export type WithdrawalState = 'WAITING' | 'PROCESSING' | 'DONE' | 'FAILED' | 'CANCELLED' | 'REJECTED';

export interface Withdrawal {
  uuid: string;
  currency: string;
  netType: string;
  state: WithdrawalState;
  amount: Decimal;
  /** Charged on top of the amount. */
  fee: Decimal;
  transactionType: string;
  /** On-chain transaction id, once there is one. */
  txid?: string;
  createdAt: Date;
  doneAt?: Date;
}

export interface WithdrawalQuery {
  currency?: string;
  state?: WithdrawalState;
  uuids?: readonly string[];
  txids?: readonly string[];
  /** At most 100 (default 100). */
  limit?: number;
  page?: number;
  order?: 'asc' | 'desc';
}

/** Terminal: nothing more will happen to it. */
export function isFinalWithdrawal(w: Pick<Withdrawal, 'state'>): boolean {
  return w.state !== 'WAITING' && w.state !== 'PROCESSING';
}

/**
 * Coin withdrawals. The exchange takes no client key for them: after WithdrawalOutcomeUnknown the
 * withdrawal can only be found by listing recent ones of the currency (amount, network, time).
 */
export interface WithdrawalVenue {
  withdrawalAddresses(): Promise<WithdrawalAddress[]>;
  /** Sends once. Throws WithdrawalOutcomeUnknown when the answer was lost, AddressNotAllowed, InsufficientFunds. */
  withdraw(request: WithdrawalRequest): Promise<Withdrawal>;
  getWithdrawal(ref: { uuid: string } | { txid: string }): Promise<Withdrawal>;
  withdrawals(query?: WithdrawalQuery): Promise<Withdrawal[]>;
}

// ---------------------------------------------------------------------------------------------
// Typed errors. `exchangeName` is the venue's own error name (e.g. `insufficient_funds_ask`).

export interface ExchangeErrorDetails {
  status?: number;
  exchangeName?: string;
  cause?: unknown;
}

export class ExchangeError extends Error {
  override readonly name: string = 'ExchangeError';
  readonly status?: number;
  readonly exchangeName?: string;
  /** True when the same request may succeed later without any change. */
  readonly transient: boolean = false;

  constructor(message: string, details: ExchangeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.exchangeName = details.exchangeName;
  }
}

/** A refusal (a 4xx other than 429) is an answer: the order was provably never placed. */
export function isRefusal(error: unknown): error is ExchangeError {
  return (
    error instanceof ExchangeError &&
    !error.transient &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 429
  );
}

export class InsufficientFunds extends ExchangeError {
  override readonly name = 'InsufficientFunds';
}
/** The price is not a multiple of the market's tick size. */
export class InvalidTick extends ExchangeError {
  override readonly name = 'InvalidTick';
}
/** The order total is under the exchange minimum (₩5,000 on Upbit KRW markets). */
export class BelowMinimum extends ExchangeError {
  override readonly name = 'BelowMinimum';
}
/** The identifier was used before (even by a failed attempt). */
export class DuplicateIdentifier extends ExchangeError {
  override readonly name = 'DuplicateIdentifier';
}
export class OrderNotFound extends ExchangeError {
  override readonly name = 'OrderNotFound';
}
/** A market sell larger than the bid side of the visible book. */
export class ExceedsBookDepth extends ExchangeError {
  override readonly name = 'ExceedsBookDepth';
}
/** Any other refusal of an order (bad parameters, market offline, ...). */
export class OrderRejected extends ExchangeError {
  override readonly name = 'OrderRejected';
}
/** 401: bad key, signature, nonce or query hash. */
export class AuthenticationFailed extends ExchangeError {
  override readonly name = 'AuthenticationFailed';
}
/** 429 that persisted through bounded retries. */
export class RateLimited extends ExchangeError {
  override readonly name = 'RateLimited';
  override readonly transient = true;
}
/** 418: the exchange blocked us for a while; stop calling until `until`. */
export class Banned extends ExchangeError {
  override readonly name = 'Banned';
  readonly until: Date;
  constructor(message: string, until: Date, details: ExchangeErrorDetails = {}) {
    super(message, details);
    this.until = until;
  }
}
/** 5xx, timeout or connection failure on a request that is safe to repeat. */
export class ExchangeUnavailable extends ExchangeError {
  override readonly name = 'ExchangeUnavailable';
  override readonly transient = true;
}
/**
 * An order was sent but no reliable answer came back (timeout, reset, 5xx after sending): it may or
 * may not exist. Resolve it by looking it up by identifier; never send another order blindly.
 */
export class PlacementOutcomeUnknown extends ExchangeError {
  override readonly name = 'PlacementOutcomeUnknown';
  override readonly transient = true;
  readonly identifier: string;
  constructor(message: string, identifier: string, details: ExchangeErrorDetails = {}) {
    super(message, details);
    this.identifier = identifier;
  }
}
/** The withdrawal address is not on the account's allow list (for that currency and network). */
export class AddressNotAllowed extends ExchangeError {
  override readonly name = 'AddressNotAllowed';
}
export class WithdrawalNotFound extends ExchangeError {
  override readonly name = 'WithdrawalNotFound';
}
/**
 * A withdrawal was sent but no reliable answer came back: it may be under way. Look for it among the
 * currency's recent withdrawals; never send it again before that.
 */
export class WithdrawalOutcomeUnknown extends ExchangeError {
  override readonly name = 'WithdrawalOutcomeUnknown';
  override readonly transient = true;
}
