/**
 * A desk run that ended without ending the desk (docs/SALE-DESK.md “A dead run”), on the two
 * synthesized state machines in the local interpreter with the real steps, DynamoDB Local and the
 * exchange simulator: the desk's order went out and its step failed, then ResolveDeskOrders failed
 * too, on every retry. The desk record still reads RUNNING; the next case to join starts the desk's
 * next run, which finds the order by its identifier (never sent again) and sells for both cases; with
 * nobody joining, the member's own wait notices the silent desk once past its longest wait.
 */
import type { Case } from '#domain/case';
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { sum } from '#domain/money';
import { deskIdOf } from '#adapters/dynamodb/desk-store';
import { deskExecutionName } from '#adapters/workflow/sale-workflow';
import type { UpbitExchange } from '#adapters/exchange/upbit';
import type { OrderExchange } from '../../../functions/sale/orders-in-doubt';
import { byKind, deskHelpers } from './desk-support';
import { caseReady, CITY, executionInput, throughDesk, statesEntered, useSaleWorld } from './world';

const world = useSaleWorld();
beforeEach(() => throughDesk(world));
const { ledgerOf, shares } = deskHelpers(world);

/** Polls (real time) until `done` holds, for at most a minute. */
async function until(done: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 2400 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
}

/**
 * Sells `first` through the desk until the run dies: its second order reaches the exchange and
 * executes, its step dies before recording it, and ResolveDeskOrders cannot reach the table either,
 * retry after retry. Returns the first sale's execution, the order's identifier and the dead run.
 */
async function deadDesk(first: Case) {
  const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
  const day = kstDate(world.now());
  const runName = (run: number) => deskExecutionName({ cityId: CITY, market: 'KRW-BTC', day, run });
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
  const started = await world.starter.start(executionInput(first));
  await until(async () => (await world.desks.member(CITY, deskId, first.caseId))?.status === 'ACTIVE');
  const run = (await world.desks.get(CITY, deskId))!.run;
  await until(() => world.deskStarter.executions.get(runName(run))?.status === 'FAILED');
  const dead = world.deskStarter.executions.get(runName(run))!;
  expect(dead.status).toBe('FAILED');
  expect(statesEntered(dead).at(-1)).toBe('ResolveDeskOrders');
  expect(resolveTries).toBeGreaterThan(1); // retried, then given up
  // The dead state: the desk reads RUNNING with the case in it, the order sent still SENDING.
  expect(await world.desks.get(CITY, deskId)).toMatchObject({ status: 'RUNNING', run });
  expect(await world.desks.member(CITY, deskId, first.caseId)).toMatchObject({ status: 'ACTIVE' });
  expect((await world.desks.order(CITY, deskId, sent))?.status).toBe('SENDING');
  world.hooks = {};
  world.exchange = real;
  return { execution: world.starter.executions.get(started.executionName)!, sent, deskId, run, runName };
}

/** The order sent before the run died: on the exchange once, found by identifier, shared; every case settled on its shares. */
async function everyCoinAccounted(deskId: string, sent: string, cases: Case[]) {
  const orders = await world.desks.orders(CITY, deskId);
  const found = orders.find((o) => o.identifier === sent)!;
  expect(found).toMatchObject({ status: 'DONE', sendAttempts: 1 });
  expect(found.executedVolume!.gt(0)).toBe(true);
  expect(sum((found.allocation ?? []).map((f) => f.quantity)).toFixed()).toBe(found.executedVolume!.toFixed());
  const ids = world.sim.orders.all().map((o) => o.identifier);
  for (const o of orders.filter((x) => x.status !== 'ABSENT'))
    expect(ids.filter((id) => id === o.identifier)).toHaveLength(1);
  expect((await shares(cases[0]!)).find((s) => s.deskOrder === sent)?.status).toBe('DONE');
  // The next run sold for every case.
  const afterRecovery = orders.filter((o) => o.slice > found.slice && o.status === 'DONE');
  for (const c of cases) {
    expect(afterRecovery.some((o) => (o.allocation ?? []).some((f) => f.caseId === c.caseId))).toBe(true);
    const done = (await shares(c)).filter((s) => s.status === 'DONE');
    expect((await shares(c)).filter((s) => s.status === 'IN_DOUBT')).toHaveLength(0);
    const { data, ledger } = await ledgerOf(c);
    expect(data.case.status).toBe('SETTLED');
    expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(done.map((s) => s.executedVolume!)).toFixed());
    expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(done.map((s) => s.grossKrw!)).toFixed());
  }
}

const recovered = () => world.metrics.filter((m) => m.name === 'DeskRunRecovered').length;

describe('a desk run that ended without ending the desk', () => {
  beforeEach(() => void (world.policy = executionPolicy({ participationBps: 10 })));

  it('the next case to join settles the dead run’s orders (the one sent found by identifier, never re-sent) and starts the next run, which sells for both cases', async () => {
    const first = await caseReady(world, { caseId: 'dead-desk-0', quantity: '0.05' });
    const second = await caseReady(world, { caseId: 'dead-desk-1', quantity: '0.04' });
    const before = recovered();
    const { execution, sent, deskId, run, runName } = await deadDesk(first);

    const secondSale = await world.starter.start(executionInput(second));
    const executions = [execution, world.starter.executions.get(secondSale.executionName)!];
    await until(() => executions.every((e) => e.status !== 'RUNNING'));
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    await world.deskStarter.settle();
    expect(world.deskStarter.executions.get(runName(run + 1))?.status).toBe('SUCCEEDED');
    expect(world.deskStarter.executions.has(runName(run + 2))).toBe(false);
    expect(recovered() - before).toBe(1);
    await everyCoinAccounted(deskId, sent, [first, second]);
    expect(await world.desks.get(CITY, deskId)).toMatchObject({ status: 'ENDED', run: run + 1 });
  }, 150_000);

  it('with no case joining, the member waiting notices the silent desk past its longest wait and starts the next run itself', async () => {
    const alone = await caseReady(world, { caseId: 'dead-desk-alone', quantity: '0.05' });
    const before = recovered();
    const { execution, sent, deskId, run, runName } = await deadDesk(alone);
    // Within the desk's longest wait nobody looks: a desk may wait that long between turns.
    await new Promise((r) => setTimeout(r, 300));
    expect(world.deskStarter.executions.has(runName(run + 1))).toBe(false);
    world.sim.clock.advance(world.limits.longestWaitSeconds * 1000 + 11 * 60_000);
    await until(() => execution.status !== 'RUNNING');
    expect(execution.status).toBe('SUCCEEDED');
    await world.deskStarter.settle();
    expect(world.deskStarter.executions.get(runName(run + 1))?.status).toBe('SUCCEEDED');
    expect(recovered() - before).toBe(1);
    await everyCoinAccounted(deskId, sent, [alone]);
  }, 150_000);
});
