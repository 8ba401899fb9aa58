/**
 * The sale desk's paths other than selling (docs/SALE-DESK.md “In the deployed product”), on the two
 * synthesized state machines in the local interpreter with the real steps, DynamoDB Local and the
 * exchange simulator: a desk that fails (the exchange refuses its order, a step fails after or while
 * the order went out), a desk ending at the Korean day's end, a desk whose market guards escalate
 * (what an officer reads), and a bill raised across the approval threshold while a case is in the desk.
 */
import type { Case } from '#domain/case';
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { sum, won } from '#domain/money';
import { deskIdOf, type DeskOrder } from '#adapters/dynamodb/desk-store';
import { InsufficientFunds } from '#adapters/exchange/exchange';
import type { UpbitExchange } from '#adapters/exchange/upbit';
import type { OrderExchange } from '../../../functions/sale/orders-in-doubt';
import { byKind, deskHelpers, executedVolume } from './desk-support';
import {
  afterFirst,
  bill,
  billBody,
  caseReady,
  executionInput,
  CITY,
  throughDesk,
  statesEntered,
  useSaleWorld,
  until,
  untilMembers,
} from './world';

const world = useSaleWorld();
beforeEach(() => throughDesk(world));
const { ledgerOf, readyCases, sellTogether, shares } = deskHelpers(world);

const DAY_MS = 86_400_000;
const KST_MS = 9 * 3_600_000;
const isDeskOrder = (identifier: string) => identifier.startsWith(`${CITY}.desk.`);
const count = (names: string[], name: string) => names.filter((n) => n === name).length;
const metricCount = (name: string) => world.metrics.filter((m) => m.name === name).length;

/** The desk's orders that offered any of these cases (the day's desk also sold earlier tests' cases). */
async function ordersOf(deskId: string, cases: Case[]): Promise<DeskOrder[]> {
  const ids = new Set(cases.map((c) => c.caseId));
  return (await world.desks.orders(CITY, deskId)).filter((o) => o.offers.some((x) => ids.has(x.caseId)));
}

/** The exchange wrapped so that its `n`-th desk order placement does `instead` (the others go through). */
function onDeskPlacement(
  n: number,
  instead: (real: UpbitExchange, order: Parameters<OrderExchange['placeOrResolve']>[0]) => Promise<never>,
) {
  const real = world.exchange as UpbitExchange;
  let placed = 0;
  world.exchange = Object.assign(Object.create(real) as OrderExchange, {
    placeOrResolve: async (order: Parameters<OrderExchange['placeOrResolve']>[0]) => {
      if (isDeskOrder(order.identifier) && ++placed === n) return instead(real, order);
      return real.placeOrResolve(order);
    },
  });
}

/**
 * No coin sold twice or forgotten: each order sent is on the exchange once, each final order's
 * allocation adds up to what the exchange executed, and each case's ledger is its shares DONE, which
 * are its part of those allocations (other cases, of earlier tests, may share the orders).
 */
async function everyCoinAccounted(cases: Case[], orders: DeskOrder[]) {
  const sent = new Set(orders.filter((o) => o.status !== 'ABSENT').map((o) => o.identifier));
  const onExchange = world.sim.orders.all().filter((o) => o.identifier && sent.has(o.identifier));
  expect(onExchange.map((o) => o.identifier).sort()).toEqual([...sent].sort());
  for (const order of orders.filter((o) => o.status === 'DONE')) {
    const ex = onExchange.find((o) => o.identifier === order.identifier)!;
    expect(sum((order.allocation ?? []).map((f) => f.quantity)).toFixed()).toBe(executedVolume(ex).toFixed());
  }
  for (const c of cases) {
    const done = (await shares(c)).filter((s) => s.status === 'DONE');
    const allocated = orders.flatMap((o) => (o.allocation ?? []).filter((f) => f.caseId === c.caseId));
    expect(sum(done.map((s) => s.executedVolume!)).toFixed()).toBe(sum(allocated.map((f) => f.quantity)).toFixed());
    const { data, ledger } = await ledgerOf(c);
    expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(done.map((s) => s.executedVolume!)).toFixed());
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(done.map((s) => s.grossKrw!)).toFixed());
    expect(byKind(ledger, 'SALE_FEE').toFixed()).toBe(sum(done.map((s) => s.feeKrw!)).toFixed());
  }
  return onExchange;
}

