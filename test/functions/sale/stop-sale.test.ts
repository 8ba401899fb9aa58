/**
 * An officer ends a running sale (issue 13 §5), end to end: the route records the stop on the case
 * (audited with the officer), the synthesized state machine in the local interpreter acts on it at
 * its next check, against DynamoDB Local and the exchange simulator. What was sold is settled; an
 * order still in doubt keeps its coins in custody and stays with the sweep.
 */
import { arrears, type Case } from '#domain/case';
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum } from '#domain/money';
import {
  afterFirst,
  caseReady,
  CITY,
  exchangeOrders,
  pacedExchange,
  runSale,
  saleOf,
  settings,
  statesEntered,
  useSaleWorld,
} from './world';

const world = useSaleWorld();

const byKind = (entries: { kind: string; amount: Decimal }[], kind: string) =>
  sum(entries.filter((e) => e.kind === kind).map((e) => e.amount));
const stopPath = (c: Case) => `/cases/${c.caseId}/sales/${c.saleId}/stop`;

async function ledgerOf(c: Pick<Case, 'cityId' | 'caseId'>) {
  const data = (await world.store.statement(c.cityId, c.caseId))!;
  return { data, ledger: data.ledger.flatMap((b) => b.entries).filter((e) => e.kind !== 'PAYMENT_IN') };
}

