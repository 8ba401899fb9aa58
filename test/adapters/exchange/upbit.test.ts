/**
 * The Upbit adapter over real HTTP against the local exchange simulator (synthetic market, so the
 * test does not depend on the data folder), including every typed error.
 */
import { Decimal, decimal, sum } from '#domain/money';
import {
  AddressNotAllowed,
  AuthenticationFailed,
  Banned,
  BelowMinimum,
  DuplicateIdentifier,
  ExceedsBookDepth,
  ExchangeUnavailable,
  InsufficientFunds,
  InvalidTick,
  OrderNotFound,
  PlacementOutcomeUnknown,
  RateLimited,
  WithdrawalNotFound,
  WithdrawalOutcomeUnknown,
  isFinalWithdrawal,
  type OrderBook,
} from '#adapters/exchange/exchange';
import { UpbitExchange, type UpbitExchangeOptions } from '#adapters/exchange/upbit';
import {
  WITHDRAWALS,
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimulatorOptions,
} from '../../../local/exchange-sim';

const KEYS = { accessKey: 'city-access-key', secretKey: 'city-secret-key' };
const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-THIN'];

let sim: ExchangeSimulator;
let slept: number[];

async function start(options: Partial<SimulatorOptions> = {}): Promise<void> {
  sim = await startExchangeSimulator({
    seed: 11,
    keys: [KEYS],
    dataDir: '/nonexistent',
    clock: '2024-01-03T00:00:00Z',
    ...options,
  });
  sim.accounts.credit('ETH', '10');
  sim.accounts.credit('XRP', '1000000');
}

/** A client on a fake clock: its waits are recorded and take no real time. */
function client(options: Partial<UpbitExchangeOptions> = {}): UpbitExchange {
  slept = [];
  let fakeNow = Date.now();
  return new UpbitExchange({
    baseUrl: sim.url,
    ...KEYS,
    timeoutMs: 2000,
    random: () => 0.5,
    now: () => fakeNow,
    sleep: async (ms) => {
      slept.push(ms);
      fakeNow += ms;
    },
    resolveDelayMs: 1,
    settleDelayMs: 1,
    ...options,
  });
}

async function book(ex: UpbitExchange, market: string): Promise<OrderBook> {
  return (await ex.orderBooks([market]))[0]!;
}

let seq = 0;
const id = (label: string) => `case-1-sale-1-${label}-${++seq}`;

afterEach(async () => {
  await sim.close();
});

describe('Upbit adapter: market data', () => {
  beforeEach(() => start());

  it('quotes several markets in one call, as exact decimals', async () => {
    const ex = client();
    const quotes = await ex.quotes(MARKETS);
    expect(quotes.map((q) => q.market)).toEqual(MARKETS);
    expect(sim.requests.filter((r) => r.path === '/v1/ticker')).toHaveLength(1);
    for (const q of quotes) {
      expect(q.tradePrice).toBeInstanceOf(Decimal);
      expect(q.tradePrice.gt(0)).toBe(true);
      expect(q.accTradeVolume24h.gt(0)).toBe(true);
      expect(q.accTradeValue24h.gt(q.accTradeVolume24h)).toBe(true);
      expect(q.timestamp.toISOString()).toBe('2024-01-03T00:00:00.000Z');
    }
  });

  it('reads order books of 30 levels on the tick, and market rules from instruments and chance', async () => {
    const ex = client();
    const books = await ex.orderBooks(['KRW-ETH', 'KRW-XRP']);
    for (const b of books) {
      const rules = await ex.marketRules(b.market);
      expect(b.bids).toHaveLength(30);
      expect(b.asks).toHaveLength(30);
      expect(b.bids[0]!.price.lt(b.asks[0]!.price)).toBe(true);
      for (let i = 1; i < 30; i++) {
        expect(b.bids[i]!.price.lt(b.bids[i - 1]!.price)).toBe(true);
        expect(b.asks[i]!.price.gt(b.asks[i - 1]!.price)).toBe(true);
      }
      for (const l of [...b.bids, ...b.asks]) expect(l.price.mod(rules.tickSize).isZero()).toBe(true);
      expect(b.totalBidSize.eq(sum(b.bids.map((l) => l.size)))).toBe(true);
      expect(rules.tickSize.eq(sim.market(b.market).tickAt(sim.clock.nowMs()))).toBe(true);
    }
    const eth = await ex.marketRules('KRW-ETH');
    expect(eth.askFee.toFixed()).toBe('0.0005');
    expect(eth.minOrderTotal.toFixed()).toBe('5000');
    expect(eth.baseCurrency).toBe('ETH');
    expect(eth.baseBalance.balance.toFixed()).toBe('10');
    expect(eth.quoteBalance.balance.toFixed()).toBe('0');
    expect((await ex.balances()).map((b) => [b.currency, b.balance.toFixed()])).toEqual([
      ['KRW', '0'],
      ['ETH', '10'],
      ['XRP', '1000000'],
    ]);
  });
});

