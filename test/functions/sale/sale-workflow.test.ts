import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The forced sale, end to end: the state machine the CDK stack synthesizes, run by the local
 * interpreter with its Task states bound to the real step handlers, against DynamoDB Local, the
 * exchange simulator and (for sale requests) the local SQS server with the real queue handlers.
 * Assertions on the case, its ledger and notices, the exchange's own record of orders, and the
 * execution's event log. Waits and retry pauses are overridden to zero.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { arrears, type Case } from '#domain/case';
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum, won } from '#domain/money';
import { AuthenticationFailed, InsufficientFunds } from '#adapters/exchange/exchange';
import type { OrderExchange as Exchange } from '../../../functions/sale/orders-in-doubt';
import { SqsSaleRequestQueue, saleRequestPublisher } from '#adapters/workflow/sale-requests';
import type { OrderRecord } from '#adapters/dynamodb/sale-store';
import { createApi } from '../../../functions/api/app';
import { createDeadlineCheck } from '../../../functions/check-deadlines/app';
import { createSaleStarter } from '../../../functions/start-sale/app';
import { event, testConfig } from '../../support/api';
import { useLocalSqs } from '../../support/sqs';
import {
  afterFirst,
  caseReady,
  CITY,
  exchangeOrders,
  polledPrice,
  retriesOf,
  runSale,
  saleOf,
  settings,
  silent,
  statesEntered,
  useSaleWorld,
  type SaleWorld,
} from './world';

const world = useSaleWorld();
const sqs = useLocalSqs();

const byKind = (entries: { kind: string; amount: Decimal }[], kind: string) =>
  sum(entries.filter((e) => e.kind === kind).map((e) => e.amount));
const owedNow = (c: Case) => arrears(c, kstDate(world.now()), settings);
const count = (xs: string[], x: string) => xs.filter((s) => s === x).length;
const noMetrics = { addMetric: () => undefined } as unknown as Parameters<typeof createSaleStarter>[0]['metrics'];

async function ledgerOf(c: Case) {
  const data = (await world.store.statement(c.cityId, c.caseId))!;
  return { data, ledger: data.ledger.flatMap((b) => b.entries).filter((e) => e.source === c.saleId) };
}

/** Small slices: 0.1% of recent volume per slice, so a sale of about ₩1.2 million takes several. */
const SLICED = () => executionPolicy({ participationBps: 10 });

