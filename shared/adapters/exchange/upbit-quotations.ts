/**
 * The Upbit adapter's plumbing and its public quotation reads (tickers, order books): every request
 * through the shared rate budget, `Remaining-Req` pacing, retries and bans, lossless parsing and the
 * error mapping (upbit.ts describes them). Apart from the exchange's private calls (orders,
 * balances, withdrawals: `UpbitExchange` in upbit.ts, which extends it) so that the price poller,
 * which only reads quotations, does not carry them in its bundle.
 */
import * as z from 'zod/mini';
import { Decimal, decimal } from '#domain/money';
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
  type Exchange,
  type OrderBook,
  type Quote,
  type ExchangeErrorDetails,
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
export type Kind = 'safe' | 'order' | 'withdrawal';

export interface Call {
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

/** The exchange's public quotation reads (no key is used), over the plumbing its private calls share. */
export class UpbitQuotations implements Pick<Exchange, 'quotes' | 'orderBooks'> {
  protected readonly o: Required<Omit<UpbitTuning, 'budget'>>;
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
  protected async readMarkets<S extends z.ZodMiniType>(
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

  private backoff(attempt: number): number {
    const cap = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    // Equal jitter: at least half the step, so clients that collided spread out without stalling.
    return Math.round(cap / 2 + (cap / 2) * this.o.random());
  }

  protected async call(c: Call): Promise<unknown> {
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

export const dec = z.pipe(
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

export function parse<S extends z.ZodMiniType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new ExchangeError(`unexpected ${what} response: ${r.error.message}`);
  return r.data;
}