describe('Upbit adapter: selling', () => {
  beforeEach(() => start());

  it('places a limit IOC sell, settles it and accounts for fills and the fee exactly', async () => {
    const ex = client();
    const b = await book(ex, 'KRW-ETH');
    const identifier = id('ioc');
    const volume = b.bids[0]!.size.div(4).toDecimalPlaces(4, Decimal.ROUND_DOWN); // small against the top level
    expect(volume.mul(b.bids[0]!.price).gte(5000)).toBe(true);
    const placed = await ex.placeOrResolve({
      market: 'KRW-ETH',
      identifier,
      type: 'limit',
      price: b.bids[0]!.price,
      volume,
      timeInForce: 'ioc',
    });
    expect(placed.outcome).toBe('placed');
    if (placed.outcome !== 'placed') return;
    expect(placed.resolvedByLookup).toBe(false);
    expect(placed.order.state).toBe('wait'); // Upbit acknowledges before matching
    const order = await ex.settle({ uuid: placed.order.uuid });
    expect(order.state).toBe('done');
    expect(order.identifier).toBe(identifier);
    expect(order.executedVolume.eq(volume)).toBe(true);
    expect(order.trades.length).toBeGreaterThan(0);
    for (const t of order.trades) expect(t.price.eq(b.bids[0]!.price)).toBe(true); // small against depth: all at the bid
    const funds = sum(order.trades.map((t) => t.funds));
    expect(order.executedFunds.eq(funds)).toBe(true);
    expect(order.paidFee.eq(funds.mul('0.0005'))).toBe(true);
    expect(await ex.getOrder({ identifier })).toEqual(order);
    const balances = Object.fromEntries((await ex.balances()).map((x) => [x.currency, x.balance.toFixed()]));
    expect(balances).toEqual({
      KRW: funds.sub(order.paidFee).toFixed(),
      ETH: decimal('10').sub(volume).toFixed(),
      XRP: '1000000',
    });
  });

  it('fills a best IOC order at the best bid, and a market sell across levels', async () => {
    const ex = client();
    const b = await book(ex, 'KRW-XRP');
    const best = await ex.placeOrResolve({
      market: 'KRW-XRP',
      identifier: id('best'),
      type: 'best',
      volume: decimal('100'),
      timeInForce: 'ioc',
    });
    if (best.outcome !== 'placed') throw new Error('not placed');
    const done = await ex.settle({ uuid: best.order.uuid });
    expect(done.state).toBe('done');
    expect(done.trades.every((t) => t.price.eq(b.bids[0]!.price))).toBe(true);

    const big = b.bids[0]!.size.add(b.bids[1]!.size).add('1').toDecimalPlaces(0, Decimal.ROUND_UP);
    const market = await ex.placeSell({ market: 'KRW-XRP', identifier: id('mkt'), type: 'market', volume: big });
    const settled = await ex.settle({ uuid: market.uuid });
    expect(settled.state).toBe('done');
    expect(settled.executedVolume.eq(big)).toBe(true);
    expect(new Set(settled.trades.map((t) => t.price.toFixed())).size).toBeGreaterThanOrEqual(3);
  });

  it('cancels only what is unfilled: FOK that cannot fill wholly, partial IOC, a resting order', async () => {
    const ex = client();
    const b = await book(ex, 'KRW-ETH');
    const fok = await ex.placeSell({
      market: 'KRW-ETH',
      identifier: id('fok'),
      type: 'limit',
      price: b.bids[0]!.price,
      volume: b.bids[0]!.size.add('0.5').toDecimalPlaces(2, Decimal.ROUND_UP),
      timeInForce: 'fok',
    });
    const fokDone = await ex.settle({ uuid: fok.uuid });
    expect(fokDone.state).toBe('cancel');
    expect(fokDone.executedVolume.isZero()).toBe(true);
    expect(sim.accounts.balance('ETH').balance.toFixed()).toBe('10');

    sim.faults.partialFill({ fraction: '0.4' });
    const ioc = await ex.placeSell({
      market: 'KRW-ETH',
      identifier: id('partial'),
      type: 'limit',
      price: b.bids[9]!.price,
      volume: decimal('1'),
      timeInForce: 'ioc',
    });
    const iocDone = await ex.settle({ uuid: ioc.uuid });
    expect(iocDone.state).toBe('cancel');
    expect(iocDone.executedVolume.toFixed()).toBe('0.4');
    expect(iocDone.remainingVolume.toFixed()).toBe('0.6');
    expect(sim.accounts.balance('ETH')).toEqual({ balance: decimal('9.6'), locked: decimal('0') });

    const rules = await ex.marketRules('KRW-ETH');
    const resting = await ex.placeSell({
      market: 'KRW-ETH',
      identifier: id('rest'),
      type: 'limit',
      price: b.asks[5]!.price.add(rules.tickSize.mul(100)),
      volume: decimal('1'),
    });
    expect((await ex.settle({ uuid: resting.uuid })).state).toBe('wait');
    expect(sim.accounts.balance('ETH').locked.toFixed()).toBe('1');
    const cancelled = await ex.cancelOrder({ uuid: resting.uuid });
    expect(cancelled.state).toBe('cancel');
    expect(sim.accounts.balance('ETH')).toEqual({ balance: decimal('9.6'), locked: decimal('0') });
    // Cancelling again reports the final record instead of failing.
    expect((await ex.cancelOrder({ uuid: resting.uuid })).state).toBe('cancel');
  });

  it('maps refusals to typed errors', async () => {
    const ex = client();
    const b = await book(ex, 'KRW-ETH');
    const bid = b.bids[0]!.price;
    await expect(
      ex.placeSell({
        market: 'KRW-ETH',
        identifier: id('tick'),
        type: 'limit',
        price: bid.sub(1),
        volume: decimal('0.01'),
        timeInForce: 'ioc',
      }),
    ).rejects.toBeInstanceOf(InvalidTick);
    await expect(
      ex.placeSell({
        market: 'KRW-ETH',
        identifier: id('min'),
        type: 'limit',
        price: bid,
        volume: decimal('0.0001'),
        timeInForce: 'ioc',
      }),
    ).rejects.toBeInstanceOf(BelowMinimum);
    await expect(
      ex.placeSell({
        market: 'KRW-ETH',
        identifier: id('funds'),
        type: 'limit',
        price: bid,
        volume: decimal('10.00000001'),
        timeInForce: 'ioc',
      }),
    ).rejects.toBeInstanceOf(InsufficientFunds);
    await expect(ex.getOrder({ identifier: 'never-placed' })).rejects.toBeInstanceOf(OrderNotFound);
    const thin = await book(ex, 'KRW-THIN');
    sim.accounts.credit('THIN', '100000000');
    await expect(
      ex.placeSell({ market: 'KRW-THIN', identifier: id('depth'), type: 'market', volume: thin.totalBidSize.add(1) }),
    ).rejects.toBeInstanceOf(ExceedsBookDepth);
    const wrongKey = new UpbitExchange({ baseUrl: sim.url, accessKey: KEYS.accessKey, secretKey: 'not-the-secret' });
    await expect(wrongKey.balances()).rejects.toBeInstanceOf(AuthenticationFailed);
    expect(sim.orders.all()).toHaveLength(0);
  });

  it('refuses an identifier forever, even after the first attempt failed; placeOrResolve reports it spent', async () => {
    const ex = client();
    const bid = (await book(ex, 'KRW-ETH')).bids[0]!.price;
    const identifier = id('dup');
    await expect(
      ex.placeSell({
        market: 'KRW-ETH',
        identifier,
        type: 'limit',
        price: bid,
        volume: decimal('0.0001'),
        timeInForce: 'ioc',
      }),
    ).rejects.toBeInstanceOf(BelowMinimum);
    const good = {
      market: 'KRW-ETH',
      identifier,
      type: 'limit' as const,
      price: bid,
      volume: decimal('0.1'),
      timeInForce: 'ioc' as const,
    };
    await expect(ex.placeSell(good)).rejects.toBeInstanceOf(DuplicateIdentifier);
    expect(await ex.placeOrResolve(good)).toMatchObject({ outcome: 'absent', identifier });
    expect(sim.orders.all()).toHaveLength(0);
  });

  it('returns the existing order when the same sell is asked for again (idempotent by identifier)', async () => {
    const ex = client();
    const bid = (await book(ex, 'KRW-ETH')).bids[9]!.price;
    const order = {
      market: 'KRW-ETH',
      identifier: id('again'),
      type: 'limit' as const,
      price: bid,
      volume: decimal('0.2'),
      timeInForce: 'ioc' as const,
    };
    const first = await ex.placeOrResolve(order);
    const second = await ex.placeOrResolve(order);
    expect(second).toMatchObject({ outcome: 'placed', resolvedByLookup: true });
    if (first.outcome !== 'placed' || second.outcome !== 'placed') throw new Error('not placed');
    expect(second.order.uuid).toBe(first.order.uuid);
    expect(sim.orders.byIdentifier(order.identifier)).toHaveLength(1);
    expect(sim.accounts.balance('ETH').balance.toFixed()).toBe('9.8');
  });
});