const failedRuns = () => [...world.deskStarter.executions.values()].filter((e) => e.status === 'FAILED');

describe('a desk that fails', () => {
  it('the exchange refuses a desk order: the order and its shares ABSENT, the desk run fails (ResolveDeskOrders), its members’ sales fail with it once and settle what they sold; no new run sends the refused coins again', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const cases = await readyCases('refused-desk', ['0.08', '0.05']);
    const failedBefore = failedRuns().length;
    onDeskPlacement(2, async () => {
      throw new InsufficientFunds('POST /v1/orders: 400 insufficient_funds_ask', {
        status: 400,
        exchangeName: 'insufficient_funds_ask',
      });
    });
    const [deskFailedBefore, saleFailedBefore] = [metricCount('DeskFailed'), metricCount('SaleFailed')];
    const executions = await sellTogether(cases);

    const runs = failedRuns().slice(failedBefore);
    expect(runs).toHaveLength(1);
    expect(statesEntered(runs[0]!).slice(-2)).toEqual(['ResolveDeskOrders', 'DeskFailed']);
    const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
    const orders = await ordersOf(deskId, cases);
    const refused = orders.find((o) => o.status === 'ABSENT' && o.absentReason?.startsWith('refused:'));
    expect(refused?.absentReason).toBe('refused: InsufficientFunds insufficient_funds_ask');
    // The refused order is the last that offered these cases: they did not join a new run of the desk.
    expect(Math.max(...orders.map((o) => o.slice))).toBe(refused!.slice);
    for (const c of cases) {
      expect((await shares(c)).find((s) => s.deskOrder === refused!.identifier)?.status).toBe('ABSENT');
      expect(await world.desks.member(CITY, deskId, c.caseId)).toMatchObject({
        status: 'DONE',
        reason: 'FAILED:InsufficientFunds',
      });
    }
    for (const e of executions) {
      expect(e.status).toBe('FAILED');
      const states = statesEntered(e);
      expect(states.slice(-4)).toEqual(['ReadDeskShare', 'ResolveOpenOrders', 'RecordFailure', 'SaleFailed']);
    }
    const onExchange = await everyCoinAccounted(cases, orders);
    expect(onExchange.length).toBeGreaterThan(0);
    for (const c of cases) {
      const { data } = await ledgerOf(c);
      expect(data.case).toMatchObject({ status: 'DUE', lastError: 'FAILED:DeskFailed' });
      expect(data.audit.filter((a) => a.action === 'SETTLE_SALE')).toHaveLength(1);
      expect(await world.sales.get(CITY, c.caseId, c.saleId!)).toMatchObject({
        status: 'FAILED',
        error: { error: 'DeskFailed' },
      });
    }
    expect(metricCount('DeskFailed') - deskFailedBefore).toBe(1);
    expect(metricCount('SaleFailed') - saleFailedBefore).toBe(cases.length);
  }, 150_000);

  it('a desk step fails after its order executed: ResolveDeskOrders finds the order by identifier and shares its fills; nothing sold goes unaccounted', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const cases = await readyCases('failed-reconcile-desk', ['0.08', '0.05']);
    const failedBefore = failedRuns().length;
    let failed = false;
    world.hooks.ReconcileDeskOrder = async (_input, run) => {
      if (failed) return run();
      failed = true;
      throw Object.assign(new Error('item could not be read'), { name: 'CorruptItemError' });
    };
    const executions = await sellTogether(cases);
    expect(failed).toBe(true);
    const runs = failedRuns().slice(failedBefore);
    expect(runs).toHaveLength(1);
    expect(statesEntered(runs[0]!).slice(-3)).toEqual(['ReconcileDeskOrder', 'ResolveDeskOrders', 'DeskFailed']);
    const orders = await ordersOf(deskIdOf('KRW-BTC', kstDate(world.now())), cases);
    // The order the failed step never recorded: DONE, its fills allocated to the cases.
    const last = orders.at(-1)!;
    expect(last.status).toBe('DONE');
    expect(last.executedVolume!.gt(0)).toBe(true);
    expect(sum((last.allocation ?? []).map((f) => f.quantity)).toFixed()).toBe(last.executedVolume!.toFixed());
    for (const e of executions) expect(e.status).toBe('FAILED');
    await everyCoinAccounted(cases, orders);
    for (const c of cases) {
      expect((await shares(c)).find((s) => s.deskOrder === last.identifier)?.status).toBe('DONE');
      expect((await ledgerOf(c)).data.case.status).not.toBe('SELLING');
    }
  }, 150_000);

  it('a desk step fails with its order sent and not found: the order and its shares in doubt, the members’ coins held back when their sales settle, the sweep books the late fill once per case', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const cases = await readyCases('failed-doubt-desk', ['0.04', '0.03']);
    let sentAt = '';
    onDeskPlacement(2, async (real, order) => {
      // Executed hours later: not found by any lookup meanwhile. Then the step dies of something else.
      world.sim.faults.lateProcessing({ times: 1, afterMs: 5 * 3_600_000, mode: 'hang' });
      sentAt = world.now().toISOString();
      await real.placeSell(order).catch(() => undefined);
      throw Object.assign(new Error('the step failed after sending'), { name: 'CorruptItemError' });
    });
    const executions = await sellTogether(cases);
    expect(sentAt).not.toBe('');
    for (const e of executions) expect(e.status).toBe('FAILED');
    const deskId = deskIdOf('KRW-BTC', kstDate(sentAt));
    const doubtful = (await ordersOf(deskId, cases)).find((o) => o.status === 'IN_DOUBT')!;
    expect(doubtful).toMatchObject({ sendAttempts: 1 });
    for (const c of cases) {
      const share = (await shares(c)).find((s) => s.deskOrder === doubtful.identifier)!;
      expect(share.status).toBe('IN_DOUBT');
      // Settled without those coins: neither sold nor released (held back in custody).
      const h = (await ledgerOf(c)).data.case.holdings[0]!;
      const done = (await shares(c)).filter((s) => s.status === 'DONE');
      expect(h.sold.toFixed()).toBe(sum(done.map((s) => s.executedVolume!)).toFixed());
      expect(h.released.add(h.sold).add(share.volume).lte(h.inCustody)).toBe(true);
    }

    world.sim.clock.advance(6 * 3_600_000);
    expect((await world.sweep()).booked).toBe(cases.length);
    expect((await world.sweep()).booked).toBe(0); // once
    const orders = await ordersOf(deskId, cases);
    expect(orders.find((o) => o.identifier === doubtful.identifier)).toMatchObject({ status: 'DONE', sendAttempts: 1 });
    await everyCoinAccounted(cases, orders);
    for (const c of cases) {
      const { data } = await ledgerOf(c);
      expect(data.audit.filter((a) => a.action === 'ADJUST_SALE')).toHaveLength(1);
      expect((await shares(c)).filter((s) => s.status === 'IN_DOUBT')).toHaveLength(0);
    }
  }, 150_000);
});

