/**
 * What the desk's turn asks of the exchange and of the table (docs/SALE-DESK.md “Exchange calls”), on
 * the two synthesized state machines in the local interpreter with the real steps, DynamoDB Local and
 * the exchange simulator: the market's rules (tick size, fee, minimum) are read once for many turns,
 * not on every turn; an order refused on a rule the desk kept (the exchange changed its tick) is
 * ABSENT, never re-sent, and the desk reads the rules again and goes on selling; the members' cases
 * and sales are read in one batch each, not one by one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Case } from '#domain/case';
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum } from '#domain/money';
import { deskIdOf, type DeskOrder } from '#adapters/dynamodb/desk-store';
import { DEFAULT_SALE_LIMITS } from '../../../functions/sale/config';
import type { DeskSliceResult } from '../../../functions/sale/steps';
import { quotesForDesk, readMarkets, SHARED_QUOTE_RULES } from '../../../functions/sale/shared-quotes';
import { byKind, deskHelpers, executedVolume } from './desk-support';
import { CITY, throughDesk, statesEntered, untilMembers, useSaleWorld } from './world';

const world = useSaleWorld();
beforeEach(() => throughDesk(world));
afterEach(() => world.sim.market('KRW-BTC').changeTickSize(undefined));
const { ledgerOf, readyCases, sellTogether, shares } = deskHelpers(world);

/** The desk's orders that offered any of these cases (the day's desk also sold earlier tests' cases). */
async function ordersOf(cases: Case[]): Promise<DeskOrder[]> {
  const ids = new Set(cases.map((c) => c.caseId));
  const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
  return (await world.desks.orders(CITY, deskId)).filter((o) => o.offers.some((x) => ids.has(x.caseId)));
}

/** The exchange's requests on a route since the `from`-th request. */
const requestsTo = (path: string, from: number) => world.sim.requests.slice(from).filter((r) => r.path === path);