describe('Upbit adapter: lost answers', () => {
  beforeEach(() => start());

  for (const mode of ['destroy', '500', 'hang'] as const) {
    it(`resolves an order whose answer was lost (${mode}) by its identifier, without a second order`, async () => {
      const ex = client({ timeoutMs: 300 });
      const bid = (await book(ex, 'KRW-ETH')).bids[9]!.price;
      const order = {
        market: 'KRW-ETH',
        identifier: id(`lost-${mode}`),
        type: 'limit' as const,
        price: bid,
        volume: decimal('0.3'),
        timeInForce: 'ioc' as const,
      };
      sim.faults.loseAnswer({ mode });
      await expect(ex.placeSell(order)).rejects.toBeInstanceOf(PlacementOutcomeUnknown);
      expect(sim.orders.byIdentifier(order.identifier)).toHaveLength(1); // it did reach the exchange

      const other = { ...order, identifier: id(`lost-${mode}-b`) };
      sim.faults.loseAnswer({ mode });
      const outcome = await ex.placeOrResolve(other);
      expect(outcome).toMatchObject({ outcome: 'placed', resolvedByLookup: true });
      if (outcome.outcome !== 'placed') return;
      expect(outcome.order.identifier).toBe(other.identifier);
      expect(outcome.order.executedVolume.toFixed()).toBe('0.3');
      expect(sim.orders.byIdentifier(other.identifier)).toHaveLength(1);
      expect(sim.requests.filter((r) => r.method === 'POST').length).toBe(2); // one POST per order, no re-send
      expect(sim.accounts.balance('ETH').balance.toFixed()).toBe('9.4');
    });
  }

  it('reports an order sent without an answer and not found as in doubt, never as absent', async () => {
    const ex = client({ timeoutMs: 300 });
    const bid = (await book(ex, 'KRW-ETH')).bids[0]!.price;
    sim.faults.hang({ match: { method: 'POST', path: '/v1/orders' } });
    const outcome = await ex.placeOrResolve({
      market: 'KRW-ETH',
      identifier: id('never'),
      type: 'limit',
      price: bid,
      volume: decimal('0.3'),
      timeInForce: 'ioc',
    });
    expect(outcome).toMatchObject({ outcome: 'inDoubt' });
    expect(sim.orders.all()).toHaveLength(0);
    expect(sim.requests.filter((r) => r.path === '/v1/order')).toHaveLength(3); // resolveAttempts lookups
  });

  it('late processing: the request times out, lookups say not found, and the order executes later; the closed-order search then finds it by its prefix', async () => {
    const ex = client({ timeoutMs: 300 });
    const bid = (await book(ex, 'KRW-ETH')).bids[9]!.price;
    const identifier = id('late');
    const sentAt = new Date(sim.clock.nowMs());
    sim.faults.lateProcessing({ afterMs: 5000 });
    const outcome = await ex.placeOrResolve({
      market: 'KRW-ETH',
      identifier,
      type: 'limit',
      price: bid,
      volume: decimal('0.3'),
      timeInForce: 'ioc',
    });
    expect(outcome).toMatchObject({ outcome: 'inDoubt', identifier });
    await expect(ex.getOrder({ identifier })).rejects.toBeInstanceOf(OrderNotFound);
    expect(sim.orders.pendingLate()).toBe(1);
    sim.clock.advance(4000);
    await expect(ex.getOrder({ identifier })).rejects.toBeInstanceOf(OrderNotFound);
    sim.clock.advance(1000);
    const found = await ex.getOrder({ identifier });
    expect(found).toMatchObject({ identifier, state: 'done' });
    expect(found.executedVolume.toFixed()).toBe('0.3');
    const closed = await ex.closedOrders({
      market: 'KRW-ETH',
      from: new Date(sentAt.getTime() - 60_000),
      to: new Date(sim.clock.nowMs()),
    });
    expect(closed.filter((o) => o.identifier?.startsWith(identifier))).toHaveLength(1);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1); // never re-sent
  });

  it('stays in doubt (throws) when the lookups fail too', async () => {
    const ex = client({ maxAttempts: 2 });
    const bid = (await book(ex, 'KRW-ETH')).bids[0]!.price;
    sim.faults.loseAnswer();
    sim.faults.serverError({ times: 100, status: 503, match: { path: '/v1/order' } });
    await expect(
      ex.placeOrResolve({
        market: 'KRW-ETH',
        identifier: id('doubt'),
        type: 'limit',
        price: bid,
        volume: decimal('0.3'),
        timeInForce: 'ioc',
      }),
    ).rejects.toBeInstanceOf(PlacementOutcomeUnknown);
  });
});