describe('a desk whose market guards escalate', () => {
  it('ends with its members escalated: each case’s own execution escalates and settles; the officer reads why on the sale and on the desk; one desk alarm metric, one SaleEscalated per case', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const cases = await readyCases('escalated-desk', ['0.08', '0.05']);
    // After the desk's first order, the exchange's feed falls ten minutes behind our clock: stale prices.
    afterFirst(world, 'ReconcileDeskOrder', async () => void (world.clockOffsetMs = 10 * 60_000));
    const [deskBefore, salesBefore] = [metricCount('DeskEscalated'), metricCount('SaleEscalated')];
    const executions = await sellTogether(cases);
    for (const e of executions) {
      expect(e.status).toBe('SUCCEEDED');
      expect(count(statesEntered(e), 'Escalate')).toBe(1);
    }
    expect(metricCount('DeskEscalated') - deskBefore).toBe(1);
    expect(metricCount('SaleEscalated') - salesBefore).toBe(cases.length);

    const day = kstDate(world.now());
    const desk = await world.api.call('GET', '/sale-desks', {
      as: 'officer',
      query: { city: CITY, day, market: 'KRW-BTC' },
    });
    expect(desk.status).toBe(200);
    const [item] = desk.body.items as Record<string, unknown>[];
    expect(item).toMatchObject({ status: 'ENDED', lastDecision: { action: 'END', reason: 'ESCALATED:STALE_PRICE' } });
    const members = item!.memberList as { caseId: string; status: string; reason?: string }[];
    for (const c of cases)
      expect(members.find((m) => m.caseId === c.caseId)).toMatchObject({
        status: 'DONE',
        reason: 'ESCALATED:STALE_PRICE',
      });

    for (const c of cases) {
      const sale = await world.api.call('GET', `/sales/${c.caseId}/${c.saleId}`, {
        as: 'officer',
        query: { city: CITY },
      });
      expect(sale.status).toBe(200);
      expect(sale.body).toMatchObject({
        stopReason: 'ESCALATED:STALE_PRICE',
        escalation: { market: 'KRW-BTC', reason: 'STALE_PRICE' },
        caseStatus: 'DUE',
      });
      // The case's own execution, state by state: out of the desk into its own escalation and settlement.
      const execution = sale.body.execution as { status: string; states: { state: string; status: string }[] };
      expect(execution.status).toBe('SUCCEEDED');
      const names = execution.states.map((s) => s.state);
      expect(names.slice(names.lastIndexOf('ReadDeskShare'))).toEqual([
        'ReadDeskShare',
        'IsInDesk',
        'Escalate',
        'LookUpOrdersInDoubt',
        'AreOrdersInDoubt',
        'Settle',
        'NotifyResult',
        'SaleEnded',
      ]);
      const { data } = await ledgerOf(c);
      expect(data.case).toMatchObject({ status: 'DUE', lastError: 'ESCALATED:STALE_PRICE' });
    }
    await everyCoinAccounted(cases, await ordersOf(deskIdOf('KRW-BTC', day), cases));
  }, 150_000);
});

