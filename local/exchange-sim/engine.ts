/**
 * The simulated exchange's own records (accounts, orders, identifiers) and its answers to each Upbit
 * route, in Upbit's shapes: quotation APIs with JSON numbers, order APIs with decimal strings, errors
 * as `{"error":{"name","message"}}`.
 */
import { Decimal, ZERO, floorToStep, sum } from '#domain/money';
import { JsonNumber } from '#adapters/exchange/lossless-json';
import { hashInts } from './random';
import type { SimClock } from './clock';
import type { SimMarket } from './market';
import { DAY_MS } from './source';
import { kstIso, parseInstant, ymdHms } from './times';

export interface Reply {
  status: number;
  body: unknown;
}

export interface SimTrade {
  uuid: string;
  price: Decimal;
  volume: Decimal;
  funds: Decimal;
  createdAt: Date;
}

/** The exchange's record of an order (what tests assert on). */
export interface SimOrder {
  uuid: string;
  identifier?: string;
  accessKey: string;
  market: string;
  side: 'ask';
  ordType: 'limit' | 'market' | 'best';
  timeInForce?: 'ioc' | 'fok';
  price?: Decimal;
  volume: Decimal;
  state: 'wait' | 'done' | 'cancel';
  createdAt: Date;
  trades: SimTrade[];
  paidFee: Decimal;
  locked: Decimal;
}

export interface Rejection {
  accessKey: string;
  identifier?: string;
  name: string;
  message: string;
  at: Date;
}

export interface EngineOptions {
  seed: number;
  askFee: Decimal;
  minOrderTotal: Decimal;
  maxOrderTotal: Decimal;
}

const LOT = 8;
const VOLUME = /^\d+(\.\d{1,8})?$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** Exchange errors carry a string name; quotation (public) errors carry the HTTP status as an integer name. */
export function err(status: number, name: string | number, message: string): Reply {
  return { status, body: { error: { name, message } } };
}

/** A quotation error: `{"error":{"name":404,"message":"Code not found"}}`. */
export function publicErr(status: number, message: string): Reply {
  return err(status, status, message);
}

const num = (d: Decimal) => new JsonNumber(d.toFixed());

export class Engine {
  readonly orders: SimOrder[] = [];
  readonly rejections: Rejection[] = [];
  /** Every identifier ever presented, even by refused orders: a repeat is refused forever. */
  private readonly identifiers = new Set<string>();
  private readonly balances = new Map<string, Map<string, { balance: Decimal; locked: Decimal }>>();
  private uuidCounter = 0;

  constructor(
    private readonly markets: ReadonlyMap<string, SimMarket>,
    private readonly clock: SimClock,
    private readonly o: EngineOptions,
  ) {}

  // ------------------------------------------------------------------ accounts

  private wallet(accessKey: string, currency: string): { balance: Decimal; locked: Decimal } {
    let w = this.balances.get(accessKey);
    if (!w) this.balances.set(accessKey, (w = new Map<string, { balance: Decimal; locked: Decimal }>()));
    let c = w.get(currency);
    if (!c) w.set(currency, (c = { balance: ZERO, locked: ZERO }));
    return c;
  }

  credit(accessKey: string, currency: string, amount: Decimal): void {
    const w = this.wallet(accessKey, currency);
    w.balance = w.balance.add(amount);
  }

  balanceOf(accessKey: string, currency: string): { balance: Decimal; locked: Decimal } {
    const w = this.wallet(accessKey, currency);
    return { balance: w.balance, locked: w.locked };
  }