describe('Upbit adapter: rate limits and outages', () => {
  it('backs off on 429 with bounded, jittered retries, then gives up with RateLimited', async () => {
    await start();
    const ex = client({ maxAttempts: 3, backoffBaseMs: 100 });
    sim.faults.rateLimit({ times: 2, match: { path: '/v1/ticker' } });
    expect(await ex.quotes(['KRW-BTC'])).toHaveLength(1);
    expect(slept).toEqual([75, 150]); // base x 2^(n-1), equal jitter at random() = 0.5
    sim.faults.rateLimit({ times: 3, match: { path: '/v1/ticker' } });
    await expect(ex.quotes(['KRW-BTC'])).rejects.toBeInstanceOf(RateLimited);
  });

  it('re-sends an order refused with 429 (not processed) with the same identifier, once placed', async () => {
    await start();
    const ex = client();
    const bid = (await book(ex, 'KRW-ETH')).bids[0]!.price;
    sim.faults.rateLimit({ match: { method: 'POST', path: '/v1/orders' } });
    const outcome = await ex.placeOrResolve({
      market: 'KRW-ETH',
      identifier: id('429'),
      type: 'limit',
      price: bid,
      volume: decimal('0.1'),
      timeInForce: 'ioc',
    });
    expect(outcome).toMatchObject({ outcome: 'placed', resolvedByLookup: false });
    expect(sim.orders.all()).toHaveLength(1);
  });

  it('stops on 418 and refuses to call again until the ban ends', async () => {
    await start();
    const ex = client();
    sim.faults.ban({ seconds: 30 });
    const error = await ex.quotes(['KRW-BTC']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Banned);
    expect((error as Banned).until.getTime()).toBeGreaterThan(Date.now() + 25_000);
    const before = sim.requests.length;
    await expect(ex.balances()).rejects.toBeInstanceOf(Banned);
    expect(sim.requests.length).toBe(before); // nothing sent
  });

  it('paces order placement by Remaining-Req so the exchange never has to refuse', async () => {
    await start({ rateLimits: { order: 2 } });
    const ex = new UpbitExchange({ baseUrl: sim.url, ...KEYS });
    const bid = (await book(ex, 'KRW-XRP')).bids[0]!.price;
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      await ex.placeSell({
        market: 'KRW-XRP',
        identifier: id('paced'),
        type: 'limit',
        price: bid,
        volume: decimal('10'),
        timeInForce: 'ioc',
      });
    }
    // Five orders at two a second span at least three seconds' windows: the client must have waited.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(sim.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
  });

  it('retries a safe request through 5xx and timeouts, then raises ExchangeUnavailable', async () => {
    await start();
    const ex = client({ maxAttempts: 3, timeoutMs: 100 });
    sim.faults.serverError({ times: 2, status: 502, match: { path: '/v1/accounts' } });
    expect((await ex.balances()).length).toBeGreaterThan(0);
    sim.faults.serverError({ times: 3, status: 503, match: { path: '/v1/accounts' } });
    await expect(ex.balances()).rejects.toBeInstanceOf(ExchangeUnavailable);
    sim.faults.hang({ times: 3, match: { path: '/v1/orderbook' } });
    await expect(ex.orderBooks(['KRW-BTC'])).rejects.toBeInstanceOf(ExchangeUnavailable);
    sim.faults.latency(250, { path: '/v1/ticker' });
    await expect(ex.quotes(['KRW-BTC'])).rejects.toBeInstanceOf(ExchangeUnavailable);
  });

  it('raises ExchangeUnavailable (not doubt) when nothing is listening', async () => {
    await start();
    const url = sim.url;
    await sim.close();
    const ex = new UpbitExchange({ baseUrl: url, ...KEYS, maxAttempts: 1 });
    await expect(
      ex.placeSell({ market: 'KRW-ETH', identifier: id('down'), type: 'market', volume: decimal('0.1') }),
    ).rejects.toBeInstanceOf(ExchangeUnavailable);
    await start(); // afterEach closes a simulator
  });
});