describe('a bill raised across the approval threshold while the case is in the desk', () => {
  it('the case leaves the desk from its next order and waits for an officer, the others go on; approved, it joins again and settles', async () => {
    world.policy = executionPolicy({ participationBps: 10, approvalThresholdKrw: won('2000000') });
    const raised = await caseReady(world, { caseId: 'raise-desk-0', quantity: '0.2', bills: [bill('B1', '1000000')] });
    const other = await caseReady(world, { caseId: 'raise-desk-1', quantity: '0.08' });
    afterFirst(world, 'ReconcileDeskOrder', async () => {
      expect((await world.api.call('PUT', `/cases/${raised.caseId}/bills`, { body: billBody('3000000') })).status).toBe(
        200,
      );
    });
    const started = await Promise.all(
      [raised, other].map((c) =>
        world.starter.start({
          cityId: CITY,
          caseId: c.caseId,
          saleId: c.saleId!,
          requestedBy: 'DEADLINE',
          requestedAt: world.now().toISOString(),
        }),
      ),
    );
    const [mine, theirs] = started.map((s) => world.starter.executions.get(s.executionName)!);
    await until(
      async () =>
        (await world.sales.get(CITY, raised.caseId, raised.saleId!))?.status === 'AWAITING_APPROVAL' &&
        count(statesEntered(mine!), 'AwaitApproval') >= 2,
    );
    const waiting = (await world.sales.get(CITY, raised.caseId, raised.saleId!))!;
    expect(waiting.status).toBe('AWAITING_APPROVAL');
    expect(waiting.arrival!.plannedValueKrw.lt(2_000_000)).toBe(true);
    expect(waiting.approval!.plannedValueKrw.gte(2_000_000)).toBe(true);
    const deskId = deskIdOf('KRW-BTC', kstDate(waiting.approval!.requestedAt));
    // It left the desk while the desk still had its offer to sell (not when the offer ran out).
    expect(await world.desks.member(CITY, deskId, raised.caseId)).toMatchObject({
      status: 'WITHDRAWN',
      reason: 'AWAITING_APPROVAL',
    });
    // Its own execution, since it last read its share: out of the desk, waiting for the officer, selling nothing.
    const since = statesEntered(mine!).slice(statesEntered(mine!).lastIndexOf('ReadDeskShare') + 1);
    expect(since).toContain('AwaitApproval');
    for (const state of since)
      expect(['IsInDesk', 'WaitInDesk', 'CheckSaleAllowed', 'IsSaleAllowed', 'AwaitApproval']).toContain(state);

    await theirs!.done;
    expect(theirs!.status).toBe('SUCCEEDED');
    // No order planned after it asked for approval sold its coins (one planned meanwhile is blocked unsent).
    const asked = waiting.approval!.requestedAt;
    const after = (await ordersOf(deskId, [raised])).filter((o) => o.plannedAt > asked);
    for (const o of after) expect(o.status).toBe('ABSENT');
    expect(
      (await ordersOf(deskId, [other])).filter((o) => o.plannedAt > asked && o.status === 'DONE').length,
    ).toBeGreaterThan(0);

    const approved = await world.api.call('POST', `/cases/${raised.caseId}/sales/${raised.saleId}/approval`, {
      as: 'officer',
      body: { cityId: CITY },
    });
    expect(approved.status).toBe(200);
    await mine!.done;
    await world.deskStarter.settle();
    expect(mine!.status).toBe('SUCCEEDED');
    expect(count(statesEntered(mine!), 'JoinDesk')).toBeGreaterThanOrEqual(2);
    const sale = (await world.sales.get(CITY, raised.caseId, raised.saleId!))!;
    expect(sale.approval?.approvedBy).toBeDefined();
    await everyCoinAccounted([raised, other], await ordersOf(deskId, [raised, other]));
  }, 150_000);

  it('raised again, across the second threshold, after one officer approved: it waits for a second officer, not let go by the first approval', async () => {
    world.policy = executionPolicy({
      participationBps: 10,
      approvalThresholdKrw: won('2000000'),
      dualApprovalThresholdKrw: won('4000000'),
    });
    const raised = await caseReady(world, {
      caseId: 'raise-twice-desk-0',
      quantity: '0.3',
      bills: [bill('B1', '1000000')],
    });
    const other = await caseReady(world, { caseId: 'raise-twice-desk-1', quantity: '0.08' });
    afterFirst(world, 'ReconcileDeskOrder', async () => {
      expect((await world.api.call('PUT', `/cases/${raised.caseId}/bills`, { body: billBody('3000000') })).status).toBe(
        200,
      );
    });
    const executions = await Promise.all([raised, other].map((c) => world.starter.start(executionInput(c))));
    const mine = world.starter.executions.get(executions[0]!.executionName)!;
    const theirs = world.starter.executions.get(executions[1]!.executionName)!;
    const saleNow = async () => (await world.sales.get(CITY, raised.caseId, raised.saleId!))!; // once LoadCase ran
    const approve = (as: 'officer' | 'officer2') =>
      world.api.call('POST', `/cases/${raised.caseId}/sales/${raised.saleId}/approval`, { as, body: { cityId: CITY } });

    await until(
      async () => (await world.sales.get(CITY, raised.caseId, raised.saleId!))?.status === 'AWAITING_APPROVAL',
    );
    expect((await saleNow()).approval!.plannedValueKrw.lt(4_000_000)).toBe(true);
    expect((await approve('officer')).status).toBe(200);
    // Back in the desk, the bill is raised again: past the second threshold.
    await until(async () => count(statesEntered(mine), 'JoinDesk') >= 2);
    expect((await world.api.call('PUT', `/cases/${raised.caseId}/bills`, { body: billBody('5000000') })).status).toBe(
      200,
    );
    const entered = () => count(statesEntered(mine), 'AwaitApproval');
    // Asked by the desk on its turn or, its offer sold meanwhile, by PlanNextSlice: either way it waits.
    const selling = () => ['QuoteMarket', 'ReadDeskShare'].map((s) => count(statesEntered(mine), s)).join();
    await until(async () => (await saleNow()).status === 'AWAITING_APPROVAL');
    const [first, sellingThen] = [entered(), selling()];
    await until(async () => entered() >= first + 3);
    const waiting = await saleNow();
    expect(waiting.status).toBe('AWAITING_APPROVAL');
    expect(waiting.approval!.plannedValueKrw.gte(4_000_000)).toBe(true);
    // Waiting, not let go to quote (or read its share) and ask again.
    expect(entered()).toBeGreaterThanOrEqual(first + 3);
    expect(selling()).toBe(sellingThen);

    expect((await approve('officer2')).status).toBe(200);
    // Both sales settled (the other's ledger too) before every coin is counted.
    await Promise.all([mine.done, theirs.done]);
    await world.deskStarter.settle();
    expect(mine.status).toBe('SUCCEEDED');
    expect(theirs.status).toBe('SUCCEEDED');
    const deskId = deskIdOf('KRW-BTC', kstDate(waiting.approval!.requestedAt));
    await everyCoinAccounted([raised, other], await ordersOf(deskId, [raised, other]));
  }, 150_000);
});

