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
import { Decimal, decimalString, sum, ZERO } from '#domain/money';
import {
  DuplicateIdentifier,
  ExchangeError,
  OrderNotFound,
  OrderRejected,
  PlacementOutcomeUnknown,
  isFinal,
  type Balance,
  type ClosedOrderQuery,
  type Exchange,
  type ExchangeOrder,
  type MarketRules,
  type OrderHistory,
  type OrderRef,
  type PlaceOutcome,
  type SellOrder,
  type Withdrawal,
  type WithdrawalAddress,
  type WithdrawalQuery,
  type WithdrawalRequest,
  type WithdrawalVenue,
} from './exchange';
import type { Params } from './upbit-auth';
import { dec, parse, UpbitQuotations } from './upbit-quotations';

export type { UpbitExchangeOptions, UpbitKeys, UpbitKeySource, UpbitTuning } from './upbit-quotations';

/** The whole adapter: the quotations with the exchange's private calls (orders, balances, withdrawals). */
export class UpbitExchange extends UpbitQuotations implements Exchange, OrderHistory, WithdrawalVenue {
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
}

// ---------------------------------------------------------------------------------------------
// Response schemas (after lossless parsing every JSON number is a string)

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