describe('Upbit adapter: order history', () => {
  beforeEach(() => start());

  it('finds finished orders by creation time and orders by identifiers', async () => {
    const ex = client();
    const sell = async (label: string, price: Decimal, ioc: boolean) =>
      ex.placeSell({
        market: 'KRW-XRP',
        identifier: id(label),
        type: 'limit',
        price,
        volume: decimal('100'),
        ...(ioc ? { timeInForce: 'ioc' as const } : {}),
      });
    const t0 = new Date(sim.clock.nowMs());
    const done = await sell('hist-done', (await book(ex, 'KRW-XRP')).bids[0]!.price, true);
    sim.clock.advance(3_600_000);
    const resting = await sell('hist-rest', (await book(ex, 'KRW-XRP')).asks[5]!.price, false);
    await ex.cancelOrder({ uuid: resting.uuid });

    const all = await ex.closedOrders({ market: 'KRW-XRP' });
    expect(all.map((o) => [o.uuid, o.state])).toEqual([
      [resting.uuid, 'cancel'],
      [done.uuid, 'done'],
    ]);
    expect(
      (await ex.closedOrders({ states: ['done'], from: t0, to: new Date(t0.getTime() + 60_000) })).map((o) => o.uuid),
    ).toEqual([done.uuid]);
    expect((await ex.closedOrders({ from: new Date(t0.getTime() + 1) })).map((o) => o.uuid)).toEqual([resting.uuid]);
    const [found] = await ex.closedOrders({ states: ['done'], order: 'asc', limit: 1 });
    expect(found!.executedVolume.toFixed()).toBe('100');

    const byIds = await ex.ordersByRefs({ identifiers: [done.identifier!, resting.identifier!, 'never-sent'] });
    expect(byIds.map((o) => o.identifier).sort()).toEqual([done.identifier, resting.identifier].sort());
    expect((await ex.ordersByRefs({ uuids: [done.uuid] })).map((o) => o.uuid)).toEqual([done.uuid]);
    expect(await ex.ordersByRefs({ uuids: [] })).toEqual([]);
  });
});

