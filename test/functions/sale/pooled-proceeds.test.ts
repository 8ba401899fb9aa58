/**
 * A case's money through the sale desk (docs/SALE-DESK.md "What a case offers"): its offer follows
 * what it still needs, re-planned on its real net proceeds as a case selling alone does; its sale's
 * figures count its shares of the desk's orders; a settlement finished after a crash reads them too;
 * the desk's shortfall is measured against each case's own arrival price.
 * The two synthesized state machines in the local interpreter, DynamoDB Local, the exchange simulator.
 */
import type { Case } from '#domain/case';
import { arrears } from '#domain/case';
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum } from '#domain/money';
import { deskIdOf, memberLeft } from '#adapters/dynamodb/desk-store';
import { netProceeds } from '#adapters/dynamodb/sale-store';
import { createCaseSteps } from '../../../functions/sale/case-steps';
import { sameSettingsForEveryCity } from '../../domain/fixtures';
import { deskHelpers } from './desk-support';
import { bill, caseReady, CITY, executionInput, throughDesk, settings, silent, useSaleWorld } from './world';

const world = useSaleWorld();
beforeEach(() => throughDesk(world));

const { sellTogether, shares: sharesOf } = deskHelpers(world);

const refunded = async (c: Case) => {
  const data = (await world.store.statement(c.cityId, c.caseId))!;
  return sum(
    data.ledger
      .flatMap((b) => b.entries)
      .filter((e) => e.kind === 'REFUND')
      .map((e) => e.amount),
  );
};

describe('a case’s money through the sale desk', () => {
  it('a payment while the case is in the desk: its offer is re-planned to what it still needs, so the desk sells no more of it than that; slices count its shares; a settlement finished after a crash reads their net proceeds', async () => {
    world.policy = executionPolicy({ participationBps: 50 });
    // Its share of each desk order (about ₩700,000) is far above what it will still need after paying.
    const paying = await caseReady(world, { caseId: 'reoffer-0', quantity: '0.6', bills: [bill('B1', '15000000')] });
    const other = await caseReady(world, { caseId: 'reoffer-1', quantity: '0.08' });
    const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
    const left = 20_000;

    // After the desk's first order is final, the taxpayer pays all but ₩20,000 of what is still owed.
    // The desk's next turn applies the case's own checks and re-plans its offer before it plans the order.
    let paid = false;
    let paymentIn = false;
    let offerAfter: Decimal | undefined;
    world.hooks.ReconcileDeskOrder = async (_input, run) => {
      const out = await run();
      if (!paid) {
        paid = true;
        const c = (await world.store.get(CITY, paying.caseId))!;
        const sold = netProceeds(await sharesOf(paying));
        const owed = arrears(c, kstDate(world.now()), { ...settings }).sub(sold);
        const r = await world.api.call('POST', `/cases/${paying.caseId}/payments`, {
          body: {
            cityId: CITY,
            paymentId: `RCPT-${paying.caseId}`,
            amount: owed.sub(left).toFixed(0),
            receivedOn: kstDate(world.now()),
          },
        });
        expect(r.status).toBe(200);
        paymentIn = true;
      }
      return out;
    };
    world.hooks.PlanDeskSlice = async (_input, run) => {
      if (!paymentIn || offerAfter !== undefined) return run();
      // The first turn after the payment: what the desk may still sell of the case as it plans
      // (its offer less what it sold; orders open before this turn held).
      const openBefore = (await world.desks.orders(CITY, deskId)).filter((o) =>
        ['PLANNED', 'SENDING', 'PLACED', 'IN_DOUBT'].includes(o.status),
      );
      const out = await run();
      offerAfter = memberLeft((await world.desks.member(CITY, deskId, paying.caseId))!, openBefore);
      return out;
    };

    const executions = await sellTogether([paying, other]);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    expect(paid).toBe(true);

    // Re-planned: what the desk may still sell of the case is what raises ₩20,000 at the desk's bid
    // (to the lot), not the rest of the offer it joined with.
    const quote = (await world.desks.get(CITY, deskId))!.lastQuote!;
    const needed = new Decimal(left).div(quote.bestBid.mul(new Decimal(1).sub(quote.askFee)));
    expect(offerAfter).toBeDefined();
    expect(offerAfter!.lte(needed.mul(1.01))).toBe(true);

    // Sold no more than it needed: what comes back is below one exchange minimum (₩5,000), as when a
    // case sells alone; the other case goes on as it would.
    const c = (await world.store.get(CITY, paying.caseId))!;
    expect(c.status).toBe('SETTLED');
    expect((await refunded(paying)).lt(5_000)).toBe(true);
    expect((await world.store.get(CITY, other.caseId))!.status).not.toBe('SELLING');

    // The sale's figures count its shares of the desk's orders (its own slice counter stays at 0).
    const shares = (await sharesOf(paying)).filter((s) => s.status !== 'ABSENT');
    const sale = (await world.sales.get(CITY, paying.caseId, paying.saleId!))!;
    expect(sale.sliceCount).toBe(0);
    expect(shares.length).toBeGreaterThan(1);
    expect(sale.quality?.slices).toBe(String(shares.length));

    // The desk's shortfall is over the same fills as the sales' own: each case's coins against the
    // mid of its own sale's decision, fees included (not the desk's first mid of the day).
    const desk = (await world.desks.get(CITY, deskId))!;
    let atArrival = new Decimal(0);
    let net = new Decimal(0);
    for (const x of [paying, other]) {
      const arrival = (await world.sales.get(CITY, x.caseId, x.saleId!))!.arrival!.mids['KRW-BTC']!;
      for (const s of (await sharesOf(x)).filter((o) => o.status === 'DONE')) {
        atArrival = atArrival.add(arrival.mul(s.executedVolume!));
        net = net.add(s.grossKrw!).sub(s.feeKrw!);
      }
    }
    expect(desk.figures.arrivalValueKrw.toFixed()).toBe(atArrival.toFixed());
    expect(desk.figures.grossKrw.sub(desk.figures.feeKrw).toFixed()).toBe(net.toFixed());
    expect(desk.arrivalMid!.eq(atArrival.div(desk.figures.soldQuantity))).toBe(false); // not the desk's first mid

    // A crash after the case's settlement transaction, before the sale record was finished: the step
    // run again finishes it and reports the net proceeds of its shares, not 0.
    await world.sales.save({ ...sale, status: 'SETTLING' });
    const steps = createCaseSteps({
      store: world.store,
      sales: world.sales,
      desks: world.desks,
      policy: world.policy,
      limits: world.limits,
      settings: sameSettingsForEveryCity(settings),
      clock: () => world.now(),
      logger: silent,
      metrics: { addMetric: () => undefined, addDimension: () => undefined } as never,
      notices: { publish: async () => undefined },
    });
    const again = (await steps.Settle({ ...executionInput(paying), step: 'Settle' })) as {
      netKrw: string;
      status: string;
    };
    const proceeds = netProceeds(shares);
    expect(proceeds.gt(0)).toBe(true);
    expect(again).toMatchObject({ status: 'SETTLED', netKrw: proceeds.toFixed(0) });
    expect((await world.sales.get(CITY, paying.caseId, paying.saleId!))!.status).toBe('SETTLED');
  }, 200_000);
});
