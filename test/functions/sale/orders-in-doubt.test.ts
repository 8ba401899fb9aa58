/**
 * Orders in doubt (issue 13 §1), end to end: the synthesized state machine in the local interpreter
 * with the real step handlers, DynamoDB Local, and the exchange simulator's late-processing fault (the
 * order request times out, the order executes later, lookups answer not found until then). Asserts
 * on the exchange's own record against the case's ledger.
 */
import type { Case } from '#domain/case';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum } from '#domain/money';
import type { OrderRecord } from '#adapters/dynamodb/sale-store';
import { openedSale } from '../../support/cases';
import { caseReady, CITY, exchangeOrders, pacedExchange, runSale, saleOf, statesEntered, useSaleWorld } from './world';

const world = useSaleWorld();
// Lookups repeat with no real time between them: the client paces itself to the simulator's
// real per-second limits (Upbit's), or it would be banned.
beforeEach(() => void (world.exchange = pacedExchange(world)));

const byKind = (entries: { kind: string; amount: Decimal }[], kind: string) =>
  sum(entries.filter((e) => e.kind === kind).map((e) => e.amount));

/** Every ledger line of every sale of the case. */
async function ledgerOf(c: Pick<Case, 'cityId' | 'caseId'>) {
  const data = (await world.store.statement(c.cityId, c.caseId))!;
  return { data, ledger: data.ledger.flatMap((b) => b.entries).filter((e) => e.kind !== 'PAYMENT_IN') };
}

/** The exchange's record of every order of a case (all its sale attempts). */
const exchangeOrdersOfCase = (caseId: string) =>
  world.sim.orders.all().filter((o) => o.identifier?.startsWith(`${CITY}.${caseId}-sale-`));
const executedVolume = (o: { trades: { volume: Decimal }[] }) => sum(o.trades.map((t) => t.volume));

