/**
 * The sale desk in the deployed workflow (docs/SALE-DESK.md), end to end: the two state machines the
 * CDK stack synthesizes (each case's sale, the market's desk) in the local interpreter with the real
 * step handlers, DynamoDB Local and the exchange simulator. Asserts on the exchange's own record
 * against the desk's orders, the cases' shares and their ledgers.
 */
import { arrears, type Case } from '#domain/case';
import { executionPolicy } from '#domain/execution-policy';
import { Decimal, sum } from '#domain/money';
import { deskIdOf } from '#adapters/dynamodb/desk-store';
import { kstDate } from '#domain/dates';
import {
  afterFirst,
  awayFromMidnight,
  caseReady,
  CITY,
  throughDesk,
  settings,
  statesEntered,
  untilMembers,
  useSaleWorld,
} from './world';
import { byKind, deskHelpers, executedVolume } from './desk-support';

const world = useSaleWorld();
beforeEach(() => throughDesk(world));

const { ledgerOf, sellTogether, shares } = deskHelpers(world);

describe('the sale desk', () => {
  it('sells the cases selling one coin through one desk execution: one order per slice for all, each fill shared exactly, each ledger its shares', async () => {
    world.policy = executionPolicy({ participationBps: 20 });
    const cases: Case[] = [];
    for (const [i, quantity] of ['0.1', '0.06', '0.03'].entries())
      cases.push(await caseReady(world, { caseId: `desk-${i}`, quantity }));
    const executions = await sellTogether(cases);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    for (const e of executions) expect(statesEntered(e)).toEqual(expect.arrayContaining(['JoinDesk', 'ReadDeskShare']));
    // No case placed an order of its own.
    for (const e of executions) expect(statesEntered(e)).not.toContain('PlaceOrder');

    const day = kstDate(world.now());
    const deskId = deskIdOf('KRW-BTC', day);
    const deskRuns = [...world.deskStarter.executions.values()];
    expect(deskRuns.map((e) => e.name)).toContain(`${CITY}_desk_KRW-BTC_${day.replaceAll('-', '')}`);
    for (const run of deskRuns) {
      expect(run.status).toBe('SUCCEEDED');
      expect(statesEntered(run)).toEqual(
        expect.arrayContaining(['PlanDeskSlice', 'PlaceDeskOrder', 'ReconcileDeskOrder']),
      );
    }

    // Every exchange order of these sales is a desk order, and each desk order is on the exchange once.
    const ids = new Set(cases.map((c) => c.caseId));
    const all = (await world.desks.orders(CITY, deskId)).filter((o) => o.offers.some((x) => ids.has(x.caseId)));
    const deskOrders = all.filter((o) => o.status === 'DONE');
    const sent = new Set(all.filter((o) => o.status !== 'ABSENT').map((o) => o.identifier));
    const onExchange = world.sim.orders.all().filter((o) => o.identifier && sent.has(o.identifier));
    // Every desk order sent is on the exchange, once.
    expect(onExchange.map((o) => o.identifier).sort()).toEqual([...sent].sort());
    expect(deskOrders.some((o) => o.offers.length > 1)).toBe(true);
    for (const order of deskOrders) {
      const ex = onExchange.find((o) => o.identifier === order.identifier)!;
      const allocation = order.allocation ?? [];
      // The allocation adds up exactly to what the exchange executed, its gross and its fee.
      expect(sum(allocation.map((f) => f.quantity)).toFixed()).toBe(executedVolume(ex).toFixed());
      expect(sum(allocation.map((f) => f.grossKrw)).toFixed()).toBe(order.grossKrw!.toFixed());
      expect(sum(allocation.map((f) => f.feeKrw)).toFixed()).toBe(order.feeKrw!.toFixed());
      // No case receives more than it offered.
      for (const f of allocation)
        expect(f.quantity.lte(order.offers.find((x) => x.caseId === f.caseId)!.quantity)).toBe(true);
    }

    // Each case's ledger is its shares: coins sold, gross and fee, exactly.
    let soldByCases = new Decimal(0);
    for (const c of cases) {
      const mine = (await shares(c)).filter((s) => s.status === 'DONE');
      expect(mine.length).toBeGreaterThan(0);
      for (const s of mine)
        expect(sum((s.trades ?? []).map((t) => t.quantity)).toFixed()).toBe(s.executedVolume!.toFixed());
      const { data, ledger } = await ledgerOf(c);
      expect(data.case.status).not.toBe('SELLING');
      const h = data.case.holdings[0]!;
      expect(h.sold.toFixed()).toBe(sum(mine.map((s) => s.executedVolume!)).toFixed());
      expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(mine.map((s) => s.grossKrw!)).toFixed());
      expect(byKind(ledger, 'SALE_FEE').toFixed()).toBe(sum(mine.map((s) => s.feeKrw!)).toFixed());
      soldByCases = soldByCases.add(h.sold);
    }
    // What the exchange sold is what the cases' ledgers say they sold: no coin sold twice.
    expect(soldByCases.toFixed()).toBe(sum(onExchange.map(executedVolume)).toFixed());
    const desk = (await world.desks.get(CITY, deskId))!;
    expect(desk.status).toBe('ENDED');
    expect(desk.figures.soldQuantity.gte(soldByCases)).toBe(true);
  }, 150_000);

  it('late processing of a desk order: in doubt, its cases’ coins held, never re-sent; found before the next slice and shared by its split, booked once per case', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const cases: Case[] = [];
    for (const [i, quantity] of ['0.08', '0.05'].entries())
      cases.push(await caseReady(world, { caseId: `late-desk-${i}`, quantity }));
    world.sim.faults.lateProcessing({ afterMs: 90_000, mode: 'hang' });
    const executions = await sellTogether(cases);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    world.sim.clock.advance(30 * 60_000);
    await world.sweep();
    expect(world.sim.orders.pendingLate()).toBe(0);

    const deskId = deskIdOf('KRW-BTC', kstDate(world.now()));
    // This test's desk orders (the desk of the day also sold the earlier tests' cases).
    const ids = new Set(cases.map((c) => c.caseId));
    const orders = (await world.desks.orders(CITY, deskId)).filter((o) => o.offers.some((x) => ids.has(x.caseId)));
    const first = orders.find((o) => o.inDoubtSince);
    expect(first).toBeDefined();
    expect(first!.status).toBe('DONE');
    expect(first!.sendAttempts).toBe(1);
    expect(world.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['OrdersInDoubt']));
    // One POST per desk order: nothing re-sent under this identifier or a new one for the same coins.
    const mineOnly = new Set(orders.map((o) => o.identifier));
    const onExchange = world.sim.orders.all().filter((o) => o.identifier && mineOnly.has(o.identifier));
    const identifiers = onExchange.map((o) => o.identifier);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    // Each case's shares, late fill included, are its ledger, once.
    let soldByCases = new Decimal(0);
    for (const c of cases) {
      const mine = await shares(c);
      expect(mine.filter((s) => s.status === 'IN_DOUBT')).toHaveLength(0);
      const { data, ledger } = await ledgerOf(c);
      const done = mine.filter((s) => s.status === 'DONE');
      expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(done.map((s) => s.executedVolume!)).toFixed());
      expect(byKind(ledger, 'SALE_GROSS').toFixed()).toBe(sum(done.map((s) => s.grossKrw!)).toFixed());
      soldByCases = soldByCases.add(data.case.holdings[0]!.sold);
    }
    expect(soldByCases.toFixed()).toBe(sum(onExchange.map(executedVolume)).toFixed());
  }, 150_000);

  it('a desk order processed after its cases settled (past the bound): their shares held back in custody, then the sweep allocates the late fill by the stored split and books it once per case', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    const cases: Case[] = [];
    for (const [i, quantity] of ['0.04', '0.03'].entries())
      cases.push(await caseReady(world, { caseId: `swept-desk-${i}`, quantity }));
    // Executed hours later: long after the bound, whatever number of slices the cases take.
    world.sim.faults.lateProcessing({ afterMs: 5 * 3_600_000, mode: 'hang' });
    // Past the bound, the desk only waits for its run's span to end: those hours pass half an hour a
    // turn, not the world's minute a turn (hundreds of turns of nothing).
    const pastBound = () => world.metrics.filter((m) => m.name === 'OrdersInDoubtPastBound').length;
    world.hooks.PlanDeskSlice = async (_input, run) => {
      const before = pastBound();
      const out = (await run()) as { action: string; reason?: string };
      if (out.action === 'WAIT' && out.reason === 'ORDER_IN_DOUBT' && pastBound() > before)
        world.sim.clock.advance(30 * 60_000);
      return out;
    };
    const executions = await sellTogether(cases);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    const held = await Promise.all(cases.map(async (c) => (await shares(c)).filter((s) => s.status === 'IN_DOUBT')));
    for (const h of held) expect(h.length).toBe(1);

    world.sim.clock.advance(6 * 3_600_000);
    const report = await world.sweep();
    expect(report.booked).toBe(2);
    expect((await world.sweep()).booked).toBe(0); // once
    const deskId = deskIdOf('KRW-BTC', kstDate(held[0]![0]!.plannedAt));
    const late = (await world.desks.order(CITY, deskId, held[0]![0]!.deskOrder!))!;
    expect(late.status).toBe('DONE');
    const ex = world.sim.orders.all().find((o) => o.identifier === late.identifier)!;
    expect(sum((late.allocation ?? []).map((f) => f.quantity)).toFixed()).toBe(executedVolume(ex).toFixed());
    for (const c of cases) {
      const share = (await shares(c)).find((s) => s.deskOrder === late.identifier)!;
      expect(share).toMatchObject({ status: 'DONE', lateFill: true });
      const { data } = await ledgerOf(c);
      expect(data.audit.filter((a) => a.action === 'ADJUST_SALE')).toHaveLength(1);
      const done = (await shares(c)).filter((s) => s.status === 'DONE');
      expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(done.map((s) => s.executedVolume!)).toFixed());
    }
  }, 150_000);

  it('the desk applies each member’s own checks on its turn: a hold, an officer’s stop and a payment in full take their cases out of the next order, withdrawn with the reason, before their own executions look again; the others go on; each settles what it sold', async () => {
    world.policy = executionPolicy({ participationBps: 10 });
    awayFromMidnight(world);
    const ready = (name: string) => caseReady(world, { caseId: `desk-check-${name}`, quantity: '0.08' });
    const [held, stopped, paying, other] = [
      await ready('held'),
      await ready('stopped'),
      await ready('paying'),
      await ready('other'),
    ];
    const leaving = new Set([held, stopped, paying].map((c) => c.caseId));
    let changedAt = '';
    afterFirst(world, 'ReconcileDeskOrder', async () => {
      const hold = await world.api.call('POST', `/cases/${held.caseId}/holds`, {
        as: 'officer',
        body: { cityId: CITY, kind: 'APPEAL', reason: '이의신청' },
      });
      expect(hold.status).toBe(201);
      const stop = await world.api.call('POST', `/cases/${stopped.caseId}/sales/${stopped.saleId}/stop`, {
        as: 'officer',
        body: { cityId: CITY, reason: '담당관 판단으로 매각 중단' },
      });
      expect(stop.status).toBe(200);
      const c = (await world.store.get(CITY, paying.caseId))!;
      const paid = await world.api.call('POST', `/cases/${paying.caseId}/payments`, {
        body: {
          cityId: CITY,
          paymentId: `RCPT-${paying.caseId}`,
          amount: arrears(c, kstDate(world.now()), { ...settings }).toFixed(0),
          receivedOn: kstDate(world.now()),
        },
      });
      expect(paid.status).toBe(200);
      changedAt = world.now().toISOString();
    });
    // The three cases' executions do not look at the desk until the desk's turn after the changes
    // has run: what withdraws them is the desk, not their own steps.
    let turned!: () => void;
    const deskTurned = new Promise<void>((resolve) => (turned = resolve));
    const membersAtTurn = new Map<string, { status: string; reason?: string }>();
    let turns = 0;
    world.hooks.PlanDeskSlice = async (input, run) => {
      const deskId = (input as { deskId: string }).deskId;
      // All four in the desk's first order: a case's execution can join a turn late on a loaded machine.
      if (turns++ === 0) await untilMembers(world, deskId, [held, stopped, paying, other]);
      const out = await run();
      if (changedAt && membersAtTurn.size === 0) {
        for (const id of leaving) membersAtTurn.set(id, (await world.desks.member(CITY, deskId, id))!);
        turned();
      }
      return out;
    };
    world.hooks.ReadDeskShare = async (input, run) => {
      if (changedAt && leaving.has((input as { caseId: string }).caseId))
        await Promise.race([deskTurned, new Promise((r) => setTimeout(r, 60_000).unref())]);
      return run();
    };

    const executions = await sellTogether([held, stopped, paying, other]);
    for (const e of executions) expect(e.status).toBe('SUCCEEDED');
    expect(changedAt).not.toBe('');
    expect(membersAtTurn.get(held.caseId)).toMatchObject({ status: 'WITHDRAWN', reason: 'ON_HOLD' });
    expect(membersAtTurn.get(stopped.caseId)).toMatchObject({ status: 'WITHDRAWN', reason: 'STOPPED_BY_OFFICER' });
    expect(membersAtTurn.get(paying.caseId)).toMatchObject({ status: 'WITHDRAWN', reason: 'NOTHING_OWED' });

    // Orders planned after the changes never include the three (the other case's go on).
    const deskId = deskIdOf('KRW-BTC', kstDate(changedAt));
    const after = (await world.desks.orders(CITY, deskId)).filter((o) => o.plannedAt > changedAt);
    expect(after.filter((o) => o.status !== 'ABSENT').length).toBeGreaterThan(0);
    for (const o of after) for (const id of leaving) expect(o.offers.map((x) => x.caseId)).not.toContain(id);

    // Each settles what it sold: its ledger's coins are its shares' coins.
    const states = new Map<string, string>();
    for (const c of [held, stopped, paying]) {
      const { data } = await ledgerOf(c);
      states.set(c.caseId, data.case.status);
      const mine = (await shares(c)).filter((s) => s.status === 'DONE');
      expect(mine.length).toBeGreaterThan(0);
      expect(data.case.holdings[0]!.sold.toFixed()).toBe(sum(mine.map((s) => s.executedVolume!)).toFixed());
    }
    expect(states.get(held.caseId)).toBe('ON_HOLD');
    expect(states.get(stopped.caseId)).toBe('DUE');
    expect(states.get(paying.caseId)).toBe('SETTLED'); // owing nothing: what its shares raised is refunded
    expect((await ledgerOf(other)).data.case.status).not.toBe('SELLING');
  }, 150_000);
});
