/**
 * Checks at the last moment (issue 13 §3), end to end on the synthesized state machine: PlaceOrder
 * re-reads the case right before it calls the exchange (holds, full payment, bills, what is still
 * needed); a bill update that raises a running sale across the approval threshold needs a new
 * approval.
 */
import { executionPolicy } from '#domain/execution-policy';
import { kstDate } from '#domain/dates';
import { arrears, type Case } from '#domain/case';
import { won } from '#domain/money';
import { CALLERS } from '../../support/api';
import {
  bill,
  billBody,
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
beforeEach(() => void (world.exchange = pacedExchange(world)));
const owedNow = (c: Case) => arrears(c, kstDate(world.now()), settings);

/** Runs `change` once, right before the first PlaceOrder reaches its handler (after the slice was planned). */
function beforeFirstPlaceOrder(change: () => Promise<void>) {
  let done = false;
  world.hooks.PlaceOrder = async (_input, run) => {
    if (!done) {
      done = true;
      await change();
    }
    return run();
  };
}

describe('PlaceOrder checks the case at the last moment', () => {
  const blocks: [string, (c: Case) => Promise<void>, string, string][] = [
    [
      'a hold',
      async (c) =>
        void expect(
          (
            await world.api.call('POST', `/cases/${c.caseId}/holds`, {
              as: 'officer',
              body: { cityId: CITY, kind: 'APPEAL', reason: '이의신청' },
            })
          ).status,
        ).toBe(201),
      'ON_HOLD',
      'ON_HOLD',
    ],
    [
      'a payment in full',
      async (c) =>
        void expect(
          (
            await world.api.call('POST', `/cases/${c.caseId}/payments`, {
              body: {
                cityId: CITY,
                paymentId: `RCPT-${c.caseId}`,
                amount: owedNow(c).toFixed(0),
                receivedOn: kstDate(world.now()),
              },
            })
          ).status,
        ).toBe(200),
      'NOTHING_OWED',
      'SETTLED',
    ],
  ];
  it.each(blocks)(
    '%s arriving between planning and placing: the order is closed as not placed, with the reason, and nothing reaches the exchange',
    async (_what, change, reason, caseStatus) => {
      const c = await caseReady(world, { caseId: `last-${reason.toLowerCase()}`, quantity: '0.1' });
      beforeFirstPlaceOrder(() => change(c));
      const execution = await runSale(world, c);
      expect(execution.status).toBe('SUCCEEDED');
      const { orders } = await saleOf(world, c, c.saleId!);
      expect(orders).toEqual([
        expect.objectContaining({ slice: 1, status: 'ABSENT', absentReason: `blocked: ${reason}`, sendAttempts: 0 }),
      ]);
      expect(exchangeOrders(world, c.saleId!)).toHaveLength(0);
      expect(world.sim.orders.rejections().filter((r) => r.identifier === orders[0]!.identifier)).toHaveLength(0);
      expect(world.metrics.map((m) => m.name)).toContain('OrdersBlocked');
      expect((await world.store.get(c.cityId, c.caseId))!.status).toBe(caseStatus);
    },
  );

  it('bills lowered to nothing between planning and placing block the order too', async () => {
    const c = await caseReady(world, { caseId: 'last-bills', quantity: '0.1', bills: [bill('B1', '1000000')] });
    beforeFirstPlaceOrder(
      async () =>
        void expect(
          (
            await world.api.call('PUT', `/cases/${c.caseId}/bills`, {
              body: { ...billBody('0'), bills: [{ ...billBody('0').bills[0]!, surcharge: '0' }] },
            })
          ).status,
        ).toBe(200),
    );
    const execution = await runSale(world, c);
    expect(execution.status).toBe('SUCCEEDED');
    const { orders } = await saleOf(world, c, c.saleId!);
    expect(orders[0]).toMatchObject({ status: 'ABSENT', absentReason: 'blocked: NOTHING_OWED' });
    expect(exchangeOrders(world, c.saleId!)).toHaveLength(0);
  });
});

describe('approval when a bill update raises a running sale across the threshold', () => {
  it('the sale started under the threshold waits for an officer before its next order, then goes on', async () => {
    world.policy = executionPolicy({ participationBps: 10, approvalThresholdKrw: won('2000000') });
    const c = await caseReady(world, { caseId: 'raise-1', quantity: '0.2', bills: [bill('B1', '1000000')] });
    let raised = false;
    world.hooks.ReconcileOrder = async (_input, run) => {
      const out = await run();
      if (!raised) {
        raised = true;
        expect((await world.api.call('PUT', `/cases/${c.caseId}/bills`, { body: billBody('3000000') })).status).toBe(
          200,
        );
      }
      return out;
    };
    const started = await world.starter.start({
      cityId: CITY,
      caseId: c.caseId,
      saleId: c.saleId!,
      requestedBy: 'DEADLINE',
      requestedAt: world.now().toISOString(),
    });
    const execution = world.starter.executions.get(started.executionName)!;
    for (let i = 0; i < 400; i++) {
      const sale = await world.sales.get(CITY, c.caseId, c.saleId!);
      if (
        sale?.status === 'AWAITING_APPROVAL' &&
        statesEntered(execution).filter((s) => s === 'AwaitApproval').length >= 2
      )
        break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(execution.status).toBe('RUNNING');
    const waiting = await saleOf(world, c, c.saleId!);
    expect(waiting.sale.status).toBe('AWAITING_APPROVAL');
    expect(waiting.sale.arrival!.plannedValueKrw.lt(2_000_000)).toBe(true);
    expect(waiting.sale.approval!.plannedValueKrw.gte(2_000_000)).toBe(true);
    const placedBefore = exchangeOrders(world, c.saleId!).length;
    expect(placedBefore).toBe(1);

    expect(
      (
        await world.api.call('POST', `/cases/${c.caseId}/sales/${c.saleId}/approval`, {
          as: 'officer',
          body: { cityId: CITY },
        })
      ).status,
    ).toBe(200);
    await execution.done;
    expect(execution.status).toBe('SUCCEEDED');
    expect(exchangeOrders(world, c.saleId!).length).toBeGreaterThan(placedBefore);
    const { sale } = await saleOf(world, c, c.saleId!);
    expect(sale.approval).toMatchObject({ approvedBy: CALLERS.officer.split('/').pop() }); // the officer's source identity
  });
});
