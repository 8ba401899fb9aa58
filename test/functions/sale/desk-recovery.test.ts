/**
 * A desk run that ended without ending the desk (docs/SALE-DESK.md “A dead run”), on the two
 * synthesized state machines in the local interpreter with the real steps, DynamoDB Local and the
 * exchange simulator: the desk's order went out and its step failed, then ResolveDeskOrders failed
 * too, on every retry. The desk record still reads RUNNING; the next case to join starts the desk's
 * next run, which finds the order by its identifier (never sent again) and sells for both cases.
 */
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { sum } from '#domain/money';
import { deskIdOf } from '#adapters/dynamodb/desk-store';
import { deskExecutionName } from '#adapters/workflow/sale-workflow';
import type { UpbitExchange } from '#adapters/exchange/upbit';
import { DEFAULT_SALE_LIMITS } from '../../../functions/sale/config';
import type { OrderExchange } from '../../../functions/sale/orders-in-doubt';
import { byKind, deskHelpers } from './desk-support';
import { caseReady, CITY, executionInput, pacedExchange, statesEntered, useSaleWorld } from './world';

const world = useSaleWorld();
beforeEach(() => {
  world.limits = DEFAULT_SALE_LIMITS; // through the desk, as deployed
  world.exchange = pacedExchange(world);
});
const { ledgerOf, shares } = deskHelpers(world);

/** Polls (real time) until `done` holds, for at most a minute. */
async function until(done: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 2400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('a desk run that ended without ending the desk', () => {
  it('the next case to join settles the dead run’s orders (the one sent found by identifier, never re-sent) and starts the next run, which sells for both cases', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const first = await caseReady(world, { caseId: 'dead-desk-0', quantity: '0.05' });
    const second = await caseReady(world, { caseId: 'dead-desk-1', quantity: '0.04' });
    const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
    const day = kstDate(world.now());
    const runName = (run: number) => deskExecutionName({ cityId: CITY, market: 'KRW-BTC', day, run });

    // The desk's second order reaches the exchange and executes; its step dies before recording it,
    // and ResolveDeskOrders cannot reach the table either, retry after retry.
    const real = world.exchange as UpbitExchange;
    let sent = '';
    let placed = 0;
    world.exchange = Object.assign(Object.create(real) as OrderExchange, {
      placeOrResolve: async (order: Parameters<OrderExchange['placeOrResolve']>[0]) => {
        if (!order.identifier.startsWith(`${CITY}.desk.`) || ++placed !== 2) return real.placeOrResolve(order);
        sent = order.identifier;
        await real.placeOrResolve(order);
        throw Object.assign(new Error('the step failed after sending'), { name: 'CorruptItemError' });
      },
    });
    let resolveTries = 0;
    world.hooks.ResolveDeskOrders = async () => {
      resolveTries += 1;
      throw Object.assign(new Error('the table did not answer'), { name: 'ProvisionedThroughputExceededException' });
    };

    const firstSale = await world.starter.start(executionInput(first));
    await until(() => world.deskStarter.executions.get(runName(1))?.status === 'FAILED');
    const deadRun = world.deskStarter.executions.get(runName(1))!;
    expect(deadRun.status).toBe('FAILED');
    expect(statesEntered(deadRun).at(-1)).toBe('ResolveDeskOrders');
    expect(resolveTries).toBeGreaterThan(1); // retried, then given up
    // The dead state: the desk reads RUNNING with the first case in it, the order sent still SENDING.
    expect(await world.desks.get(CITY, deskId)).toMatchObject({ status: 'RUNNING', run: 1 });
    expect(await world.desks.member(CITY, deskId, first.caseId)).toMatchObject({ status: 'ACTIVE' });
    expect((await world.desks.order(CITY, deskId, sent))?.status).toBe('SENDING');

    world.hooks = {};
    world.exchange = real;
    const secondSale = await world.starter.start(executionInput(second));
    const executions = [firstSale, secondSale].map((s) => world.starter.executions.get(s.executionName)!);
    await until(() => executions.every((e) => e.status !== 'RUNNING'));
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    await world.deskStarter.settle();

    const nextRun = world.deskStarter.executions.get(runName(2));
    expect(nextRun?.status).toBe('SUCCEEDED');
    expect(world.deskStarter.executions.has(runName(3))).toBe(false);
    expect(world.metrics.filter((m) => m.name === 'DeskRunRecovered')).toHaveLength(1);

    // The order sent before the run died: on the exchange once, found by its identifier, its fills shared.
    const orders = await world.desks.orders(CITY, deskId);
    const found = orders.find((o) => o.identifier === sent)!;
    expect(found).toMatchObject({ status: 'DONE', sendAttempts: 1 });
    expect(found.executedVolume!.gt(0)).toBe(true);
    expect(sum((found.allocation ?? []).map((f) => f.quantity)).toFixed()).toBe(found.executedVolume!.toFixed());
    const ids = world.sim.orders.all().map((o) => o.identifier);
    for (const o of orders.filter((x) => x.status !== 'ABSENT'))
      expect(ids.filter((id) => id === o.identifier)).toHaveLength(1);
    // The next run sold for both cases; each settled on its shares, the found order's among them.
    const afterRecovery = orders.filter((o) => o.slice > found.slice && o.status === 'DONE');
    for (const c of [first, second])
      expect(afterRecovery.some((o) => (o.allocation ?? []).some((f) => f.caseId === c.caseId))).toBe(true);
    expect((await shares(first)).find((s) => s.deskOrder === sent)?.status).toBe('DONE');
    for (const c of [first, second]) {
      const done = (await shares(c)).filter((s) => s.status === 'DONE');
      expect((await shares(c)).filter((s) => s.status === 'IN_DOUBT')).toHaveLength(0);
      const { data, ledger } = await ledgerOf(c);
      expect(data.case.status).toBe('SETTLED');
      expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(done.map((s) => s.executedVolume!)).toFixed());
      expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(done.map((s) => s.grossKrw!)).toFixed());
    }
    expect(await world.desks.get(CITY, deskId)).toMatchObject({ status: 'ENDED', run: 2 });
  }, 150_000);
});