describe('the desk’s market rules', () => {
  it('are read once for the desk’s turns within their lifetime, not on every turn', async () => {
    world.policy = executionPolicy({ participationBps: 20 });
    const cases = await readyCases('rules-once', ['0.06', '0.04']);
    // Count the rules requests each desk turn makes (the cases' own quotes before joining are theirs).
    let turns = 0;
    let rulesRequests = 0;
    let chanceRequests = 0;
    world.hooks.PlanDeskSlice = async (_input, run) => {
      const from = world.sim.requests.length;
      const out = (await run()) as DeskSliceResult;
      if (out.action === 'SELL' || out.action === 'WAIT') turns += 1;
      rulesRequests += requestsTo('/v1/orderbook/instruments', from).length;
      chanceRequests += requestsTo('/v1/orders/chance', from).length;
      return out;
    };
    const executions = await sellTogether(cases);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    const orders = (await ordersOf(cases)).filter((o) => o.status === 'DONE');
    expect(orders.length).toBeGreaterThanOrEqual(3);
    expect(turns).toBeGreaterThanOrEqual(orders.length);
    // The turns span less than the rules' lifetime: one read of each (none if the day's desk already
    // held fresh rules from an earlier test).
    const planned = orders.map((o) => Date.parse(o.plannedAt));
    expect(Math.max(...planned) - Math.min(...planned)).toBeLessThan(DEFAULT_SALE_LIMITS.rulesMaxAgeMs);
    expect(rulesRequests).toBeLessThanOrEqual(1);
    expect(chanceRequests).toBeLessThanOrEqual(1);
    // Every order was priced on the tick the exchange had then: none refused.
    expect(world.sim.orders.rejections().filter((r) => orders.some((o) => o.identifier === r.identifier))).toEqual([]);
  }, 150_000);

  it('an order refused on a tick size the desk kept (the exchange changed it) is ABSENT and never re-sent; the desk reads the rules again and sells on, each ledger its shares', async () => {
    world.policy = executionPolicy({ participationBps: 20 });
    const cases = await readyCases('stale-tick', ['0.06', '0.04']);
    // After the desk's second order is planned (on the rules it read at an earlier turn), the exchange
    // changes the market's tick to one the order's price is not a multiple of.
    let sells = 0;
    let changedTo: Decimal | undefined;
    world.hooks.PlanDeskSlice = async (_input, run) => {
      const out = (await run()) as DeskSliceResult;
      if (out.action === 'SELL' && out.reason !== 'RESUMED' && ++sells === 2) {
        const price = new Decimal(out.limitPrice!);
        changedTo = ['3000', '7000', '9000', '11000'].map((t) => new Decimal(t)).find((t) => !price.mod(t).isZero());
        world.sim.market('KRW-BTC').changeTickSize(changedTo!.toFixed());
      }
      return out;
    };
    const executions = await sellTogether(cases);
    expect(changedTo).toBeDefined();
    // The desk went on: no run failed, every sale ended as a sale does.
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    for (const run of world.deskStarter.executions.values()) expect(run.status).toBe('SUCCEEDED');
    expect(world.metrics.map((m) => m.name)).toContain('DeskRulesRefused');

    const orders = (await ordersOf(cases)).sort((a, b) => a.slice - b.slice);
    const refused = orders.filter((o) => o.status === 'ABSENT');
    expect(refused).toHaveLength(1);
    const stale = refused[0]!;
    expect(stale.absentReason).toBe('refused: InvalidTick invalid_price_ask');
    // Planned on rules kept from an earlier turn; the exchange holds no order under its identifier.
    expect(stale.rulesReadAt! < stale.plannedAt).toBe(true);
    expect(world.sim.orders.byIdentifier(stale.identifier)).toEqual([]);
    for (const c of cases)
      expect((await shares(c)).find((s) => s.deskOrder === stale.identifier)?.status ?? 'ABSENT').toBe('ABSENT');
    // The next order was planned on rules read at its own turn, on the new tick, and placed.
    const after = orders.filter((o) => o.slice > stale.slice);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!.rulesReadAt).toBe(after[0]!.plannedAt);
    for (const o of after) {
      expect(o.status).toBe('DONE');
      expect(o.limitPrice.mod(changedTo!).isZero()).toBe(true);
    }
    // Each order sent is on the exchange once; what it sold is what the cases' ledgers say, exactly.
    const sent = orders.filter((o) => o.status !== 'ABSENT');
    const onExchange = world.sim.orders.all().filter((o) => sent.some((s) => s.identifier === o.identifier));
    expect(onExchange.map((o) => o.identifier).sort()).toEqual(sent.map((o) => o.identifier).sort());
    let soldByCases = new Decimal(0);
    for (const c of cases) {
      const mine = (await shares(c)).filter((s) => s.status === 'DONE');
      const { data, ledger } = await ledgerOf(c);
      expect(data.case.status).not.toBe('SELLING');
      expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(mine.map((s) => s.executedVolume!)).toFixed());
      expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(mine.map((s) => s.grossKrw!)).toFixed());
      soldByCases = soldByCases.add(data.case.holdings[0]!.sold);
    }
    expect(soldByCases.toFixed()).toBe(sum(onExchange.map(executedVolume)).toFixed());
  }, 150_000);

  it('an order refused on rules read for it at its own turn fails the desk run as any refusal (no loop of new orders)', async () => {
    const cases = await readyCases('fresh-tick', ['0.05']);
    // The exchange changes its tick between the desk's first rules read and its first order.
    let changed = false;
    world.hooks.PlanDeskSlice = async (_input, run) => {
      const out = (await run()) as DeskSliceResult;
      if (out.action === 'SELL' && !changed) {
        changed = true;
        const price = new Decimal(out.limitPrice!);
        const tick = ['3000', '7000', '9000', '11000'].find((t) => !price.mod(t).isZero())!;
        world.sim.market('KRW-BTC').changeTickSize(tick);
      }
      return out;
    };
    // A fresh day's desk: its first turn reads the rules.
    world.sim.clock.advance(86_400_000);
    const executions = await sellTogether(cases);
    const runs = [...world.deskStarter.executions.values()].filter((r) =>
      r.name.includes(kstDate(world.now()).replaceAll('-', '')),
    );
    expect(runs.map((r) => r.status)).toEqual(['FAILED']);
    expect(statesEntered(runs[0]!)).toContain('ResolveDeskOrders');
    const orders = await ordersOf(cases);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'ABSENT', absentReason: 'refused: InvalidTick invalid_price_ask' });
    expect(orders[0]!.rulesReadAt).toBe(orders[0]!.plannedAt);
    for (const e of executions) expect(e.status).toBe('FAILED');
  }, 150_000);
});

