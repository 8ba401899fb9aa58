/**
 * Long sales stay within Step Functions' limits (issue 13 §2): the synthesized state machine in the
 * local interpreter, its waits passing on the simulator's clock (`simulateWaits`). A sale waits for a
 * time fitted to its reason (the taxpayer's floor: 15 minutes; the daily cap: the next Korean day)
 * and goes on in a new execution each day, with its state in DynamoDB; the local interpreter's event
 * log shows every execution's history.
 */
import { kstDate } from '#domain/dates';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum } from '#domain/money';
import type { LocalExecution } from '#adapters/workflow/local-starter';
import { saleExecutionName } from '#adapters/workflow/sale-workflow';
import { DEFAULT_LIMITS } from '../../../local/exchange-sim/limits';
import { caseReady, CITY, exchangeOrders, pacedExchange, runSale, saleOf, statesEntered, useSaleWorld } from './world';

// Days of simulated waits pass in seconds of real time, hundreds of quotes: the simulator counts its
// per-second limits at ten times Upbit's here (the subject is Step Functions' limits; the exchange's
// are tested at their own values elsewhere), or the pacing alone would take a minute a test.
const world = useSaleWorld({
  rateLimits: Object.fromEntries(Object.entries(DEFAULT_LIMITS).map(([group, limit]) => [group, limit * 10])),
});

beforeEach(() => {
  world.simulateWaits = true;
  // The client paces itself to the simulator's per-second limits, or it would be banned.
  world.exchange = pacedExchange(world);
});
/** Step Functions' own limit is 25,000; a continued sale stays far under it. */
const MAX_EVENTS = 5_000;
const HOUR = 3_600_000;

/** Every execution of a sale, first to last (the first, then `_c1`, `_c2`, ...). */
async function executionsOf(saleId: string): Promise<LocalExecution[]> {
  await world.starter.settle();
  const out: LocalExecution[] = [];
  for (let n = 0; ; n++) {
    const e = world.starter.executions.get(saleExecutionName(CITY, saleId, n));
    if (!e) return out;
    out.push(e);
  }
}

function expectBounded(executions: LocalExecution[]): void {
  expect(executions.length).toBeGreaterThan(1);
  for (const e of executions) {
    expect(e.status).toBe('SUCCEEDED');
    expect(e.events.length).toBeLessThanOrEqual(MAX_EVENTS);
  }
  for (const e of executions.slice(0, -1))
    expect(statesEntered(e).slice(-3)).toEqual(['IsSaleAllowed', 'ContinueAsNew', 'SaleContinued']);
  expect(statesEntered(executions[executions.length - 1]!)).toContain('SaleEnded');
  console.info(`executions: ${executions.map((e) => `${e.name}=${e.events.length} events`).join(', ')}`);
}

describe('long sales within Step Functions’ limits', () => {
  it('a taxpayer floor above the market for 48 hours, then reached: waits of 15 minutes, one execution a day, each under 5,000 events; it settles', async () => {
    const c = await caseReady(world, { caseId: 'floor-48h', quantity: '0.1' });
    const startedAt = world.now().getTime();
    let floorSet = false;
    let reachedAt: number | undefined;
    // The taxpayer's floor (their own request) far above the market; at 48 hours the market reaches
    // it (the simulator's prices cannot be steered, so the floor comes down to the market instead).
    world.hooks.LoadCase = async (_input, run) => {
      const out = await run();
      if (!floorSet) {
        floorSet = true;
        const sale = (await world.sales.get(CITY, c.caseId, c.saleId!))!;
        await world.sales.save({ ...sale, limitPrices: { 'KRW-BTC': new Decimal('1000000000') } });
      }
      return out;
    };
    world.hooks.QuoteMarket = async (_input, run) => {
      if (reachedAt === undefined && world.now().getTime() - startedAt >= 48 * HOUR) {
        reachedAt = world.now().getTime();
        const sale = (await world.sales.get(CITY, c.caseId, c.saleId!))!;
        await world.sales.save({ ...sale, limitPrices: { 'KRW-BTC': new Decimal('1') } });
      }
      return run();
    };
    await runSale(world, c);
    const executions = await executionsOf(c.saleId!);
    expectBounded(executions);
    expect(executions.length).toBeGreaterThanOrEqual(3);

    const { sale, orders } = await saleOf(world, c, c.saleId!);
    expect(sale.continuations).toBe(executions.length - 1);
    const floorWaits = sale.pauseCount;
    // One look every 15 minutes (plus the minute the quote takes), not every minute: about 180 in 48 hours.
    expect(floorWaits).toBeGreaterThan(150);
    expect(floorWaits).toBeLessThan(48 * 4 + 10);
    expect(Date.parse(orders[0]!.plannedAt)).toBeGreaterThanOrEqual(reachedAt!);
    expect((await world.store.get(c.cityId, c.caseId))!.status).toBe('SETTLED');
    expect(exchangeOrders(world, c.saleId!).length).toBe(orders.filter((o) => o.status === 'DONE').length);
  }, 300_000);

  it('a large sale spread over several days by the daily cap: one execution a day, each under 5,000 events; it settles', async () => {
    world.policy = executionPolicy({ dailyCapBps: 3_000, largeHoldingBps: 0, escalateAfterPauses: 1_000 });
    const c = await caseReady(world, { caseId: 'cap-days', quantity: '0.1' });
    const capWaits: number[] = [];
    world.hooks.PlanNextSlice = async (_input, run) => {
      const out = (await run()) as { action: string; reason?: string; waitSeconds: number };
      if (out.action === 'WAIT' && out.reason === 'DAILY_CAP_REACHED') capWaits.push(out.waitSeconds);
      return out;
    };
    await runSale(world, c);
    // The cap waits for the next Korean day an hour at a time: an officer's stop (or a hold) is seen within the hour.
    expect(Math.max(...capWaits)).toBe(world.limits.longestWaitSeconds);
    const executions = await executionsOf(c.saleId!);
    expectBounded(executions);

    const { sale, orders } = await saleOf(world, c, c.saleId!);
    const done = orders.filter((o) => o.status === 'DONE' && o.executedVolume!.gt(0));
    const days = [...new Set(done.map((o) => kstDate(o.firstTradeAt!)))];
    expect(days.length).toBeGreaterThanOrEqual(3);
    // Never more than the cap in one Korean day.
    const planned = sale.arrival!.legs[0]!.quantity;
    for (const day of days) {
      const sold = sum(done.filter((o) => kstDate(o.firstTradeAt!) === day).map((o) => o.executedVolume!));
      expect(sold.lte(planned.mul('0.3').add('0.00000001'))).toBe(true);
    }
    expect(sale.pauses.some((p) => p.reason === 'DAILY_CAP_REACHED')).toBe(true);
    expect((await world.store.get(c.cityId, c.caseId))!.status).toBe('SETTLED');
  }, 300_000);
});
