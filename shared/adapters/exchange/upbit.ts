/**
 * Upbit Open API v1 adapter over HTTP (Node's global fetch). Quotation calls are public; exchange
 * calls carry an HS512 JWT (see upbit-auth.ts). Every response is parsed losslessly (numbers never
 * pass through a float) and validated with zod. Every request first takes its place in the shared
 * rate budget (`budget`: one per exchange account and egress IP for the whole deployment,
 * rate-budget.ts) and follows the `Remaining-Req` header; 429 is retried with bounded, jittered
 * backoff; 418 stops all calls until the ban ends.
 *
 * Orders are never re-sent blindly: when the answer to a POST is lost (timeout, reset, 5xx), the
 * order is looked up by its `identifier` (`placeOrResolve`).
 */
import * as z from 'zod/mini';
import { Decimal, decimal, decimalString, sum, ZERO } from '#domain/money';
import {
  AddressNotAllowed,
  AuthenticationFailed,
  Banned,
  BelowMinimum,
  DuplicateIdentifier,
  ExceedsBookDepth,
  ExchangeError,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidTick,
  OrderNotFound,
  OrderRejected,
  PlacementOutcomeUnknown,
  RateLimited,
  WithdrawalNotFound,
  WithdrawalOutcomeUnknown,
  isFinal,
  type Balance,
  type ClosedOrderQuery,
  type Exchange,
  type ExchangeOrder,
  type MarketRules,
  type OrderBook,
  type OrderHistory,
  type OrderRef,
  type PlaceOutcome,
  type Quote,
  type SellOrder,
  type ExchangeErrorDetails,
  type Withdrawal,
  type WithdrawalAddress,
  type WithdrawalQuery,
  type WithdrawalRequest,
  type WithdrawalVenue,
} from './exchange';
import { parseLossless } from './lossless-json';
import { UPBIT_RATE_WINDOW_MS, type RateBudget } from './rate-budget';
import { GroupPacer } from './rate-limit';
import { encodeQuery, signUpbitToken, type Params } from './upbit-auth';

export interface UpbitKeys {
  accessKey: string;
  secretKey: string;
}

/**
 * Where a rotated key comes from: `current` may answer from a cache (with a maximum age); `reread`
 * reads the store itself, after the exchange refused the key (a rotation the cache has not seen).
 */
export interface UpbitKeySource {
  current(): Promise<UpbitKeys>;
  reread(): Promise<UpbitKeys>;
}

/** 401s that say the key itself is wrong (a rotated or revoked key), not the request. */
const KEY_REFUSALS = new Set(['invalid_access_key', 'jwt_verification', 'expired_access_key']);

export type UpbitExchangeOptions = UpbitTuning & {
  /** e.g. `https://api.upbit.com` (no trailing `/v1`). */
  baseUrl: string;
} & (UpbitKeys | { keys: UpbitKeySource });