describe('Upbit adapter: withdrawals', () => {
  const ADDRESS = { currency: 'XRP', netType: 'XRP', address: 'rCityRefundWallet', secondaryAddress: '4242' };
  beforeEach(async () => {
    await start({ withdrawalFees: { XRP: '0.5' } });
    sim.withdrawals.allow(ADDRESS);
  });

  it('lists the registered addresses, withdraws the exact amount and follows it to DONE', async () => {
    const ex = client();
    expect(await ex.withdrawalAddresses()).toEqual([ADDRESS]);
    const sent = await ex.withdraw({ ...ADDRESS, amount: decimal('1234.56789012') });
    expect(sent).toMatchObject({ currency: 'XRP', netType: 'XRP', state: 'WAITING', transactionType: 'default' });
    expect([sent.amount.toFixed(), sent.fee.toFixed()]).toEqual(['1234.56789012', '0.5']);
    expect(isFinalWithdrawal(sent)).toBe(false);
    expect(sim.accounts.balance('XRP').locked.toFixed()).toBe('1235.06789012');

    sim.clock.advance(600_000);
    const done = await ex.getWithdrawal({ uuid: sent.uuid });
    expect(done).toMatchObject({ uuid: sent.uuid, state: 'DONE' });
    expect(done.txid).toMatch(/^[0-9a-f]{64}$/);
    expect(done.doneAt?.getTime()).toBe(sim.clock.nowMs());
    expect((await ex.getWithdrawal({ txid: done.txid! })).uuid).toBe(sent.uuid);
    expect(isFinalWithdrawal(done)).toBe(true);
    expect(sim.accounts.balance('XRP').balance.toFixed()).toBe('998764.93210988'); // amount and fee gone;
    // The amount went as a decimal string.
    expect(sim.withdrawals.all()[0]!.amount.toFixed()).toBe('1234.56789012');
  });

  it('maps refusals: an address off the allow list, too little balance, an unknown withdrawal', async () => {
    const ex = client();
    await expect(ex.withdraw({ ...ADDRESS, address: 'rSomeoneElse', amount: decimal('1') })).rejects.toBeInstanceOf(
      AddressNotAllowed,
    );
    await expect(ex.withdraw({ ...ADDRESS, amount: decimal('1000000') })).rejects.toBeInstanceOf(InsufficientFunds);
    await expect(ex.getWithdrawal({ uuid: 'nope' })).rejects.toBeInstanceOf(WithdrawalNotFound);
    expect(sim.withdrawals.all()).toHaveLength(0);
  });

  it('reports a lost answer as doubt, never re-sends, and the withdrawal is found in the list', async () => {
    const ex = client({ timeoutMs: 300 });
    sim.faults.loseAnswer({ match: WITHDRAWALS, mode: '500' });
    await expect(ex.withdraw({ ...ADDRESS, amount: decimal('10') })).rejects.toBeInstanceOf(WithdrawalOutcomeUnknown);
    sim.faults.loseAnswer({ match: WITHDRAWALS, mode: 'destroy' });
    await expect(ex.withdraw({ ...ADDRESS, amount: decimal('20') })).rejects.toBeInstanceOf(WithdrawalOutcomeUnknown);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(2); // one each, no retry
    const listed = await ex.withdrawals({ currency: 'XRP', state: 'WAITING' });
    expect(listed.map((w) => w.amount.toFixed())).toEqual(['20', '10']);
    expect((await ex.withdrawals({ uuids: [listed[1]!.uuid] })).map((w) => w.uuid)).toEqual([listed[1]!.uuid]);
  });

  it('sees a failed withdrawal as FAILED with the funds back', async () => {
    const ex = client();
    sim.faults.failWithdrawal();
    const sent = await ex.withdraw({ ...ADDRESS, amount: decimal('100') });
    sim.clock.advance(600_000);
    expect((await ex.getWithdrawal({ uuid: sent.uuid })).state).toBe('FAILED');
    expect(sim.accounts.balance('XRP')).toEqual({ balance: decimal('1000000'), locked: decimal('0') });
  });
});