describe('the desk at the Korean day’s end', () => {
  it('ends its day (DAY_OVER): its members leave it with nothing on the way and join the next day’s desk, which sells the rest; nothing planned on the old desk after midnight, no coin sold twice', async () => {
    // Each desk turn moves the world's one clock a minute, so a case quoting beside the next day's
    // desk can find its quote minutes old and pause (STALE_PRICE) until it escalates: staleness is
    // not this test's subject (the sale-workflow tests cover it).
    world.policy = executionPolicy({ participationBps: 10, maxPriceAgeMs: 10 * 60_000 });
    // The sales start at 23:30 in Korea; after the desk's first order the clock passes midnight (the
    // waits of half an hour).
    const kst = () => world.now().getTime() + KST_MS;
    world.sim.clock.advance((DAY_MS + 23.5 * 3_600_000 - (kst() % DAY_MS)) % DAY_MS);
    const cases = await readyCases('day-end-desk', ['0.08', '0.05']);
    const day1 = kstDate(world.now());
    afterFirst(world, 'ReconcileDeskOrder', async () => {
      // Both cases in the day's desk before midnight passes: a case slower to reach JoinDesk (a cold
      // or loaded machine) would otherwise meet only the next day's desk.
      await untilMembers(world, deskIdOf('KRW-BTC', day1), cases);
      world.sim.clock.advance(DAY_MS - (kst() % DAY_MS) + 60_000);
    });
    const executions = await sellTogether(cases);
    const day2 = kstDate(world.now());
    expect(day2).not.toBe(day1);
    for (const e of executions) {
      expect(e.status).toBe('SUCCEEDED');
      expect(count(statesEntered(e), 'JoinDesk')).toBeGreaterThanOrEqual(2);
    }
    const [desk1, desk2] = [deskIdOf('KRW-BTC', day1), deskIdOf('KRW-BTC', day2)];
    expect(await world.desks.get(CITY, desk1)).toMatchObject({
      status: 'ENDED',
      lastDecision: { action: 'END', reason: 'DAY_OVER' },
    });
    const before = await ordersOf(desk1, cases);
    expect(before.length).toBeGreaterThan(0);
    for (const o of before) {
      expect(kstDate(o.plannedAt)).toBe(day1);
      expect(['DONE', 'ABSENT']).toContain(o.status);
    }
    for (const c of cases) {
      expect((await world.desks.member(CITY, desk1, c.caseId))?.status).not.toBe('ACTIVE');
      expect(await world.desks.member(CITY, desk2, c.caseId)).toMatchObject({ saleId: c.saleId });
    }
    const next = await ordersOf(desk2, cases);
    expect(next.some((o) => o.status === 'DONE')).toBe(true);
    const runs = [...world.deskStarter.executions.values()].map((e) => e.name);
    expect(runs).toContain(`${CITY}_desk_KRW-BTC_${day2.replaceAll('-', '')}`);
    await everyCoinAccounted(cases, [...before, ...next]);
  }, 150_000);
});