export interface UpbitTuning {
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Attempts for a request that is safe to repeat (and for an order refused with 429). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Lookups by identifier before an order in doubt is declared absent, and the pause between them. */
  resolveAttempts?: number;
  resolveDelayMs?: number;
  /** Polls of an order until it is final. */
  settlePolls?: number;
  settleDelayMs?: number;
  /**
   * The budget every caller with the city's keys (or behind its egress IP) shares. Without one the
   * client only paces itself from the header: right for a lone caller (the CLI), never for the
   * deployment's functions, which all pass the same DynamoDB budget.
   */
  budget?: RateBudget;
  /** Ban length assumed when a 418 does not say. */
  defaultBanMs?: number;
  /** Markets per ticker / order book call. */
  maxMarketsPerCall?: number;
  /** Injected for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** `order` and `withdrawal` create something: never repeated blindly, and a lost answer is doubt. */
type Kind = 'safe' | 'order' | 'withdrawal';

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  params?: Params;
  auth: boolean;
  kind: Kind;
  /** Group assumed until the exchange names it in `Remaining-Req`. */
  group: string;
  /** For orders: the identifier, for PlacementOutcomeUnknown. */
  identifier?: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class UpbitExchange implements Exchange, OrderHistory, WithdrawalVenue {
  private readonly o: Required<Omit<UpbitTuning, 'budget'>>;
  private readonly pacer: GroupPacer;
  private readonly keys: UpbitKeySource;
  private bannedUntil = 0;

  constructor(private readonly options: UpbitExchangeOptions) {
    this.o = {
      timeoutMs: options.timeoutMs ?? 5000,
      maxAttempts: options.maxAttempts ?? 4,
      backoffBaseMs: options.backoffBaseMs ?? 250,
      backoffMaxMs: options.backoffMaxMs ?? 4000,
      resolveAttempts: options.resolveAttempts ?? 3,
      resolveDelayMs: options.resolveDelayMs ?? 500,
      settlePolls: options.settlePolls ?? 10,
      settleDelayMs: options.settleDelayMs ?? 200,
      defaultBanMs: options.defaultBanMs ?? 60_000,
      maxMarketsPerCall: options.maxMarketsPerCall ?? 100,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
    };
    this.pacer = new GroupPacer({ windowMs: UPBIT_RATE_WINDOW_MS, now: this.o.now, sleep: this.o.sleep });
    const fixed = 'keys' in options ? undefined : { accessKey: options.accessKey, secretKey: options.secretKey };
    this.keys =
      'keys' in options
        ? options.keys
        : { current: () => Promise.resolve(fixed!), reread: () => Promise.resolve(fixed!) };
  }

  // ------------------------------------------------------------------ quotation

  async quotes(markets: readonly string[]): Promise<Quote[]> {
    const tickers = await this.readMarkets('/v1/ticker', 'ticker', markets, tickerSchema);
    return tickers.map((t) => ({
      market: t.market,
      tradePrice: t.trade_price,
      tradeTimestamp: new Date(t.trade_timestamp),
      timestamp: new Date(t.timestamp),
      accTradeVolume24h: t.acc_trade_volume_24h,
      accTradeValue24h: t.acc_trade_price_24h,
    }));
  }

  async orderBooks(markets: readonly string[]): Promise<OrderBook[]> {
    const books = await this.readMarkets('/v1/orderbook', 'orderbook', markets, orderbookSchema);
    return books.map((b) => ({
      market: b.market,
      timestamp: new Date(b.timestamp),
      bids: b.orderbook_units.map((u) => ({ price: u.bid_price, size: u.bid_size })),
      asks: b.orderbook_units.map((u) => ({ price: u.ask_price, size: u.ask_size })),
      totalBidSize: b.total_bid_size,
      totalAskSize: b.total_ask_size,
    }));
  }

  /**
   * A public quotation read of several markets: Upbit takes them as one comma-separated list,
   * `maxMarketsPerCall` to a request; each answer an array of one item per market.
   */
  private async readMarkets<S extends z.ZodMiniType>(
    path: string,
    group: string,
    markets: readonly string[],
    item: S,
  ): Promise<z.output<S>[]> {
    const out: z.output<S>[] = [];
    for (const chunk of chunks(markets, this.o.maxMarketsPerCall)) {
      const body = await this.call({
        method: 'GET',
        path,
        params: [['markets', chunk.join(',')]],
        auth: false,
        kind: 'safe',
        group,
      });
      out.push(...parse(z.array(item), body, path.replace('/v1/', '')));
    }
    return out;
  }

  /**
   * The tick sizes asked for in the same turn of the event loop (a step reading the rules of several
   * markets at once), read together: Upbit's instruments take several markets in one request, which
   * counts in the order-book group's 10 a second.
   */
  private instruments?: { markets: Set<string>; ticks: Promise<Map<string, Decimal>> };

  private tickSize(market: string): Promise<Decimal> {
    if (!this.instruments) {
      const markets = new Set<string>();
      const ticks = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.instruments = undefined;
        const instruments = await this.readMarkets(
          '/v1/orderbook/instruments',
          'orderbook',
          [...markets],
          instrumentSchema,
        );
        return new Map(instruments.map((i) => [i.market, i.tick_size]));
      });
      this.instruments = { markets, ticks };
    }
    this.instruments.markets.add(market);
    return this.instruments.ticks.then((ticks) => {
      const tick = ticks.get(market);
      if (!tick) throw new ExchangeError(`no instrument for ${market}`);
      return tick;
    });
  }

  async marketRules(market: string): Promise<MarketRules> {
    const [tickSize, chance] = await Promise.all([this.tickSize(market), this.chance(market)]);
    return {
      market,
      baseCurrency: chance.market.ask.currency,
      quoteCurrency: chance.market.bid.currency,
      tickSize,
      askFee: chance.ask_fee,
      minOrderTotal: chance.market.ask.min_total,
      maxOrderTotal: chance.market.max_total ?? undefined,
      state: chance.market.state,
      baseBalance: toBalance(chance.ask_account),
      quoteBalance: toBalance(chance.bid_account),
    };
  }

  private async chance(market: string) {
    return parse(
      chanceSchema,
      await this.call({
        method: 'GET',
        path: '/v1/orders/chance',
        params: [['market', market]],
        auth: true,
        kind: 'safe',
        group: 'default',
      }),
      'orders/chance',
    );
  }

  // ------------------------------------------------------------------ orders

  async placeSell(order: SellOrder): Promise<ExchangeOrder> {
    const params: [string, string][] = [
      ['market', order.market],
      ['side', 'ask'],
      ['volume', decimalString(order.volume)],
    ];
    if (order.type === 'limit') params.push(['price', decimalString(order.price)]);
    params.push(['ord_type', order.type]);
    if (order.type !== 'market' && order.timeInForce) params.push(['time_in_force', order.timeInForce]);
    params.push(['identifier', order.identifier]);
    const body = await this.call({
      method: 'POST',
      path: '/v1/orders',
      params,
      auth: true,
      kind: 'order',
      group: 'order',
      identifier: order.identifier,
    });
    return toOrder(parse(orderSchema, body, 'orders'));
  }

  async placeOrResolve(order: SellOrder): Promise<PlaceOutcome> {
    try {
      return { outcome: 'placed', order: await this.placeSell(order), resolvedByLookup: false };
    } catch (e) {
      if (e instanceof PlacementOutcomeUnknown) return this.resolve(order.identifier, e);
      if (e instanceof DuplicateIdentifier) {
        // Either an earlier attempt of ours landed (then it is found) or a failed one spent the key.
        const found = await this.findByIdentifier(order.identifier);
        if (found) return { outcome: 'placed', order: found, resolvedByLookup: true };
        return {
          outcome: 'absent',
          identifier: order.identifier,
          reason: 'identifier already spent by a failed attempt; use a new one',
        };
      }
      throw e;
    }
  }

  async getOrder(ref: OrderRef): Promise<ExchangeOrder> {
    const params: Params = 'uuid' in ref ? [['uuid', ref.uuid]] : [['identifier', ref.identifier]];
    const body = await this.call({
      method: 'GET',
      path: '/v1/order',
      params,
      auth: true,
      kind: 'safe',
      group: 'default',
    });
    return toOrder(parse(orderSchema, body, 'order'));
  }

  async settle(ref: OrderRef): Promise<ExchangeOrder> {
    let order = await this.getOrder(ref);
    // A limit order without time in force rests on the book: it will not settle by waiting.
    const resting = (o: ExchangeOrder) => o.type === 'limit' && !o.timeInForce;
    for (let i = 1; i < this.o.settlePolls && !isFinal(order) && !resting(order); i++) {
      await this.o.sleep(this.o.settleDelayMs);
      order = await this.getOrder(ref);
    }
    return order;
  }

  async cancelOrder(ref: OrderRef): Promise<ExchangeOrder> {
    const params: Params = 'uuid' in ref ? [['uuid', ref.uuid]] : [['identifier', ref.identifier]];
    try {
      const body = await this.call({
        method: 'DELETE',
        path: '/v1/order',
        params,
        auth: true,
        kind: 'safe',
        group: 'default',
      });
      return toOrder(parse(orderSchema, body, 'order cancel'));
    } catch (e) {
      // Refused because it already finished (or a retried cancel already worked): report its final record.
      if (e instanceof OrderRejected) {
        const order = await this.getOrder(ref);
        if (isFinal(order)) return order;
      }
      throw e;
    }
  }

  async balances(): Promise<Balance[]> {
    const body = await this.call({ method: 'GET', path: '/v1/accounts', auth: true, kind: 'safe', group: 'default' });
    return parse(z.array(accountSchema), body, 'accounts').map(toBalance);
  }

  // ------------------------------------------------------------------ order history

  async closedOrders(query: ClosedOrderQuery): Promise<ExchangeOrder[]> {
    const params: [string, string][] = [];
    if (query.market) params.push(['market', query.market]);
    for (const state of query.states ?? []) params.push(['states[]', state]);
    // Epoch milliseconds: Upbit takes them as well as ISO 8601, and they need no escaping.
    if (query.from) params.push(['start_time', String(query.from.getTime())]);
    if (query.to) params.push(['end_time', String(query.to.getTime())]);
    if (query.limit !== undefined) params.push(['limit', String(query.limit)]);
    if (query.order) params.push(['order_by', query.order]);
    const body = await this.call({
      method: 'GET',
      path: '/v1/orders/closed',
      params,
      auth: true,
      kind: 'safe',
      group: 'default',
    });
    return parse(z.array(orderSchema), body, 'orders/closed').map(toOrder);
  }

  async ordersByRefs(
    refs: { uuids: readonly string[] } | { identifiers: readonly string[] },
  ): Promise<ExchangeOrder[]> {
    const params: Params =
      'uuids' in refs
        ? refs.uuids.map((u) => ['uuids[]', u] as const)
        : refs.identifiers.map((i) => ['identifiers[]', i] as const);
    if (params.length === 0) return [];
    const body = await this.call({
      method: 'GET',
      path: '/v1/orders/uuids',
      params,
      auth: true,
      kind: 'safe',
      group: 'default',
    });
    return parse(z.array(orderSchema), body, 'orders/uuids').map(toOrder);
  }

  // ------------------------------------------------------------------ withdrawals

  async withdrawalAddresses(): Promise<WithdrawalAddress[]> {
    const body = await this.call({
      method: 'GET',
      path: '/v1/withdraws/coin_addresses',
      auth: true,
      kind: 'safe',
      group: 'default',
    });
    return parse(z.array(addressSchema), body, 'withdraws/coin_addresses').map((a) => ({
      currency: a.currency,
      netType: a.net_type,
      address: a.withdraw_address,
      secondaryAddress: a.secondary_address ?? undefined,
    }));
  }

  async withdraw(request: WithdrawalRequest): Promise<Withdrawal> {
    const params: [string, string][] = [
      ['currency', request.currency],
      ['net_type', request.netType],
      // A decimal string, so the amount never passes through a float on either side.
      ['amount', decimalString(request.amount)],
      ['address', request.address],
    ];
    if (request.secondaryAddress !== undefined) params.push(['secondary_address', request.secondaryAddress]);
    params.push(['transaction_type', request.transactionType ?? 'default']);
    const body = await this.call({
      method: 'POST',
      path: '/v1/withdraws/coin',
      params,
      auth: true,
      kind: 'withdrawal',
      group: 'default',
    });
    return toWithdrawal(parse(withdrawalSchema, body, 'withdraws/coin'));
  }

  async getWithdrawal(ref: { uuid: string } | { txid: string }): Promise<Withdrawal> {
    const params: Params = 'uuid' in ref ? [['uuid', ref.uuid]] : [['txid', ref.txid]];
    const body = await this.call({
      method: 'GET',
      path: '/v1/withdraw',
      params,
      auth: true,
      kind: 'safe',
      group: 'default',
    });
    return toWithdrawal(parse(withdrawalSchema, body, 'withdraw'));
  }

  async withdrawals(query: WithdrawalQuery = {}): Promise<Withdrawal[]> {
    const params: [string, string][] = [];
    if (query.currency) params.push(['currency', query.currency]);
    if (query.state) params.push(['state', query.state]);
    for (const u of query.uuids ?? []) params.push(['uuids[]', u]);
    for (const t of query.txids ?? []) params.push(['txids[]', t]);
    if (query.limit !== undefined) params.push(['limit', String(query.limit)]);
    if (query.page !== undefined) params.push(['page', String(query.page)]);
    if (query.order) params.push(['order_by', query.order]);
    const body = await this.call({
      method: 'GET',
      path: '/v1/withdraws',
      params,
      auth: true,
      kind: 'safe',
      group: 'default',
    });
    return parse(z.array(withdrawalSchema), body, 'withdraws').map(toWithdrawal);
  }

  // ------------------------------------------------------------------ plumbing

  private async findByIdentifier(identifier: string): Promise<ExchangeOrder | undefined> {
    try {
      return await this.getOrder({ identifier });
    } catch (e) {
      if (e instanceof OrderNotFound) return undefined;
      throw e;
    }
  }

  private async resolve(identifier: string, doubt: PlacementOutcomeUnknown): Promise<PlaceOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { outcome: 'placed', order: await this.getOrder({ identifier }), resolvedByLookup: true };
      } catch (e) {
        const last = attempt >= this.o.resolveAttempts;
        if (e instanceof OrderNotFound) {
          // Not found is not proof: the exchange may still process the request (late processing).
          if (last)
            return { outcome: 'inDoubt', identifier, reason: `not found after ${attempt} lookups (${doubt.message})` };
        } else if (e instanceof ExchangeError && e.transient) {
          if (last)
            throw new PlacementOutcomeUnknown(`order ${identifier} still in doubt: lookups failed`, identifier, {
              cause: e,
            });
        } else {
          throw e;
        }
        await this.o.sleep(this.o.resolveDelayMs);
      }
    }
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    // Equal jitter: at least half the step, so clients that collided spread out without stalling.
    return Math.round(cap / 2 + (cap / 2) * this.o.random());
  }

  private async call(c: Call): Promise<unknown> {
    const route = `${c.method} ${c.path}`;
    let keys = c.auth ? await this.keys.current() : undefined;
    let reread = false;
    for (let attempt = 1; ; attempt++) {
      const now = this.o.now();
      if (now < this.bannedUntil)
        throw new Banned(
          `banned by the exchange until ${new Date(this.bannedUntil).toISOString()}`,
          new Date(this.bannedUntil),
          { status: 418 },
        );
      const group = this.pacer.groupFor(route, c.group);
      await this.pacer.acquire(group);
      // Last before sending: a slot of the shared budget is used as soon as it is granted.
      await this.options.budget?.acquire(group);
      const last = attempt >= this.o.maxAttempts;

      let status: number;
      let text: string;
      let headers: Headers;
      try {
        const res = await fetch(this.url(c), this.init(c, keys));
        status = res.status;
        headers = res.headers;
        text = await res.text();
      } catch (e) {
        const notSent = isConnectionRefused(e);
        if (c.kind !== 'safe' && !notSent) throw doubt(c, `sent but no answer (${describe(e)})`, { cause: e });
        if (!last) {
          await this.o.sleep(this.backoff(attempt));
          continue;
        }
        throw new ExchangeUnavailable(`${route}: ${describe(e)}`, { cause: e });
      }

      this.pacer.observe(route, headers.get('remaining-req'));
      const error = errorBody(text);

      if (status === 418) {
        const until = this.o.now() + (banSeconds(error?.message) ?? this.o.defaultBanMs / 1000) * 1000;
        this.bannedUntil = until;
        throw new Banned(`${route}: banned (418) ${error?.message ?? ''}`.trim(), new Date(until), {
          status,
          exchangeName: error?.name,
        });
      }
      if (status === 429) {
        // Refused before processing, so even an order may be sent again with the same identifier.
        const wait = this.backoff(attempt);
        this.pacer.block(group, wait);
        if (!last) {
          await this.o.sleep(wait);
          continue;
        }
        throw new RateLimited(`${route}: rate limited after ${attempt} attempts`, {
          status,
          exchangeName: error?.name,
        });
      }
      if (status >= 500) {
        if (c.kind !== 'safe') throw doubt(c, `exchange answered ${status}`, { status, exchangeName: error?.name });
        if (!last) {
          await this.o.sleep(this.backoff(attempt));
          continue;
        }
        throw new ExchangeUnavailable(`${route}: ${status} ${error?.message ?? ''}`.trim(), {
          status,
          exchangeName: error?.name,
        });
      }
      if (status === 401 && keys && !reread && (error === undefined || KEY_REFUSALS.has(error.name))) {
        // The key may have been rotated: read it once more from its store. A 401 is a refusal before
        // processing, so even an order may be sent again with the same identifier (as after a 429).
        reread = true;
        const fresh = await this.keys.reread();
        if (fresh.accessKey !== keys.accessKey || fresh.secretKey !== keys.secretKey) {
          keys = fresh;
          attempt--;
          continue;
        }
      }
      if (status >= 400) throw mapClientError(route, status, error);

      try {
        return parseLossless(text);
      } catch (e) {
        if (c.kind !== 'safe') throw doubt(c, 'unreadable answer', { cause: e });
        if (!last) continue;
        throw new ExchangeUnavailable(`${route}: unreadable answer`, { cause: e });
      }
    }
  }

  private url(c: Call): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    if (c.method === 'POST' || !c.params || c.params.length === 0) return `${base}${c.path}`;
    return `${base}${c.path}?${encodeQuery(c.params)}`;
  }

  private init(c: Call, keys: UpbitKeys | undefined): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (keys) {
      headers.authorization = `Bearer ${signUpbitToken({ accessKey: keys.accessKey, secretKey: keys.secretKey, params: c.params })}`;
    }
    const init: RequestInit = { method: c.method, headers, signal: AbortSignal.timeout(this.o.timeoutMs) };
    if (c.method === 'POST') {
      headers['content-type'] = 'application/json; charset=utf-8';
      // Body fields in the same order as the hashed query string.
      init.body = JSON.stringify(Object.fromEntries(c.params ?? []));
    }
    return init;
  }
}