describe('1. coins that cover the arrears', () => {
  it('sells in limit IOC slices up to the need, settles once, refunds the surplus, releases the rest and notifies', async () => {
    world.policy = executionPolicy({ participationBps: 30 });
    const c = await caseReady(world, { caseId: 'cover-1', quantity: '0.1' });
    const owedAtStart = owedNow(c);
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');

    const states = statesEntered(execution);
    expect(states.slice(0, 3)).toEqual(['LoadCase', 'CheckSaleAllowed', 'IsSaleAllowed']);
    expect(states).toEqual(
      expect.arrayContaining([
        'QuoteMarket',
        'GuardPrice',
        'PlanNextSlice',
        'SliceDecision',
        'PlaceOrder',
        'WaitForFill',
        'ReconcileOrder',
        'IsOrderFinal',
        'Settle',
        'NotifyResult',
        'SaleEnded',
      ]),
    );
    expect(count(states, 'Settle')).toBe(1);

    const { data, ledger } = await ledgerOf(c);
    const settled = data.case;
    expect(settled.status).toBe('SETTLED');
    const { sale, orders } = await saleOf(world, c, c.saleId!);
    // The exchange's record: limit IOC sells, one per identifier, identifiers from city, sale (case) and slice.
    const onExchange = exchangeOrders(world, c.saleId!);
    expect(onExchange.length).toBeGreaterThan(1);
    expect(count(states, 'PlaceOrder')).toBe(onExchange.length);
    for (const o of onExchange) expect(o).toMatchObject({ side: 'ask', ordType: 'limit', timeInForce: 'ioc' });
    expect(onExchange.map((o) => o.identifier)).toEqual(orders.map((o) => `${CITY}.${c.saleId}.s${o.slice}`));
    for (const [i, o] of orders.entries()) expect(onExchange[i]!.price!.toFixed()).toBe(o.limitPrice.toFixed());

    // Ledger: a gross and a fee line per fill, allocation of exactly what was owed; every won accounted for.
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(
      sum(onExchange.flatMap((o) => o.trades.map((t) => t.funds))).toFixed(),
    );
    expect(byKind(ledger, 'SALE_FEE').toFixed()).toBe(sum(onExchange.map((o) => o.paidFee)).toFixed());
    expect(ledger.filter((e) => e.kind === 'SALE_GROSS')).toHaveLength(onExchange.length);
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(
      byKind(ledger, 'SALE_FEE')
        .add(byKind(ledger, 'ALLOCATION'))
        .add(byKind(ledger, 'REFUND'))
        .add(byKind(ledger, 'SALE_ROUNDING'))
        .toFixed(),
    );
    expect(byKind(ledger, 'ALLOCATION').toFixed()).toBe(owedAtStart.toFixed());

    // Overshoot: the last slice was planned on the real proceeds, so the surplus (refunded) is at
    // most one minimum order (₩5,000) beyond the planner's margin on what that slice still had to raise.
    const refund = byKind(ledger, 'REFUND');
    expect(settled.refundPayable.toFixed()).toBe(refund.toFixed());
    expect(refund.gte(0)).toBe(true);
    const lastNeed = owedAtStart.sub(sum(orders.slice(0, -1).map((o) => o.grossKrw!.sub(o.feeKrw!))));
    expect(refund.lte(lastNeed.mul(world.policy.planningMarginBps).div(10_000).add(5000))).toBe(true);

    // Unsold coins go back; nothing is stranded.
    const btc = settled.holdings[0]!;
    expect(btc.sold.toFixed()).toBe(sum(onExchange.flatMap((o) => o.trades.map((t) => t.volume))).toFixed());
    expect(btc.sold.add(btc.released).toFixed()).toBe(btc.inCustody.toFixed());
    expect(data.releases).toEqual([
      expect.objectContaining({ market: 'KRW-BTC', reason: 'SURPLUS', quantity: btc.released }),
    ]);

    // The result notice is recorded (outbox) and handed to the notice pipeline.
    const result = data.notices.find((n) => n.kind === 'SALE_RESULT');
    expect(result?.status).toBe('PENDING');
    expect(world.published).toContain(result!.noticeId);

    // Sale quality on the sale record and in the settlement's audit details.
    const audit = data.audit.find((a) => a.action === 'SETTLE_SALE')!;
    expect(sale.status).toBe('SETTLED');
    expect(sale.quality).toMatchObject({
      'arrivalPrice:KRW-BTC': expect.any(String),
      'averagePrice:KRW-BTC': expect.any(String),
      implementationShortfallBps: expect.any(String),
      arrivalSlippageBps: expect.any(String),
      overshootKrw: refund.toFixed(0),
      slices: String(orders.length),
    });
    expect(audit.details).toMatchObject(sale.quality!);
    // Perold: paper value at the decision minus what was realised; the market may move either way
    // during a sliced sale, so only its bounds are checked (the identities are unit-tested).
    expect(new Decimal(sale.quality!.implementationShortfallBps!).abs().lt(200)).toBe(true);
    expect(new Decimal(sale.quality!.paperValueKrw!).gte(owedAtStart)).toBe(true);
    console.info(`sale quality, covered (${orders.length} slices):`, JSON.stringify(sale.quality));
  });
});

describe('2. coins worth less than the arrears', () => {
  it('sells every coin and ends in SHORTFALL with the balance still owed', async () => {
    const c = await caseReady(world, { caseId: 'short-1', quantity: '0.02' });
    const owedAtStart = owedNow(c);
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    const { data, ledger } = await ledgerOf(c);
    expect(data.case.status).toBe('SHORTFALL');
    const btc = data.case.holdings[0]!;
    expect(btc.sold.add(btc.released).toFixed()).toBe('0.02');
    expect(btc.sold.gt('0.019')).toBe(true);
    const net = byKind(ledger, 'ALLOCATION');
    expect(byKind(ledger, 'REFUND').toFixed()).toBe('0');
    expect(owedNow(data.case).toFixed()).toBe(owedAtStart.sub(net).toFixed());
    expect(data.notices.map((n) => n.kind)).toContain('SHORTFALL');
    const { sale } = await saleOf(world, c, c.saleId!);
    console.info('sale quality, shortfall:', JSON.stringify(sale.quality));
  });
});