describe('the desk’s reads of its members', () => {
  it('reads every member’s case and sale in one batch each on its turn (its order’s cases, memberships and shares too), none one by one, and still applies each member’s checks', async () => {
    world.policy = executionPolicy({ participationBps: 20 });
    const cases = await readyCases('batched', ['0.05', '0.04', '0.03']);
    // What the desk's turn reads (its own async context: the cases' steps run beside it).
    const turn = new AsyncLocalStorage<boolean>();
    const inTurn = () => turn.getStore() === true;
    const single = { cases: 0, sales: 0, members: 0, shares: 0 };
    const batched: number[] = [];
    const store = world.store;
    const getCase = store.get.bind(store);
    const getCases = store.getMany.bind(store);
    const getSale = world.sales.get.bind(world.sales);
    const getMember = world.desks.member.bind(world.desks);
    const getOrder = world.sales.getOrder.bind(world.sales);
    const spies = [
      jest.spyOn(store, 'get').mockImplementation((city, id) => {
        if (inTurn()) single.cases += 1;
        return getCase(city, id);
      }),
      jest.spyOn(store, 'getMany').mockImplementation((city, ids) => {
        if (inTurn()) batched.push(ids.length);
        return getCases(city, ids);
      }),
      jest.spyOn(world.sales, 'get').mockImplementation((city, id, sale) => {
        if (inTurn()) single.sales += 1;
        return getSale(city, id, sale);
      }),
      jest.spyOn(world.desks, 'member').mockImplementation((city, desk, id) => {
        if (inTurn()) single.members += 1;
        return getMember(city, desk, id);
      }),
      jest.spyOn(world.sales, 'getOrder').mockImplementation((city, id, identifier) => {
        if (inTurn()) single.shares += 1;
        return getOrder(city, id, identifier);
      }),
    ];
    // The desk's own steps (the turn, the placement, the reconciliation) in that context.
    world.hooks.PlaceDeskOrder = (_input, run) => turn.run(true, run);
    world.hooks.ReconcileDeskOrder = (_input, run) => turn.run(true, run);
    // A hold on one case before the desk's second turn: the desk's review, on what it read in the batch, withdraws it.
    let turns = 0;
    const held = cases[2]!;
    world.hooks.PlanDeskSlice = async (input, run) => {
      // The first turn once all three have joined (each case's execution joins at its own pace).
      if (turns === 0) await untilMembers(world, (input as { deskId: string }).deskId, cases);
      if (++turns === 2) {
        const hold = await world.api.call('POST', `/cases/${held.caseId}/holds`, {
          as: 'officer',
          body: { cityId: CITY, kind: 'APPEAL', reason: '이의신청' },
        });
        expect(hold.status).toBe(201);
      }
      return turn.run(true, run);
    };
    try {
      const executions = await sellTogether(cases);
      for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(batched.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...batched)).toBe(cases.length);
    expect(single).toEqual({ cases: 0, sales: 0, members: 0, shares: 0 });
    const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
    expect(await world.desks.member(CITY, deskId, held.caseId)).toMatchObject({
      status: 'WITHDRAWN',
      reason: 'ON_HOLD',
    });
  }, 150_000);
});