describe('an officer ends a running sale', () => {
  it('mid-sale: no order after the stop, what was sold is settled in the legal order, the case is DUE again, the audit names the officer', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const c = await caseReady(world, { caseId: 'stop-1', quantity: '0.1' });
    const owedAtStart = arrears(c, kstDate(world.now()), settings);
    const key = 'stop-1-key';
    afterFirst(world, 'ReconcileOrder', async () => {
      const stopped = await world.api.call('POST', stopPath(c), {
        as: 'officer',
        key,
        body: { cityId: CITY, reason: '시장 급변: 담당관 판단으로 매각 중단' },
      });
      expect(stopped.status).toBe(200);
      expect(stopped.body.status).toBe('SELLING');
      // The same request again is answered as before; another stop is refused; another city's officer learns nothing.
      const replayed = await world.api.call('POST', stopPath(c), {
        as: 'officer',
        key,
        body: { cityId: CITY, reason: '시장 급변: 담당관 판단으로 매각 중단' },
      });
      expect(replayed).toMatchObject({ status: 200, headers: { 'Idempotent-Replayed': 'true' } });
      const again = await world.api.call('POST', stopPath(c), {
        as: 'officer2',
        body: { cityId: CITY, reason: '중복' },
      });
      expect(again).toMatchObject({ status: 422, body: { code: 'ALREADY_STOPPING' } });
      expect(again.headers['content-type']).toBe('application/problem+json');
      const foreign = await world.api.call('POST', stopPath(c), {
        as: 'sejongOfficer',
        body: { cityId: CITY, reason: '타 시' },
      });
      expect(foreign.status).toBe(403);
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    const states = statesEntered(execution);
    expect(states.slice(-5)).toEqual([
      'LookUpOrdersInDoubt',
      'AreOrdersInDoubt',
      'Settle',
      'NotifyResult',
      'SaleEnded',
    ]);
    // One order before the stop, none after.
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(1);
    expect(states.filter((s) => s === 'PlaceOrder')).toHaveLength(1);

    const { sale, orders } = await saleOf(world, c, c.saleId!);
    expect(sale).toMatchObject({ status: 'SETTLED', stopReason: 'STOPPED_BY_OFFICER' });
    expect(orders.every((o) => o.status === 'DONE')).toBe(true);
    const { data, ledger } = await ledgerOf(c);
    expect(data.case).toMatchObject({
      status: 'DUE',
      lastError: 'STOPPED_BY_OFFICER',
      saleStop: { saleId: c.saleId, by: 'kim.officer' },
    });
    const gross = byKind(ledger, 'SALE_GROSS');
    expect(gross.gt(0)).toBe(true);
    // Every won accounted for, the proceeds applied to what was owed.
    expect(gross.toFixed()).toBe(
      byKind(ledger, 'SALE_FEE')
        .add(byKind(ledger, 'ALLOCATION'))
        .add(byKind(ledger, 'REFUND'))
        .add(byKind(ledger, 'SALE_ROUNDING'))
        .toFixed(),
    );
    expect(arrears(data.case, kstDate(world.now()), settings).toFixed()).toBe(
      owedAtStart.sub(byKind(ledger, 'ALLOCATION')).toFixed(),
    );
    expect(data.case.holdings[0]!.sold.toFixed()).toBe(orders[0]!.executedVolume!.toFixed());
    const stopEntry = data.audit.find((a) => a.action === 'STOP_SALE');
    expect(stopEntry).toMatchObject({
      actor: { kind: 'OFFICER', id: 'kim.officer' },
      reason: '시장 급변: 담당관 판단으로 매각 중단',
      details: { saleId: c.saleId },
    });
    expect(data.audit.filter((a) => a.action === 'STOP_SALE')).toHaveLength(1);
    expect(data.audit.at(-1)).toMatchObject({ action: 'SETTLE_SALE', reason: 'STOPPED_BY_OFFICER' });
  });

  it('with an order in doubt: it is looked up before settling, its coins stay in custody, and the sweep still follows and books it', async () => {
    world.exchange = pacedExchange(world);
    // Fewer coins than the arrears: the whole holding goes in the first slice, whose answer is lost.
    const c = await caseReady(world, { caseId: 'stop-2', quantity: '0.02' });
    world.sim.faults.lateProcessing({ afterMs: 15 * 60_000, mode: 'destroy' });
    afterFirst(world, 'PlaceOrder', async () => {
      const stopped = await world.api.call('POST', stopPath(c), {
        as: 'officer',
        body: { cityId: CITY, reason: '주문 결과 불명: 중단' },
      });
      expect(stopped.status).toBe(200);
    });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('WaitForOrdersInDoubt');
    expect(statesEntered(execution).filter((s) => s === 'PlaceOrder')).toHaveLength(1);

    const { sale, orders } = await saleOf(world, c, c.saleId!);
    expect(sale.stopReason).toBe('STOPPED_BY_OFFICER');
    expect(orders.map((o) => o.status)).toEqual(['IN_DOUBT']);
    const ended = (await world.store.get(c.cityId, c.caseId))!;
    expect(ended).toMatchObject({ status: 'DUE', lastError: 'STOPPED_BY_OFFICER' });
    expect(ended.holdings[0]!.sold.toFixed()).toBe('0');
    expect(ended.holdings[0]!.released.toFixed()).toBe('0');
    // The sweep's work list still names it.
    expect((await world.sales.ordersInDoubt()).map((m) => m.identifier)).toContain(orders[0]!.identifier);

    world.sim.clock.advance(16 * 60_000);
    const report = await world.sweep();
    expect(report.booked).toBe(1);
    const onExchange = exchangeOrders(world, c.saleId!);
    expect(onExchange).toHaveLength(1);
    const { data, ledger } = await ledgerOf(c);
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(onExchange[0]!.trades.map((t) => t.funds)).toFixed());
    expect(data.audit.filter((a) => a.action === 'ADJUST_SALE')).toHaveLength(1);
    expect((await world.sales.ordersInDoubt()).filter((m) => m.caseId === c.caseId)).toHaveLength(0);
  });

  it('refuses a stop of another sale than the running one, and of a case not selling', async () => {
    const c = await caseReady(world, { caseId: 'stop-3', quantity: '0.1', until: 'DUE' });
    const notSelling = await world.api.call('POST', `/cases/${c.caseId}/sales/${c.caseId}-sale-1/stop`, {
      as: 'officer',
      body: { cityId: CITY, reason: '중단' },
    });
    expect(notSelling).toMatchObject({ status: 409, body: { code: 'ILLEGAL_TRANSITION' } });
    const before = (await world.store.get(c.cityId, c.caseId))!;
    expect(before.version).toBe(c.version);
    const noReason = await world.api.call('POST', `/cases/${c.caseId}/sales/${c.caseId}-sale-1/stop`, {
      as: 'officer',
      body: { cityId: CITY, reason: '  ' },
    });
    expect(noReason).toMatchObject({ status: 400, body: { errors: [{ in: 'body', pointer: '/reason' }] } });
    const byCitySystem = await world.api.call('POST', `/cases/${c.caseId}/sales/${c.caseId}-sale-1/stop`, {
      as: 'city',
      body: { cityId: CITY, reason: '중단' },
    });
    expect(byCitySystem.status).toBe(403);
  });
});