  /** A fresh id, deterministic for the seed (orders, trades, withdrawals). */
  uuid(): string {
    this.uuidCounter++;
    const hex = [0, 1, 2, 3]
      .map((i) => hashInts(this.o.seed, this.uuidCounter, i).toString(16).padStart(8, '0'))
      .join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  // ------------------------------------------------------------------ quotation

  private marketsParam(q: URLSearchParams): SimMarket[] | Reply {
    const codes = (q.get('markets') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (codes.length === 0) return publicErr(400, 'markets required');
    const found: SimMarket[] = [];
    for (const code of codes) {
      const m = this.markets.get(code);
      if (!m) return publicErr(404, 'Code not found');
      found.push(m);
    }
    return found;
  }

  ticker(q: URLSearchParams): Reply {
    const ms = this.marketsParam(q);
    if (!Array.isArray(ms)) return ms;
    const now = this.clock.nowMs();
    const dayStart = now - (now % DAY_MS); // Upbit's trading day starts at 00:00 UTC (09:00 KST)
    const [tradeDate, tradeTime] = ymdHms(new Date(now));
    const [tradeDateKst, tradeTimeKst] = ymdHms(new Date(now + 9 * 3_600_000));
    return {
      status: 200,
      body: ms.map((m) => {
        const tick = m.tickAt(now);
        const price = (t: number) => floorToStep(m.midAt(t), tick);
        const trade = price(now);
        const open = price(dayStart);
        const today = m.source.window(dayStart, now);
        const last24 = m.source.window(now - DAY_MS, now);
        const ownToday = m.ownWindow(dayStart, now);
        const own24 = m.ownWindow(now - DAY_MS, now);
        const change = trade.sub(open);
        const rate = open.isZero() ? ZERO : change.div(open).toDecimalPlaces(8);
        const high = Decimal.max(trade, floorToStep(today.high, tick));
        const low = Decimal.min(trade, floorToStep(today.low, tick));
        return {
          market: m.code,
          trade_date: tradeDate,
          trade_time: tradeTime,
          trade_date_kst: tradeDateKst,
          trade_time_kst: tradeTimeKst,
          trade_timestamp: new JsonNumber(String(now)),
          opening_price: num(open),
          high_price: num(high),
          low_price: num(low),
          trade_price: num(trade),
          prev_closing_price: num(open),
          change: change.isZero() ? 'EVEN' : change.gt(0) ? 'RISE' : 'FALL',
          change_price: num(change.abs()),
          change_rate: num(rate.abs()),
          signed_change_price: num(change),
          signed_change_rate: num(rate),
          trade_volume: num(m.source.minuteVolumeAt(now).div(10).toDecimalPlaces(LOT, Decimal.ROUND_DOWN)),
          acc_trade_price: num(today.value.add(ownToday.value).toDecimalPlaces(LOT)),
          acc_trade_price_24h: num(last24.value.add(own24.value).toDecimalPlaces(LOT)),
          acc_trade_volume: num(today.volume.add(ownToday.volume).toDecimalPlaces(LOT)),
          acc_trade_volume_24h: num(last24.volume.add(own24.volume).toDecimalPlaces(LOT)),
          // The simulator keeps no year of history: the 52-week fields repeat today's range.
          highest_52_week_price: num(high),
          highest_52_week_date: new Date(now).toISOString().slice(0, 10),
          lowest_52_week_price: num(low),
          lowest_52_week_date: new Date(now).toISOString().slice(0, 10),
          timestamp: new JsonNumber(String(now)),
        };
      }),
    };
  }

  /** GET /v1/ticker/all: every market quoted in one of `quote_currencies` (e.g. `KRW`). */
  tickerAll(q: URLSearchParams): Reply {
    const quotes = (q.get('quote_currencies') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (quotes.length === 0) return publicErr(400, 'quote_currencies required');
    const codes = [...this.markets.keys()].filter((c) => quotes.includes(c.split('-')[0]!));
    return codes.length === 0
      ? { status: 200, body: [] }
      : this.ticker(new URLSearchParams({ markets: codes.join(',') }));
  }

  orderbook(q: URLSearchParams): Reply {
    const ms = this.marketsParam(q);
    if (!Array.isArray(ms)) return ms;
    const now = this.clock.nowMs();
    return {
      status: 200,
      body: ms.map((m) => {
        const book = m.book(now);
        const n = Math.min(book.bids.length, book.asks.length);
        const units = [];
        for (let i = 0; i < n; i++) {
          units.push({
            ask_price: num(book.asks[i]!.price),
            bid_price: num(book.bids[i]!.price),
            ask_size: num(book.asks[i]!.size),
            bid_size: num(book.bids[i]!.size),
          });
        }
        return {
          market: m.code,
          timestamp: new JsonNumber(String(now)),
          total_ask_size: num(sum(book.asks.slice(0, n).map((l) => l.size))),
          total_bid_size: num(sum(book.bids.slice(0, n).map((l) => l.size))),
          orderbook_units: units,
          level: new JsonNumber('0'),
        };
      }),
    };
  }

  instruments(q: URLSearchParams): Reply {
    const ms = this.marketsParam(q);
    if (!Array.isArray(ms)) return ms;
    const now = this.clock.nowMs();
    return {
      status: 200,
      body: ms.map((m) => ({
        market: m.code,
        quote_currency: 'KRW',
        tick_size: m.tickAt(now).toFixed(),
        supported_levels: ['0'],
      })),
    };
  }

  // ------------------------------------------------------------------ exchange

  private account(accessKey: string, currency: string) {
    const w = this.wallet(accessKey, currency);
    return {
      currency,
      balance: w.balance.toFixed(),
      locked: w.locked.toFixed(),
      avg_buy_price: '0',
      avg_buy_price_modified: false,
      unit_currency: 'KRW',
    };
  }

  accounts(accessKey: string): Reply {
    const w = this.balances.get(accessKey) ?? new Map<string, unknown>();
    const currencies = ['KRW', ...[...w.keys()].filter((c) => c !== 'KRW').sort()];
    return { status: 200, body: currencies.map((c) => this.account(accessKey, c)) };
  }

  chance(accessKey: string, q: URLSearchParams): Reply {
    const m = this.markets.get(q.get('market') ?? '');
    if (!m) return err(404, 'market_does_not_exist', 'market does not exist');
    const fee = this.o.askFee.toFixed();
    return {
      status: 200,
      body: {
        bid_fee: fee,
        ask_fee: fee,
        maker_bid_fee: fee,
        maker_ask_fee: fee,
        market: {
          id: m.code,
          name: `${m.baseCurrency}/KRW`,
          order_types: ['limit'],
          order_sides: ['ask', 'bid'],
          bid_types: ['limit', 'price', 'best_ioc', 'best_fok', 'limit_ioc', 'limit_fok'],
          ask_types: ['limit', 'market', 'best_ioc', 'best_fok', 'limit_ioc', 'limit_fok'],
          bid: { currency: 'KRW', min_total: this.o.minOrderTotal.toFixed() },
          ask: { currency: m.baseCurrency, min_total: this.o.minOrderTotal.toFixed() },
          max_total: this.o.maxOrderTotal.toFixed(),
          state: 'active',
        },
        bid_account: this.account(accessKey, 'KRW'),
        ask_account: this.account(accessKey, m.baseCurrency),
      },
    };
  }

  private reject(
    accessKey: string,
    identifier: string | undefined,
    status: number,
    name: string,
    message: string,
  ): Reply {
    this.rejections.push({ accessKey, identifier, name, message, at: this.clock.now() });
    return err(status, name, message);
  }

  /** POST /v1/orders. `partial` is a fault: fill at most that share. */
  placeOrder(accessKey: string, body: Record<string, unknown>, partial?: string): Reply {
    const str = (k: string) =>
      typeof body[k] === 'string'
        ? body[k]
        : body[k] === undefined || body[k] === null
          ? undefined
          : JSON.stringify(body[k]);
    const identifier = str('identifier');
    if (identifier !== undefined) {
      if (this.identifiers.has(identifier))
        return this.reject(accessKey, identifier, 400, 'duplicated_identifier', 'identifier already used');
      this.identifiers.add(identifier); // spent now, whatever happens next
    }
    const no = (name: string, message: string) => this.reject(accessKey, identifier, 400, name, message);
    const m = this.markets.get(str('market') ?? '');
    if (!m) return no('notfoundmarket', 'market does not exist');
    const side = str('side');
    if (side === 'bid') return no('create_bid_error', 'the simulator takes sell orders only');
    if (side !== 'ask') return no('validation_error', 'side must be ask or bid');
    const ordType = str('ord_type');
    const tif = str('time_in_force');
    const volumeText = str('volume');
    const priceText = str('price');
    if (ordType !== 'limit' && ordType !== 'market' && ordType !== 'best')
      return no('create_ask_error', `ord_type ${ordType} cannot sell`);
    if (tif !== undefined && tif !== 'ioc' && tif !== 'fok')
      return no('invalid_time_in_force', `time_in_force ${tif} not supported`);
    if (ordType === 'market' && (priceText !== undefined || tif !== undefined))
      return no('create_ask_error', 'a market sell takes volume only');
    if (ordType === 'best' && (priceText !== undefined || tif === undefined))
      return no('create_ask_error', 'a best order takes volume and time_in_force');
    if (ordType === 'limit' && priceText === undefined) return no('create_ask_error', 'a limit order needs a price');
    if (!volumeText || !VOLUME.test(volumeText) || new Decimal(volumeText).lte(0))
      return no('invalid_volume_ask', 'volume must be positive with at most 8 decimals');
    const volume = new Decimal(volumeText);
    const now = this.clock.nowMs();
    const book = m.book(now);
    const tick = book.tick;
    let price: Decimal | undefined;
    if (priceText !== undefined) {
      if (!DECIMAL.test(priceText) || new Decimal(priceText).lte(0))
        return no('invalid_price_ask', 'price must be positive');
      price = new Decimal(priceText);
      if (!price.mod(tick).isZero())
        return no('invalid_price_ask', `price must be a multiple of the tick size ${tick.toFixed()}`);
    }
    const reference = price ?? book.bids[0]?.price ?? ZERO;
    if (reference.mul(volume).lt(this.o.minOrderTotal))
      return no('under_min_total_ask', `order total under the minimum ${this.o.minOrderTotal.toFixed()} KRW`);
    if (reference.mul(volume).gt(this.o.maxOrderTotal)) return no('over_max_total_ask', 'order total over the maximum');
    const coin = this.wallet(accessKey, m.baseCurrency);
    if (volume.gt(coin.balance)) return no('insufficient_funds_ask', 'insufficient balance');

    const order: SimOrder = {
      uuid: this.uuid(),
      identifier,
      accessKey,
      market: m.code,
      side: 'ask',
      ordType,
      timeInForce: tif,
      price: ordType === 'best' ? book.bids[0]?.price : price,
      volume,
      state: 'wait',
      createdAt: this.clock.now(),
      trades: [],
      paidFee: ZERO,
      locked: volume,
    };
    const ack = this.orderJson(order, 'ack'); // Upbit acknowledges before matching
    const execution = m.sell(now, {
      volume,
      limit: ordType === 'market' ? undefined : order.price,
      fok: tif === 'fok',
      market: ordType === 'market',
      capFraction: partial ? new Decimal(partial) : undefined,
    });
    if (execution.exceedsDepth)
      return no('exceeds_orderbook_depth_ask', 'market sell larger than the bid side of the order book');
    coin.balance = coin.balance.sub(volume);
    coin.locked = coin.locked.add(volume);
    this.orders.push(order);
    this.applyFills(order, execution.fills);
    if (order.timeInForce || order.ordType === 'market')
      this.close(order, order.trades.length > 0 && this.remaining(order).isZero() ? 'done' : 'cancel');
    return { status: 201, body: ack };
  }

  private remaining(o: SimOrder): Decimal {
    return o.volume.sub(sum(o.trades.map((t) => t.volume)));
  }

  private applyFills(order: SimOrder, fills: { price: Decimal; size: Decimal }[]): void {
    const coin = this.wallet(order.accessKey, this.markets.get(order.market)!.baseCurrency);
    const krw = this.wallet(order.accessKey, 'KRW');
    for (const f of fills) {
      const funds = f.price.mul(f.size);
      const fee = funds.mul(this.o.askFee).toDecimalPlaces(LOT, Decimal.ROUND_HALF_UP);
      order.trades.push({ uuid: this.uuid(), price: f.price, volume: f.size, funds, createdAt: this.clock.now() });
      order.paidFee = order.paidFee.add(fee);
      order.locked = order.locked.sub(f.size);
      coin.locked = coin.locked.sub(f.size);
      krw.balance = krw.balance.add(funds).sub(fee);
    }
    if (this.remaining(order).isZero()) order.state = 'done';
  }

  /** Ends an order and returns its unfilled coins. */
  private close(order: SimOrder, state: 'done' | 'cancel'): void {
    const coin = this.wallet(order.accessKey, this.markets.get(order.market)!.baseCurrency);
    coin.locked = coin.locked.sub(order.locked);
    coin.balance = coin.balance.add(order.locked);
    order.locked = ZERO;
    order.state = state;
  }

  /** Resting limit orders fill when the bid reaches them (checked whenever the exchange is asked anything). */
  matchResting(): void {
    const now = this.clock.nowMs();
    for (const order of this.orders) {
      if (order.state !== 'wait' || !order.price) continue;
      const m = this.markets.get(order.market)!;
      const left = this.remaining(order);
      const bid = m.book(now).bids[0]?.price;
      if (!bid || bid.lt(order.price)) continue;
      this.applyFills(order, m.sell(now, { volume: left, limit: order.price }).fills);
    }
  }

  private find(accessKey: string, q: URLSearchParams): SimOrder | undefined {
    const uuid = q.get('uuid');
    const identifier = q.get('identifier');
    return this.orders.find(
      (o) => o.accessKey === accessKey && (uuid ? o.uuid === uuid : identifier !== null && o.identifier === identifier),
    );
  }

  getOrder(accessKey: string, q: URLSearchParams): Reply {
    if (!q.get('uuid') && !q.get('identifier')) return err(400, 'validation_error', 'uuid or identifier required');
    const order = this.find(accessKey, q);
    if (!order) return err(404, 'order_not_found', '주문을 찾지 못했습니다.');
    return { status: 200, body: this.orderJson(order, 'full') };
  }

  cancel(accessKey: string, q: URLSearchParams): Reply {
    if (!q.get('uuid') && !q.get('identifier')) return err(400, 'validation_error', 'uuid or identifier required');
    const order = this.find(accessKey, q);
    if (!order) return err(404, 'order_not_found', '주문을 찾지 못했습니다.');
    if (order.state !== 'wait') return err(400, 'order_not_cancellable', `order is ${order.state}`);
    this.close(order, 'cancel');
    return { status: 200, body: this.orderJson(order, 'plain') };
  }

  // ------------------------------------------------------------------ order lists

  /** GET /v1/orders/open: `wait` (default) or `watch` orders, newest first, paged. */
  openOrders(accessKey: string, q: URLSearchParams): Reply {
    const states = statesParam(q, ['wait', 'watch'], ['wait']);
    const limit = intParam(q, 'limit', 100, 100);
    const page = intParam(q, 'page', 1, Number.MAX_SAFE_INTEGER);
    const orderBy = orderByParam(q);
    for (const bad of [states, limit, page, orderBy]) if (isReply(bad)) return bad;
    const market = q.get('market');
    const found = this.orders.filter(
      (o) => o.accessKey === accessKey && (states as string[]).includes(o.state) && (!market || o.market === market),
    );
    const sorted = sortByCreation(found, orderBy as 'asc' | 'desc');
    const from = ((page as number) - 1) * (limit as number);
    return { status: 200, body: sorted.slice(from, from + (limit as number)).map((o) => this.orderJson(o, 'plain')) };
  }

  /**
   * GET /v1/orders/closed: `done` and `cancel` orders created in a window of at most 7 days
   * (`start_time` / `end_time`, ISO 8601 with zone or epoch ms; either alone spans 7 days from it,
   * neither the last 7 days), up to `limit` (100, at most 1000), newest first unless `order_by=asc`.
   */
  closedOrders(accessKey: string, q: URLSearchParams): Reply {
    const states = statesParam(q, ['done', 'cancel'], ['done', 'cancel']);
    const limit = intParam(q, 'limit', 100, 1000);
    const orderBy = orderByParam(q);
    for (const bad of [states, limit, orderBy]) if (isReply(bad)) return bad;
    const parse = (k: string) => {
      const text = q.get(k);
      return text === null ? null : parseInstant(text);
    };
    let start = parse('start_time');
    let end = parse('end_time');
    if (start === undefined || end === undefined)
      return err(400, 'validation_error', 'start_time and end_time are ISO 8601 with a zone, or epoch milliseconds');
    const WEEK = 7 * DAY_MS;
    if (start === null && end === null) end = this.clock.nowMs();
    if (start === null) start = end! - WEEK;
    if (end === null) end = start + WEEK;
    if (end < start || end - start > WEEK)
      return err(400, 'validation_error', 'the window between start_time and end_time is at most 7 days');
    const market = q.get('market');
    const found = this.orders.filter(
      (o) =>
        o.accessKey === accessKey &&
        (states as string[]).includes(o.state) &&
        (!market || o.market === market) &&
        o.createdAt.getTime() >= start &&
        o.createdAt.getTime() <= end,
    );
    return {
      status: 200,
      body: sortByCreation(found, orderBy as 'asc' | 'desc')
        .slice(0, limit as number)
        .map((o) => this.orderJson(o, 'plain')),
    };
  }

  /** GET /v1/orders/uuids: by `uuids[]` or `identifiers[]` (one of them, at most 100), newest first. */
  ordersByUuids(accessKey: string, q: URLSearchParams): Reply {
    const uuids = q.getAll('uuids[]');
    const identifiers = q.getAll('identifiers[]');
    const orderBy = orderByParam(q);
    if (isReply(orderBy)) return orderBy;
    if ((uuids.length === 0) === (identifiers.length === 0))
      return err(400, 'validation_error', 'give uuids[] or identifiers[], not both');
    if (uuids.length + identifiers.length > 100)
      return err(400, 'validation_error', 'at most 100 uuids or identifiers');
    const market = q.get('market');
    const found = this.orders.filter(
      (o) =>
        o.accessKey === accessKey &&
        (!market || o.market === market) &&
        (uuids.length > 0 ? uuids.includes(o.uuid) : o.identifier !== undefined && identifiers.includes(o.identifier)),
    );
    return { status: 200, body: sortByCreation(found, orderBy).map((o) => this.orderJson(o, 'plain')) };
  }

  // ------------------------------------------------------------------ funds (withdrawals)

  /** Moves `amount` from available to locked; false (nothing moved) when the balance is short. */
  lock(accessKey: string, currency: string, amount: Decimal): boolean {
    const w = this.wallet(accessKey, currency);
    if (amount.gt(w.balance)) return false;
    w.balance = w.balance.sub(amount);
    w.locked = w.locked.add(amount);
    return true;
  }

  /** Locked funds back to available (a withdrawal that failed). */
  unlock(accessKey: string, currency: string, amount: Decimal): void {
    const w = this.wallet(accessKey, currency);
    w.locked = w.locked.sub(amount);
    w.balance = w.balance.add(amount);
  }

  /** Locked funds leave the account (a withdrawal that went through). */
  spendLocked(accessKey: string, currency: string, amount: Decimal): void {
    const w = this.wallet(accessKey, currency);
    w.locked = w.locked.sub(amount);
  }

  /** `ack`: the placement answer, taken before matching (as Upbit answers); `full`: with trades. */
  orderJson(o: SimOrder, view: 'ack' | 'plain' | 'full'): Record<string, unknown> {
    const snapshot = view === 'ack';
    const withTrades = view === 'full';
    const executed = snapshot ? ZERO : sum(o.trades.map((t) => t.volume));
    const json: Record<string, unknown> = {
      uuid: o.uuid,
      side: o.side,
      ord_type: o.ordType,
      price: o.price ? o.price.toFixed() : null,
      state: snapshot ? 'wait' : o.state,
      market: o.market,
      created_at: kstIso(o.createdAt),
      volume: o.volume.toFixed(),
      remaining_volume: o.volume.sub(executed).toFixed(),
      reserved_fee: '0',
      remaining_fee: '0',
      paid_fee: (snapshot ? ZERO : o.paidFee).toFixed(),
      locked: (snapshot ? o.volume : o.locked).toFixed(),
      executed_volume: executed.toFixed(),
      executed_funds: (snapshot ? ZERO : sum(o.trades.map((t) => t.funds))).toFixed(),
      trades_count: snapshot ? 0 : o.trades.length,
      prevented_volume: '0',
      prevented_locked: '0',
    };
    if (o.identifier !== undefined) json.identifier = o.identifier;
    if (o.timeInForce) json.time_in_force = o.timeInForce;
    if (withTrades) {
      json.trades = o.trades.map((t) => ({
        market: o.market,
        uuid: t.uuid,
        price: t.price.toFixed(),
        volume: t.volume.toFixed(),
        funds: t.funds.toFixed(),
        trend: 'down',
        created_at: kstIso(t.createdAt),
        side: 'ask',
      }));
    }
    return json;
  }
}

// ---------------------------------------------------------------------------------------------
// Query parameters of the list endpoints

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x && 'body' in x;
}

/** `state` or `states[]` (not both), each one of `allowed`. */
export function statesParam(q: URLSearchParams, allowed: readonly string[], fallback: string[]): string[] | Reply {
  const one = q.get('state');
  const many = q.getAll('states[]');
  if (one !== null && many.length > 0)
    return err(400, 'validation_error', 'state and states[] cannot be used together');
  const states = one !== null ? [one] : many.length > 0 ? many : fallback;
  const bad = states.find((s) => !allowed.includes(s));
  return bad === undefined ? states : err(400, 'validation_error', `state ${bad} is not one of ${allowed.join(', ')}`);
}

/** An integer from 1 to `max`, `fallback` when absent; refused as an exchange error unless `refuse` says otherwise. */
export function intParam(
  q: URLSearchParams,
  key: string,
  fallback: number,
  max: number,
  refuse = (message: string) => err(400, 'validation_error', message),
): number | Reply {
  const text = q.get(key);
  if (text === null) return fallback;
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= max ? n : refuse(`${key} must be an integer from 1 to ${max}`);
}

export function orderByParam(q: URLSearchParams): 'asc' | 'desc' | Reply {
  const v = q.get('order_by') ?? 'desc';
  return v === 'asc' || v === 'desc' ? v : err(400, 'validation_error', 'order_by is asc or desc');
}

/** By creation time; ties keep the order in which the exchange took them. */
export function sortByCreation<T extends { createdAt: Date }>(items: readonly T[], orderBy: 'asc' | 'desc'): T[] {
  const asc = items
    .map((o, i) => ({ o, i }))
    .sort((a, b) => a.o.createdAt.getTime() - b.o.createdAt.getTime() || a.i - b.i)
    .map((x) => x.o);
  return orderBy === 'asc' ? asc : asc.reverse();
}