describe('3. payments and holds', () => {
  it('a payment arriving mid-sale stops it at the next slice and settles what was sold (proceeds refunded)', async () => {
    world.policy = SLICED();
    const c = await caseReady(world, { caseId: 'paid-mid-1', quantity: '0.1' });
    afterFirst(world, 'ReconcileOrder', async () => {
      const paid = await world.api.call('POST', `/cases/${c.caseId}/payments`, {
        body: { cityId: CITY, paymentId: 'RCPT-PM-1', amount: owedNow(c).toFixed(0), receivedOn: kstDate(world.now()) },
      });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('SELLING');
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(1);
    const { data, ledger } = await ledgerOf(c);
    expect(data.case.status).toBe('SETTLED');
    // Nothing was owed any more: all the slice's net proceeds are refunded, every unsold coin released.
    expect(byKind(ledger, 'ALLOCATION').toFixed()).toBe('0');
    expect(data.case.refundPayable.toFixed()).toBe(byKind(ledger, 'REFUND').toFixed());
    expect(byKind(ledger, 'REFUND').gt(0)).toBe(true);
    expect(data.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['RECORD_PAYMENT', 'SETTLE_SALE']));
    const { sale } = await saleOf(world, c, c.saleId!);
    expect(sale.stopReason).toBe('NOTHING_OWED');
  });

  it('a hold arriving mid-sale stops it at the next slice; what was sold is settled and the case waits ON_HOLD', async () => {
    world.policy = SLICED();
    const c = await caseReady(world, { caseId: 'held-mid-1', quantity: '0.1' });
    const owedAtStart = owedNow(c);
    afterFirst(world, 'ReconcileOrder', async () => {
      const held = await world.api.call('POST', `/cases/${c.caseId}/holds`, {
        as: 'officer',
        body: { cityId: CITY, kind: 'LAWSUIT', reason: '행정소송 제기' },
      });
      expect(held.status).toBe(201);
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(1);
    const { data, ledger } = await ledgerOf(c);
    expect(data.case).toMatchObject({ status: 'ON_HOLD', resumeStatus: 'DUE', lastError: 'ON_HOLD' });
    expect(byKind(ledger, 'ALLOCATION').gt(0)).toBe(true);
    expect(owedNow(data.case).toFixed()).toBe(owedAtStart.sub(byKind(ledger, 'ALLOCATION')).toFixed());
    expect(data.case.holdings[0]!.released.toFixed()).toBe('0');
  });

  it('a case paid after the sale started but before its first slice sells nothing and releases the coins', async () => {
    const c = await caseReady(world, { caseId: 'paid-before-1', quantity: '0.1' });
    const paid = await world.api.call('POST', `/cases/${c.caseId}/payments`, {
      body: { cityId: CITY, paymentId: 'RCPT-PB-1', amount: owedNow(c).toFixed(0), receivedOn: kstDate(world.now()) },
    });
    expect(paid.status).toBe(200);
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).not.toContain('QuoteMarket');
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(0);
    const { data } = await ledgerOf(c);
    expect(data.case.status).toBe('SETTLED');
    expect(data.case.holdings[0]!.released.toFixed()).toBe('0.1');
  });
});

describe('4. market guards', () => {
  it('a stale price pauses the sale, and after repeated pauses it escalates and stops: nothing sold, DUE again', async () => {
    world.clockOffsetMs = 10 * 60_000; // the exchange's feed is ten minutes behind our clock
    const c = await caseReady(world, { caseId: 'stale-1', quantity: '0.1' });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(execution);
    expect(count(states, 'PauseForMarket')).toBe(world.policy.escalateAfterPauses - 1);
    expect(count(states, 'Escalate')).toBe(1);
    expect(states).not.toContain('PlaceOrder');
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(0);
    const { sale } = await saleOf(world, c, c.saleId!);
    expect(sale.pauses.map((p) => p.reason)).toEqual(['STALE_PRICE', 'STALE_PRICE', 'STALE_PRICE']);
    expect(sale.stopReason).toBe('ESCALATED:STALE_PRICE');
    const after = (await world.store.get(c.cityId, c.caseId))!;
    expect(after).toMatchObject({ status: 'DUE', lastError: 'ESCALATED:STALE_PRICE', saleAttempts: 1 });
    expect(world.metrics.map((m) => m.name)).toContain('SaleEscalated');
  });

  it('a volatile market mid-sale pauses it, escalates after repeated pauses, and settles what was already sold', async () => {
    world.policy = SLICED();
    const c = await caseReady(world, { caseId: 'volatile-1', quantity: '0.1' });
    afterFirst(world, 'ReconcileOrder', async () => {
      // The price poller saw BTC 8% higher a few minutes ago: a crash inside the breaker's window.
      const quote = (await world.realExchange.quotes(['KRW-BTC']))[0]!;
      for (let m = 5; m >= 2; m--) {
        const at = new Date(world.now().getTime() - m * 60_000);
        await world.prices.putPrices([polledPrice('KRW-BTC', at, quote.tradePrice.mul('1.08').floor())], at);
      }
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(execution);
    expect(count(states, 'PauseForMarket')).toBe(2);
    expect(count(states, 'Escalate')).toBe(1);
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(1);
    const { data, ledger } = await ledgerOf(c);
    expect(data.case).toMatchObject({ status: 'DUE', lastError: 'ESCALATED:VOLATILE' });
    expect(byKind(ledger, 'ALLOCATION').gt(0)).toBe(true);
    const { sale } = await saleOf(world, c, c.saleId!);
    expect(sale.pauses.filter((p) => p.reason === 'VOLATILE')).toHaveLength(3);
    // The result notice of a sale that left a balance is the shortfall notice.
    expect(data.notices.map((n) => n.kind)).toContain('SHORTFALL');
  });
});

describe('5. exchange faults on order placement', () => {
  const ORDERS = { method: 'POST', path: '/v1/orders' };

  it('a 5xx whose outcome stays in doubt is retried by the state machine, and the order is looked up before it is sent again', async () => {
    const c = await caseReady(world, { caseId: 'fault-5xx-1', quantity: '0.1' });
    world.sim.faults.serverError({ status: 503, match: ORDERS, times: 1 });
    // Every lookup fails too (3 lookups × 4 attempts): the step ends in doubt.
    world.sim.faults.serverError({ status: 502, match: { method: 'GET', path: '/v1/order' }, times: 12 });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(retriesOf(execution, 'PlaceOrder')).toEqual([
      { error: 'PlacementOutcomeUnknown', retrier: ['PlacementOutcomeUnknown', 'OrderInDoubtError'] },
    ]);
    const onExchange = exchangeOrders(world, c.saleId!);
    expect(onExchange.map((o) => o.identifier)).toEqual([`${CITY}.${c.saleId}.s1`]);
    const { orders } = await saleOf(world, c, c.saleId!);
    expect(orders).toEqual([expect.objectContaining({ slice: 1, status: 'DONE', sendAttempts: 2 })]);
    expect((await world.store.get(c.cityId, c.caseId))!.status).toBe('SETTLED');
  });

  it('a 5xx with the order not found is IN_DOUBT, never ABSENT: the sale waits for it up to the bound, alerts, and goes on without its coins (held back)', async () => {
    const c = await caseReady(world, { caseId: 'fault-5xx-2', quantity: '0.1' });
    world.sim.faults.serverError({ status: 500, match: ORDERS, times: 1 });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('WasOrderPlaced');
    const { sale, orders } = await saleOf(world, c, c.saleId!);
    expect(orders.map((o) => [o.slice, o.status])).toEqual([
      [1, 'IN_DOUBT'],
      [2, 'DONE'],
    ]);
    const [s1, s2] = orders as [OrderRecord, OrderRecord];
    // Nothing new on the market while s1 was in doubt and younger than the bound; then the alarm metric.
    expect(sale.pauses.filter((p) => p.reason === 'ORDER_IN_DOUBT').length).toBeGreaterThan(0);
    expect(Date.parse(s2.plannedAt) - Date.parse(s1.inDoubtSince!)).toBeGreaterThanOrEqual(world.limits.inDoubtBoundMs);
    expect(world.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['OrdersInDoubt', 'OrdersInDoubtPastBound', 'SettledWithOrdersInDoubt']),
    );
    expect(s1.lookups).toBeGreaterThan(0);
    expect(exchangeOrders(world, c.saleId!).map((o) => o.identifier)).toEqual([`${CITY}.${c.saleId}.s2`]);
    // Settled, and s1's coins neither sold nor released: they stay in custody until s1 is resolved.
    const settled = (await world.store.get(c.cityId, c.caseId))!;
    expect(settled.status).toBe('SETTLED');
    const btc = settled.holdings[0]!;
    expect(btc.inCustody.sub(btc.sold).sub(btc.released).toFixed()).toBe(s1.volume.toFixed());
    expect((await world.sales.ordersInDoubt()).filter((m) => m.caseId === c.caseId).map((m) => m.identifier)).toEqual([
      s1.identifier,
    ]);
  });

  it('429s beyond the client’s own retries are retried by the state machine with the same identifier', async () => {
    const c = await caseReady(world, { caseId: 'fault-429-1', quantity: '0.1' });
    world.sim.faults.rateLimit({ match: ORDERS, times: 4 });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(retriesOf(execution, 'PlaceOrder').map((r) => r.error)).toEqual(['RateLimited']);
    expect(retriesOf(execution, 'PlaceOrder')[0]!.retrier).toContain('RateLimited');
    expect(exchangeOrders(world, c.saleId!).map((o) => o.identifier)).toEqual([`${CITY}.${c.saleId}.s1`]);
    expect((await world.store.get(c.cityId, c.caseId))!.status).toBe('SETTLED');
  });

  it('an order accepted but its answer lost is found by its identifier, not placed again', async () => {
    const c = await caseReady(world, { caseId: 'fault-lost-1', quantity: '0.1' });
    world.sim.faults.loseAnswer({ mode: 'destroy' });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    const id = `${CITY}.${c.saleId}.s1`;
    expect(world.sim.orders.byIdentifier(id)).toHaveLength(1);
    expect(world.sim.orders.rejections().filter((r) => r.identifier === id)).toHaveLength(0);
    const { orders } = await saleOf(world, c, c.saleId!);
    expect(orders).toEqual([
      expect.objectContaining({ identifier: id, status: 'DONE', resolvedByLookup: true, sendAttempts: 1 }),
    ]);
    expect((await world.store.get(c.cityId, c.caseId))!.status).toBe('SETTLED');
  });

  it('a step that crashes after placing is re-run: it looks the order up and never sends it again', async () => {
    const c = await caseReady(world, { caseId: 'fault-crash-1', quantity: '0.1' });
    let crashed = false;
    const real = world.realExchange;
    world.exchange = Object.assign(Object.create(real) as Exchange, {
      placeOrResolve: async (order: Parameters<Exchange['placeOrResolve']>[0]) => {
        const outcome = await real.placeOrResolve(order);
        if (!crashed) {
          crashed = true;
          throw Object.assign(new Error('Runtime exited after the order was accepted'), { name: 'Lambda.Unknown' });
        }
        return outcome;
      },
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(crashed).toBe(true);
    expect(retriesOf(execution, 'PlaceOrder').map((r) => r.error)).toEqual(['Lambda.Unknown']);
    const id = `${CITY}.${c.saleId}.s1`;
    expect(world.sim.orders.byIdentifier(id)).toHaveLength(1);
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(1);
    const { orders } = await saleOf(world, c, c.saleId!);
    expect(orders).toEqual([expect.objectContaining({ identifier: id, status: 'DONE', resolvedByLookup: true })]);
  });
});

describe('5b. failures are caught and recorded, the case left safe', () => {
  it('a refusal before anything is sold: the case is DUE again with the error, the execution fails with an alarm metric', async () => {
    const c = await caseReady(world, { caseId: 'fail-early-1', quantity: '0.1' });
    const real = world.realExchange;
    world.exchange = Object.assign(Object.create(real) as Exchange, {
      marketRules: async () => {
        throw new AuthenticationFailed('GET /v1/orders/chance: 401 invalid_access_key', { status: 401 });
      },
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('FAILED');
    const states = statesEntered(execution);
    expect(states.slice(-3)).toEqual(['ResolveOpenOrders', 'RecordFailure', 'SaleFailed']);
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(0);
    expect((await world.store.get(c.cityId, c.caseId))!).toMatchObject({
      status: 'DUE',
      lastError: 'FAILED:AuthenticationFailed',
      saleAttempts: 1,
    });
    const { sale } = await saleOf(world, c, c.saleId!);
    expect(sale).toMatchObject({ status: 'FAILED', error: { error: 'AuthenticationFailed' } });
    expect(world.metrics.map((m) => m.name)).toContain('SaleFailed');
  });

  it('a refusal after a slice sold: what was sold is settled in one transaction, the rest stays due', async () => {
    world.policy = SLICED();
    const c = await caseReady(world, { caseId: 'fail-late-1', quantity: '0.1' });
    const real = world.realExchange;
    let placed = 0;
    world.exchange = Object.assign(Object.create(real) as Exchange, {
      placeOrResolve: async (order: Parameters<Exchange['placeOrResolve']>[0]) => {
        placed += 1;
        if (placed === 2)
          throw new InsufficientFunds('POST /v1/orders: 400 insufficient_funds_ask', {
            status: 400,
            exchangeName: 'insufficient_funds_ask',
          });
        return real.placeOrResolve(order);
      },
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('FAILED');
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(1);
    const { data, ledger } = await ledgerOf(c);
    expect(data.case).toMatchObject({ status: 'DUE', lastError: 'FAILED:InsufficientFunds' });
    expect(ledger.filter((e) => e.kind === 'SALE_GROSS')).toHaveLength(1);
    expect(data.audit.filter((a) => a.action === 'SETTLE_SALE')).toHaveLength(1);
    const { orders } = await saleOf(world, c, c.saleId!);
    expect(orders.map((o) => o.status)).toEqual(['DONE', 'ABSENT']);
  });

  it('a step failing with an order placed but not yet recorded: the order is resolved by identifier and its fills settled', async () => {
    const c = await caseReady(world, { caseId: 'fail-open-1', quantity: '0.1' });
    world.hooks.ReconcileOrder = async () => {
      throw Object.assign(new Error('item could not be read'), { name: 'CorruptItemError' });
    };
    const execution = await runSale(world, c);
    expect(execution.status).toBe('FAILED');
    const onExchange = exchangeOrders(world, c.saleId!);
    expect(onExchange).toHaveLength(1);
    const { data, ledger } = await ledgerOf(c);
    // The order the failed step never recorded is in the settlement: nothing sold goes unaccounted.
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(onExchange[0]!.trades.map((t) => t.funds)).toFixed());
    // That one slice covered the need: the case is settled; the failure stays on the sale record.
    expect(data.case.status).toBe('SETTLED');
    const { sale, orders } = await saleOf(world, c, c.saleId!);
    expect(orders).toEqual([expect.objectContaining({ status: 'DONE' })]);
    expect(sale).toMatchObject({ status: 'FAILED', error: { error: 'CorruptItemError' } });
  });
});

describe('6. sale requests through the queue', () => {
  async function queueAndStarter(w: SaleWorld) {
    const queue = await sqs.fifoQueue('sale-requests', { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
    const starter = w.newStarter();
    const requests = new SqsSaleRequestQueue(sqs.client, queue.url);
    const handler = createSaleStarter({
      store: w.store,
      starter,
      settings: sameSettingsForEveryCity(settings),
      clock: () => w.now(),
      logger: silent,
      metrics: noMetrics,
      runningSales: { cap: 1000, cities: [CITY], defer: (r, after) => requests.send(r, after) },
    });
    const consumer = sqs.consumer(queue, handler);
    return { queue, starter, consumer, requests };
  }

  it('the same sale request delivered three times starts one execution and one sale', async () => {
    const { queue, starter, consumer } = await queueAndStarter(world);
    const c = await caseReady(world, { caseId: 'queue-dup-1', quantity: '0.1', until: 'DUE' });
    const body = JSON.stringify({
      cityId: CITY,
      caseId: c.caseId,
      saleId: `${c.caseId}-sale-1`,
      requestedBy: 'DEADLINE',
      requestedAt: world.now().toISOString(),
    });
    // Three deliveries of one request (as after the queue's five-minute deduplication window).
    for (const n of [1, 2, 3])
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          MessageGroupId: `${CITY}#${c.caseId}`,
          MessageDeduplicationId: `redelivery-${n}`,
        }),
      );
    const reports = await consumer.drain();
    expect(reports.flatMap((r) => r.succeeded)).toHaveLength(3);
    await starter.settle();
    expect([...starter.executions.keys()]).toEqual([`${CITY}_${c.caseId}-sale-1`]);
    const after = (await world.store.get(c.cityId, c.caseId))!;
    expect(after).toMatchObject({ status: 'SETTLED', saleAttempts: 1 });
    const statement = (await world.store.statement(c.cityId, c.caseId))!;
    expect(statement.audit.filter((a) => a.action === 'START_SALE')).toHaveLength(1);
    expect(statement.audit.filter((a) => a.action === 'SETTLE_SALE')).toHaveLength(1);
  });

  it('the deadline check run twice on one day marks the case due once and leads to one execution and one sale', async () => {
    const { starter, consumer, requests } = await queueAndStarter(world);
    const c = await caseReady(world, { caseId: 'queue-deadline-1', quantity: '0.1', until: 'NOTICE_SENT' });
    const check = createDeadlineCheck({
      store: world.store,
      saleRequests: requests,
      publishNotices: async () => undefined,
      settings: sameSettingsForEveryCity(settings),
      clock: () => world.now(),
      maxSaleAttempts: 5,
      logger: silent,
      metrics: noMetrics,
    });
    const first = await check({});
    const second = await check({});
    expect(first).toMatchObject({ markedDue: 1 });
    expect(second).toMatchObject({ markedDue: 0 });
    await consumer.drain();
    await starter.settle();
    const mine = [...starter.executions.values()].filter((e) => e.input.caseId === c.caseId);
    expect(mine.map((e) => e.name)).toEqual([`${CITY}_${c.caseId}-sale-1`]);
    expect(mine[0]!.status).toBe('SUCCEEDED');
    // Once sold, a third run finds nothing to do for the case.
    const third = await check({});
    expect(third.markedDue).toBe(0);
    const statement = (await world.store.statement(c.cityId, c.caseId))!;
    expect(statement.case).toMatchObject({ status: 'SETTLED', saleAttempts: 1 });
    expect(statement.audit.filter((a) => a.action === 'MARK_DUE')).toHaveLength(1);
    expect(statement.audit.filter((a) => a.action === 'SETTLE_SALE')).toHaveLength(1);
  });

  it('a case paid before the sale started: its queued request no longer applies, nothing is sold', async () => {
    const { starter, consumer, requests } = await queueAndStarter(world);
    const c = await caseReady(world, { caseId: 'queue-paid-1', quantity: '0.1', until: 'DUE' });
    await requests.send({
      cityId: CITY,
      caseId: c.caseId,
      saleId: `${c.caseId}-sale-1`,
      requestedBy: 'DEADLINE',
      requestedAt: world.now().toISOString(),
    });
    const paid = await world.api.call('POST', `/cases/${c.caseId}/payments`, {
      body: { cityId: CITY, paymentId: 'RCPT-QP-1', amount: owedNow(c).toFixed(0), receivedOn: kstDate(world.now()) },
    });
    expect(paid.body.status).toBe('PAID');
    await consumer.drain();
    expect(starter.executions.size).toBe(0);
    expect(exchangeOrders(world, `${c.caseId}-sale-1`)).toHaveLength(0);
    expect((await world.store.get(c.cityId, c.caseId))!).toMatchObject({ status: 'PAID', saleAttempts: 0 });
  });

  it('the taxpayer’s own request through the API queues a sale that runs with their floor price', async () => {
    const { starter, consumer, requests } = await queueAndStarter(world);
    const c = await caseReady(world, { caseId: 'queue-taxpayer-1', quantity: '0.1', until: 'NOTICE_SENT' });
    const bid = (await world.realExchange.orderBooks(['KRW-BTC']))[0]!.bids[0]!.price;
    const floor = bid.mul('0.997').floor();
    const api = createApi({
      store: world.store,
      settings: world.citySettings,
      config: testConfig(tableNameOf(world)),
      logger: silent,
      now: () => world.now(),
      requestSales: saleRequestPublisher(requests),
    });
    const answer = await api(
      event('POST', `/cases/${c.caseId}/sale-requests`, {
        body: {
          cityId: CITY,
          limitPrices: { 'KRW-BTC': floor.toFixed() },
          evidence: { relayedBy: 'clerk-2', receivedAt: world.now().toISOString(), channel: 'PHONE' },
        },
      }),
    );
    expect(answer.statusCode).toBe(200);
    await consumer.drain();
    await starter.settle();
    const [execution] = [...starter.executions.values()];
    expect(execution?.input).toMatchObject({ caseId: c.caseId, requestedBy: 'TAXPAYER' });
    expect(execution?.status).toBe('SUCCEEDED');
    const { sale, orders } = await saleOf(world, c, `${c.caseId}-sale-1`);
    expect(sale.requestedBy).toBe('TAXPAYER');
    expect(sale.limitPrices['KRW-BTC']?.toFixed()).toBe(floor.toFixed());
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders) expect(o.limitPrice.gte(floor)).toBe(true);
    expect((await world.store.get(c.cityId, c.caseId))!.status).toBe('SETTLED');
  });

  it('a malformed request is retried and ends in the dead-letter queue; the rest of the batch goes on', async () => {
    const { queue, consumer } = await queueAndStarter(world);
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"cityId":"cheongju","saleId":7}',
        MessageGroupId: 'poison',
        MessageDeduplicationId: 'poison-1',
      }),
    );
    await consumer.drain({ timeoutMs: 15_000 });
    expect(await sqs.bodies(queue.dlq)).toEqual(['{"cityId":"cheongju","saleId":7}']);
  });
});

describe('7. approval above the threshold', () => {
  it('waits, without placing anything, until an officer approves through the API', async () => {
    world.policy = executionPolicy({ approvalThresholdKrw: won('1000000') });
    const c = await caseReady(world, { caseId: 'approval-1', quantity: '0.1' });
    const started = await world.starter.start({
      cityId: CITY,
      caseId: c.caseId,
      saleId: c.saleId!,
      requestedBy: 'DEADLINE',
      requestedAt: world.now().toISOString(),
    });
    const execution = world.starter.executions.get(started.executionName)!;
    for (let i = 0; i < 200; i++) {
      const sale = await world.sales.get(CITY, c.caseId, c.saleId!);
      if (
        sale?.status === 'AWAITING_APPROVAL' &&
        execution.events.filter((e) => e.type === 'StateEntered' && e.state?.name === 'AwaitApproval').length >= 2
      )
        break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(execution.status).toBe('RUNNING');
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(0);
    const path = `/cases/${c.caseId}/sales/${c.saleId}/approval`;
    expect((await world.api.call('POST', path, { as: 'city', body: { cityId: CITY } })).status).toBe(403);
    const approved = await world.api.call('POST', path, { as: 'officer', body: { cityId: CITY } });
    expect(approved.status).toBe(200);
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('AwaitApproval');
    const { sale } = await saleOf(world, c, c.saleId!);
    expect(sale.approval).toMatchObject({ approvedBy: 'kim.officer', plannedValueKrw: expect.any(Decimal) });
    expect(sale.approval!.plannedValueKrw.gte(1_000_000)).toBe(true);
    const statement = (await world.store.statement(c.cityId, c.caseId))!;
    expect(statement.case.status).toBe('SETTLED');
    expect(statement.audit.find((a) => a.action === 'APPROVE_SALE')).toMatchObject({
      actor: { kind: 'OFFICER', id: 'kim.officer' },
    });
    expect(exchangeOrders(world, c.saleId!).length).toBeGreaterThan(0);
  });
});

function tableNameOf(w: SaleWorld): string {
  return (w.sales as unknown as { tableName: string }).tableName;
}