// ---------------------------------------------------------------------------------------------
// Error mapping

/** A request that creates something went out and its outcome is unknown. */
function doubt(c: Call, what: string, details: ExchangeErrorDetails): ExchangeError {
  if (c.kind === 'withdrawal')
    return new WithdrawalOutcomeUnknown(
      `withdrawal ${what}: look it up among recent withdrawals before anything else`,
      details,
    );
  return new PlacementOutcomeUnknown(`order ${c.identifier}: ${what}`, c.identifier ?? '', details);
}

interface ErrorBody {
  name: string;
  message: string;
}

function errorBody(text: string): ErrorBody | undefined {
  try {
    const parsed = errorSchema.safeParse(parseLossless(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function mapClientError(route: string, status: number, error: ErrorBody | undefined): ExchangeError {
  const name = error?.name ?? '';
  const message = `${route}: ${status} ${name} ${error?.message ?? ''}`.trim();
  const details = { status, exchangeName: error?.name };
  if (status === 401) return new AuthenticationFailed(message, details);
  if (name === 'withdraw_address') return new AddressNotAllowed(message, details);
  if (status === 404 && route.endsWith('/v1/withdraw')) return new WithdrawalNotFound(message, details);
  if (name.startsWith('insufficient_funds')) return new InsufficientFunds(message, details);
  if (name.startsWith('invalid_price')) return new InvalidTick(message, details);
  if (name.startsWith('under_min_total')) return new BelowMinimum(message, details);
  if (name.includes('identifier')) return new DuplicateIdentifier(message, details);
  if (name === 'order_not_found' || (status === 404 && route.endsWith('/v1/order')))
    return new OrderNotFound(message, details);
  if (name.startsWith('exceeds_orderbook')) return new ExceedsBookDepth(message, details);
  if (route.includes('/v1/order')) return new OrderRejected(message, details);
  return new ExchangeError(message, details);
}

/** Ban length from a 418 message such as "... 60초" or "... 60 seconds". */
function banSeconds(message: string | undefined): number | undefined {
  const m = message ? /(\d+)\s*(?:초|sec|s\b)/i.exec(message) : null;
  return m ? Number(m[1]) : undefined;
}

function isConnectionRefused(e: unknown): boolean {
  const code = (e as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? e.name + ': ' + e.message;
  }
  return String(e);
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

// ---------------------------------------------------------------------------------------------
// Response schemas (after lossless parsing every JSON number is a string)

const dec = z.pipe(
  z.string(),
  z.transform((s: string, ctx) => {
    try {
      return decimal(new Decimal(s));
    } catch {
      ctx.issues.push({ code: 'custom', message: `not a non-negative decimal: ${s}`, input: s });
      return z.NEVER;
    }
  }),
);
const epochMs = z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number));

const errorSchema = z.object({ error: z.object({ name: z.string(), message: z._default(z.string(), '') }) });

const tickerSchema = z.object({
  market: z.string(),
  trade_price: dec,
  trade_timestamp: epochMs,
  timestamp: epochMs,
  acc_trade_volume_24h: dec,
  acc_trade_price_24h: dec,
});

const orderbookSchema = z.object({
  market: z.string(),
  timestamp: epochMs,
  total_ask_size: dec,
  total_bid_size: dec,
  orderbook_units: z.array(z.object({ ask_price: dec, bid_price: dec, ask_size: dec, bid_size: dec })),
});

const instrumentSchema = z.object({ market: z.string(), quote_currency: z.string(), tick_size: dec });

const accountSchema = z.object({
  currency: z.string(),
  balance: dec,
  locked: dec,
  avg_buy_price: z._default(dec, ZERO),
});

const chanceSchema = z.object({
  ask_fee: dec,
  market: z.object({
    id: z.string(),
    state: z.string(),
    ask: z.object({ currency: z.string(), min_total: dec }),
    bid: z.object({ currency: z.string(), min_total: dec }),
    max_total: z.nullish(dec),
  }),
  ask_account: accountSchema,
  bid_account: accountSchema,
});

const tradeSchema = z.object({ uuid: z.string(), price: dec, volume: dec, funds: dec, created_at: z.string() });

const orderSchema = z.object({
  uuid: z.string(),
  side: z.enum(['ask', 'bid']),
  ord_type: z.enum(['limit', 'market', 'best', 'price']),
  price: z.nullish(dec),
  state: z.enum(['wait', 'watch', 'done', 'cancel']),
  market: z.string(),
  created_at: z.string(),
  volume: z.nullish(dec),
  remaining_volume: z.nullish(dec),
  paid_fee: dec,
  executed_volume: dec,
  executed_funds: z.nullish(dec),
  identifier: z.nullish(z.string()),
  time_in_force: z.nullish(z.string()),
  trades: z.optional(z.array(tradeSchema)),
});

const addressSchema = z.object({
  currency: z.string(),
  net_type: z.string(),
  withdraw_address: z.string(),
  secondary_address: z.nullish(z.string()),
});

const withdrawalSchema = z.object({
  uuid: z.string(),
  currency: z.string(),
  net_type: z.string(),
  txid: z.nullish(z.string()),
  state: z.enum(['WAITING', 'PROCESSING', 'DONE', 'FAILED', 'CANCELLED', 'REJECTED']),
  created_at: z.string(),
  done_at: z.nullish(z.string()),
  amount: dec,
  fee: dec,
  transaction_type: z._default(z.string(), 'default'),
});

function toWithdrawal(w: z.output<typeof withdrawalSchema>): Withdrawal {
  return {
    uuid: w.uuid,
    currency: w.currency,
    netType: w.net_type,
    state: w.state,
    amount: w.amount,
    fee: w.fee,
    transactionType: w.transaction_type,
    txid: w.txid ?? undefined,
    createdAt: new Date(w.created_at),
    doneAt: w.done_at ? new Date(w.done_at) : undefined,
  };
}

function parse<S extends z.ZodMiniType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new ExchangeError(`unexpected ${what} response: ${r.error.message}`);
  return r.data;
}

function toBalance(a: z.output<typeof accountSchema>): Balance {
  return { currency: a.currency, balance: a.balance, locked: a.locked, avgBuyPrice: a.avg_buy_price };
}

function toOrder(o: z.output<typeof orderSchema>): ExchangeOrder {
  const trades = (o.trades ?? []).map((t) => ({
    uuid: t.uuid,
    price: t.price,
    volume: t.volume,
    funds: t.funds,
    createdAt: new Date(t.created_at),
  }));
  const volume = o.volume ?? o.executed_volume;
  return {
    uuid: o.uuid,
    identifier: o.identifier ?? undefined,
    market: o.market,
    side: o.side,
    type: o.ord_type,
    timeInForce: o.time_in_force ?? undefined,
    price: o.price ?? undefined,
    volume,
    remainingVolume: o.remaining_volume ?? volume.sub(o.executed_volume),
    executedVolume: o.executed_volume,
    executedFunds: o.executed_funds ?? sum(trades.map((t) => t.funds)),
    paidFee: o.paid_fee,
    state: o.state,
    createdAt: new Date(o.created_at),
    trades,
  };
}