describe('an order in doubt is never forgotten', () => {
  it('late processing: the order request times out, lookups find nothing, the order executes 90 s later; it is found before the next slice and recorded once, never re-sent', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const c = await caseReady(world, { caseId: 'late-1', quantity: '0.1' });
    world.sim.faults.lateProcessing({ afterMs: 90_000, mode: 'hang' });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    expect(statesEntered(execution)).toContain('WasOrderPlaced');

    const { sale, orders } = await saleOf(world, c, c.saleId!);
    const s1 = orders[0]!;
    expect(s1).toMatchObject({ slice: 1, status: 'DONE', sendAttempts: 1 });
    expect(s1.inDoubtSince).toBeDefined();
    expect(sale.pauses.filter((p) => p.reason === 'ORDER_IN_DOUBT').length).toBeGreaterThan(0);
    // s2 was planned only after s1 was found.
    expect(Date.parse(orders[1]!.plannedAt)).toBeGreaterThanOrEqual(Date.parse(s1.reconciledAt!));
    expect(world.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['OrdersInDoubt', 'OrdersInDoubtResolved']),
    );

    // One exchange order per identifier, one POST per order: nothing re-sent.
    const onExchange = exchangeOrders(world, c.saleId!);
    expect(onExchange.map((o) => o.identifier)).toEqual(orders.map((o) => o.identifier));
    const posts = world.sim.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/orders' && r.at.getTime() >= Date.parse(sale.startedAt),
    );
    expect(posts).toHaveLength(orders.length);
    const { data, ledger } = await ledgerOf(c);
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(
      sum(onExchange.flatMap((o) => o.trades.map((t) => t.funds))).toFixed(),
    );
    expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(onExchange.map(executedVolume)).toFixed());
    expect(data.case.status).toBe('SETTLED');
  });

  it('a fill that turns up after settlement is booked by the sweep as a post-settlement adjustment (legal order, notice), exactly once', async () => {
    // Fewer coins than the arrears: the whole holding goes in the first slice.
    const c = await caseReady(world, { caseId: 'late-2', quantity: '0.02' });
    world.sim.faults.lateProcessing({ afterMs: 15 * 60_000, mode: 'destroy' });
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    // Before settling, the order was looked up again and waited for up to the bound.
    expect(statesEntered(execution).filter((s) => s === 'WaitForOrdersInDoubt').length).toBeGreaterThan(0);
    const before = await saleOf(world, c, c.saleId!);
    const s1 = before.orders[0]!;
    expect(s1.status).toBe('IN_DOUBT');
    const settledCase = (await world.store.get(c.cityId, c.caseId))!;
    // Nothing sold as far as anyone knew: the coins stay in custody, neither sold nor released.
    expect(settledCase.holdings[0]!.sold.toFixed()).toBe('0');
    expect(settledCase.holdings[0]!.released.toFixed()).toBe('0');
    expect(exchangeOrdersOfCase(c.caseId)).toHaveLength(0);

    // The exchange processes the request late; the scheduled sweep finds and books it.
    world.sim.clock.advance(16 * 60_000);
    const published = world.published.length;
    const report = await world.sweep();
    expect(report.booked).toBe(1);
    const onExchange = exchangeOrdersOfCase(c.caseId);
    expect(onExchange).toHaveLength(1);
    expect(executedVolume(onExchange[0]!).gt(0)).toBe(true);

    const after = await saleOf(world, c, c.saleId!);
    expect(after.orders[0]).toMatchObject({ status: 'DONE', lateFill: true });
    const { data, ledger } = await ledgerOf(c);
    const gross = sum(onExchange[0]!.trades.map((t) => t.funds));
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(gross.toFixed());
    expect(byKind(ledger, 'SALE_FEE').toFixed()).toBe(onExchange[0]!.paidFee.toFixed());
    // Every won accounted for: gross = fee + allocations + refund + rounding.
    expect(gross.toFixed()).toBe(
      byKind(ledger, 'SALE_FEE')
        .add(byKind(ledger, 'ALLOCATION'))
        .add(byKind(ledger, 'REFUND'))
        .add(byKind(ledger, 'SALE_ROUNDING'))
        .toFixed(),
    );
    expect(byKind(ledger, 'ALLOCATION').gt(0)).toBe(true);
    expect(data.case.holdings[0]!.sold.toFixed()).toBe(executedVolume(onExchange[0]!).toFixed());
    const audit = data.audit.filter((a) => a.action === 'ADJUST_SALE');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ identifier: s1.identifier, saleId: c.saleId });
    expect(world.published.length).toBe(published + 1);
    expect(data.notices.map((n) => n.noticeId)).toContain(world.published[world.published.length - 1]);

    // Swept again: nothing more is booked.
    const again = await world.sweep();
    expect(again.booked).toBe(0);
    expect(byKind((await ledgerOf(c)).ledger, 'SALE_GROSS').toFixed()).toBe(gross.toFixed());
    expect((await world.sales.ordersInDoubt()).filter((m) => m.caseId === c.caseId)).toHaveLength(0);
  });

  it('late processing, partial fills and lost answers together: no coin sold twice, and the exchange’s fills equal the ledger’s, per case', async () => {
    world.policy = executionPolicy({ participationBps: 15 });
    const cases: Case[] = [];
    for (const [i, quantity] of ['0.1', '0.03', '0.08', '0.02'].entries())
      cases.push(await caseReady(world, { caseId: `mix-${i}`, quantity }));
    const f = world.sim.faults;
    f.lateProcessing({ afterMs: 90_000, mode: 'destroy' });
    f.partialFill({ times: 3, fraction: '0.4' });
    f.loseAnswer({ mode: 'destroy' });
    f.lateProcessing({ afterMs: 20 * 60_000, mode: 'hang' });
    f.loseAnswer({ mode: '500' });
    f.serverError({ status: 502, match: { method: 'POST', path: '/v1/orders' } });
    f.lateProcessing({ afterMs: 30_000, mode: 'destroy' });
    const executions = await Promise.all(cases.map((c) => runSale(world, c)));
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');

    // Later: the late orders have executed; the sweep books what turned up after settlement.
    world.sim.clock.advance(30 * 60_000);
    await world.sweep();
    expect(world.sim.orders.pendingLate()).toBe(0);

    for (const c of cases) {
      const onExchange = exchangeOrdersOfCase(c.caseId);
      const identifiers = onExchange.map((o) => o.identifier);
      expect(new Set(identifiers).size).toBe(identifiers.length);
      const { data, ledger } = await ledgerOf(c);
      const h = data.case.holdings[0]!;
      // No coin sold twice: what the exchange sold for this case is what the case records as sold, within custody.
      expect(h.sold.toFixed()).toBe(sum(onExchange.map(executedVolume)).toFixed());
      expect(h.sold.add(h.released).lte(h.inCustody)).toBe(true);
      // The exchange's fills and fees are the ledger's.
      expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(
        sum(onExchange.flatMap((o) => o.trades.map((t) => t.funds))).toFixed(),
      );
      expect(byKind(ledger, 'SALE_FEE').toFixed()).toBe(sum(onExchange.map((o) => o.paidFee)).toFixed());
      // Each exchange order matches its record, and every record in doubt has no order on the exchange.
      const { orders } = await saleOf(world, c, c.saleId!);
      for (const o of onExchange) {
        const rec = orders.find((r) => r.identifier === o.identifier) as OrderRecord;
        expect(rec.status).toBe('DONE');
        expect(rec.executedVolume!.toFixed()).toBe(executedVolume(o).toFixed());
      }
      for (const r of orders.filter((x) => x.status === 'IN_DOUBT')) expect(identifiers).not.toContain(r.identifier);
    }
    const faultsSeen = world.metrics.filter((m) => m.name === 'OrdersInDoubt' && m.value > 0).length;
    expect(faultsSeen).toBeGreaterThan(0);
  });

  it('the sweep counts sales still SELLING past SALE_MAX_DAYS (metric SalesOverdue, alarmed)', async () => {
    const before = (await world.sweep()).overdueSales;
    const c = await caseReady(world, { caseId: 'stuck-1', quantity: '0.01' });
    const startedAt = new Date(world.now().getTime() - world.limits.maxSaleDurationMs - 3_600_000).toISOString();
    await world.sales.create(
      openedSale(CITY, c.caseId, { saleId: c.saleId!, startedAt, needAtStartKrw: new Decimal('1') }),
    );
    const report = await world.sweep();
    expect(report.overdueSales).toBe(before + 1);
    expect(world.metrics.filter((m) => m.name === 'SalesOverdue').pop()?.value).toBe(before + 1);
  });
});