describe('a case’s quote before it joins its desk', () => {
  /** The exchange's quotation calls made inside a step run in `context` (the other steps run beside it). */
  function countQuotationCalls(context: AsyncLocalStorage<boolean>) {
    const calls = { books: 0, tickers: 0, rules: 0 };
    const inner = world.exchange;
    world.exchange = {
      ...inner,
      quotes: (m) => ((calls.tickers += context.getStore() ? 1 : 0), inner.quotes(m)),
      orderBooks: (m) => ((calls.books += context.getStore() ? 1 : 0), inner.orderBooks(m)),
      marketRules: (m) => ((calls.rules += context.getStore() ? 1 : 0), inner.marketRules(m)),
      placeSell: (o) => inner.placeSell(o),
      placeOrResolve: (o) => inner.placeOrResolve(o),
      getOrder: (r) => inner.getOrder(r),
      settle: (r) => inner.settle(r),
      cancelOrder: (r) => inner.cancelOrder(r),
      balances: () => inner.balances(),
      closedOrders: (q) => inner.closedOrders(q),
      ordersByRefs: (r) => inner.ordersByRefs(r),
    };
    return calls;
  }

  it('reads the market from the exchange once for a crowd of cases quoting at once (the others plan on its shared quote), and each sells through the desk', async () => {
    world.policy = executionPolicy({ participationBps: 20 });
    const cases = await readyCases('crowd', ['0.02', '0.02', '0.02', '0.02', '0.02']);
    const quoting = new AsyncLocalStorage<boolean>();
    const calls = countQuotationCalls(quoting);
    let quotes = 0;
    // Each case's first quote (the crowd's): a later one, after the clock moved on, may read again.
    // The world moves its clock a minute as each quote begins; the crowd's first quotes begin together
    // (all five in before any reads), as at 09:00 on a deadline day, not a minute of the world apart.
    const first = new Set<string>();
    let allIn: () => void = () => undefined;
    const crowdIn = new Promise<void>((resolve) => (allIn = resolve));
    world.hooks.QuoteMarket = async (input, run) => {
      quotes += 1;
      const caseId = (input as { caseId: string }).caseId;
      const isFirst = !first.has(caseId);
      first.add(caseId);
      if (isFirst) {
        if (first.size === cases.length) allIn();
        await crowdIn;
      }
      return quoting.run(isFirst, run);
    };
    const executions = await sellTogether(cases);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    expect(quotes).toBeGreaterThanOrEqual(cases.length);
    // One read of the market for them all (none when an earlier test's desk left a fresh quote).
    expect(calls.books).toBeLessThanOrEqual(1);
    expect(calls.tickers).toBeLessThanOrEqual(1);
    expect(calls.rules).toBeLessThanOrEqual(1);
    for (const c of cases) {
      const sale = await world.sales.get(CITY, c.caseId, c.saleId!);
      expect(sale?.lastQuotes['KRW-BTC']).toBeDefined();
      expect(sum((await shares(c)).map((s) => s.executedVolume ?? new Decimal(0))).gt(0)).toBe(true);
    }
  }, 150_000);

  it('reads the exchange itself when the shared quote is older than one slice interval, and shares its own read', async () => {
    const market = 'KRW-BTC';
    const now = world.now();
    const old = new Date(now.getTime() - executionPolicy().sliceIntervalMs - 1000).toISOString();
    const fresh = await readMarkets(world.exchange, [market]);
    await world.desks.shareQuote({ snapshot: fresh.get(market)!, readAt: old, rulesReadAt: old });
    const rules = {
      ...SHARED_QUOTE_RULES,
      maxReadAgeMs: executionPolicy().sliceIntervalMs,
      maxPriceAgeMs: Number.MAX_SAFE_INTEGER,
      rulesMaxAgeMs: DEFAULT_SALE_LIMITS.rulesMaxAgeMs,
    };
    const quoting = new AsyncLocalStorage<boolean>();
    const calls = countQuotationCalls(quoting);
    const source = { exchange: world.exchange, desks: world.desks, clock: () => now };
    const first = await quoting.run(true, () => quotesForDesk(source, [market], rules));
    expect(first.fromExchange).toEqual([market]);
    expect(calls).toEqual({ books: 1, tickers: 1, rules: 1 });
    // Its read is shared: the next case at the same moment reads nothing from the exchange.
    const second = await quoting.run(true, () => quotesForDesk(source, [market], rules));
    expect(second.fromExchange).toEqual([]);
    expect(second.snapshots.get(market)).toEqual(first.snapshots.get(market));
    expect(calls).toEqual({ books: 1, tickers: 1, rules: 1 });
    // Rules older than the desk keeps its own are read again, with the book.
    const oldRules = new Date(now.getTime() - DEFAULT_SALE_LIMITS.rulesMaxAgeMs).toISOString();
    await world.desks.shareQuote({
      snapshot: first.snapshots.get(market)!,
      readAt: now.toISOString(),
      rulesReadAt: oldRules,
    });
    const third = await quoting.run(true, () => quotesForDesk(source, [market], rules));
    expect(third.fromExchange).toEqual([market]);
    expect(calls).toEqual({ books: 2, tickers: 2, rules: 2 });
  }, 60_000);
});
