/**
 * Each open case's coverage, written by the poll as one sheet per city: arrears projected by the
 * domain (₩1,049,800 on 2025-09-15 for the harness's bill, worked out by hand in the harness), coins
 * at the bid the poll stored. Projections are reused until the day or the case changes.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client';
import { caseToItem } from '#adapters/dynamodb/marshal';
import { recordPayment, type Case } from '#domain/case';
import { DEFAULT_CITY_SETTINGS } from '#domain/city-settings';
import { Decimal, won } from '#domain/money';
import type { ExchangeSimulator } from '../../../local/exchange-sim';
import { useCasesTable } from '../../support/dynamodb';
import { openCase, poller, startSim, T0, type Poller } from './harness';

const table = useCasesTable();
let sim: ExchangeSimulator;
let p: Poller;
const cases: Record<string, Case> = {};

beforeAll(async () => {
  sim = await startSim(['KRW-BTC', 'KRW-XRP']);
  cases.under = await openCase(table, 'cov', 'under', { 'KRW-BTC': '0.005' });
  cases.over = await openCase(table, 'cov', 'over', { 'KRW-BTC': '0.02', 'KRW-XRP': '100' });
  cases.bare = await openCase(table, 'cov', 'bare', {});
  cases.payer = await openCase(table, 'cov', 'payer', { 'KRW-XRP': '10' });
  p = poller(sim, table, { cities: ['cov'] });
});
afterAll(() => sim.close());

async function pay(key: string, paymentId: string, amount: string, at: string): Promise<void> {
  const c = cases[key]!;
  const t = recordPayment(
    c,
    { paymentId, amount: won(amount), receivedOn: '2025-09-15' },
    {
      now: new Date(at),
      actor: { kind: 'CITY_SYSTEM', id: 'city' },
      settings: { ...DEFAULT_CITY_SETTINGS, cityId: 'cov' },
    },
  );
  await table.store.commit(c.version, t);
  cases[key] = t.case;
}

const floor = (d: Decimal) => d.toDecimalPlaces(0, Decimal.ROUND_DOWN);
const ratio = (value: Decimal, owed: Decimal) => value.div(owed).toDecimalPlaces(4, Decimal.ROUND_DOWN).toFixed();

describe('coverage sheet', () => {
  it('values an under- and an over-covered case at the stored bids against arrears projected to today', async () => {
    p.clock.now = new Date(T0);
    const report = await p.poll();
    const latest = await p.store.latest(['KRW-BTC', 'KRW-XRP']);
    const btc = latest['KRW-BTC']!.bestBid!;
    const xrp = latest['KRW-XRP']!.bestBid!;
    const sheet = (await p.store.coverageSheet('cov'))!;
    expect(sheet).toMatchObject({ cityId: 'cov', asOf: '2025-09-15', computedAt: T0 });
    const line = (id: string) => sheet.entries.find((e) => e.caseId === id)!;

    const owed = new Decimal('1049800'); // recorded ₩1,030,000 + ₩19,800 accrued since 06-30
    const underValue = floor(btc.mul('0.005'));
    expect(underValue.lt(owed)).toBe(true);
    expect(line('under')).toEqual({
      caseId: 'under',
      status: 'IN_CUSTODY',
      updatedAt: cases.under!.updatedAt,
      recordedArrearsKrw: '1030000',
      asOf: '2025-09-15',
      arrearsKrw: '1049800',
      valueKrw: underValue.toFixed(),
      ratio: ratio(underValue, owed),
      state: 'UNDER',
      shortfallKrw: owed.sub(underValue).toFixed(),
      surplusKrw: '0',
      unpriced: [],
      flagged: [],
    });

    const overValue = floor(btc.mul('0.02').add(xrp.mul('100')));
    expect(overValue.gt(owed)).toBe(true);
    expect(line('over')).toMatchObject({
      arrearsKrw: '1049800',
      valueKrw: overValue.toFixed(),
      ratio: ratio(overValue, owed),
      state: 'COVERED',
      surplusKrw: overValue.sub(owed).toFixed(),
      shortfallKrw: '0',
    });
    expect(line('bare')).toMatchObject({ state: 'NO_COINS', valueKrw: '0', ratio: '0', shortfallKrw: '1049800' });

    expect(report.coverage).toEqual({ UNDER: 2, COVERED: 1, NOTHING_OWED: 0, NO_COINS: 1, UNPRICED: 0 });
    expect(report.reprojected).toBe(4);
    expect(p.metrics).toContainEqual({ name: 'UnderCoveredCases', value: 2 });
  });

  it('reuses the projected arrears while the day and the case are the same, and projects a changed case again', async () => {
    sim.clock.advance(60_000);
    p.clock.now = sim.clock.now();
    expect((await p.poll()).reprojected).toBe(0);

    await pay('under', 'R-1', '49800', '2025-09-15T01:01:30Z'); // brings the case to ₩1,000,000
    await pay('payer', 'R-2', '1049800', '2025-09-15T01:01:30Z'); // pays it in full: PAID, closed
    sim.clock.advance(60_000);
    p.clock.now = sim.clock.now();
    const report = await p.poll();
    expect(report.reprojected).toBe(1);
    const sheet = (await p.store.coverageSheet('cov'))!;
    expect(sheet.entries.map((e) => e.caseId)).toEqual(['bare', 'over', 'under']);
    expect(sheet.entries.find((e) => e.caseId === 'under')).toMatchObject({
      recordedArrearsKrw: '1000000',
      arrearsKrw: '1000000',
      updatedAt: '2025-09-15T01:01:30.000Z',
    });
  });

  it('projects every case again on a new Korean day', async () => {
    p.clock.now = new Date('2025-09-15T15:00:00Z'); // 00:00 KST on the 16th
    sim.clock.set(p.clock.now);
    const report = await p.poll();
    expect(report.reprojected).toBe(3);
    expect((await p.store.coverageSheet('cov'))?.asOf).toBe('2025-09-16');
  });
});

describe('a sheet in parts', () => {
  it('splits a city’s cases over several items and removes the items a smaller sheet no longer needs', async () => {
    const small = poller(sim, table, { cities: ['parts'], casesPerPart: 1 });
    small.clock.now = sim.clock.now();
    const a = await openCase(table, 'parts', 'a', { 'KRW-XRP': '1' });
    await openCase(table, 'parts', 'b', { 'KRW-XRP': '2' });
    await openCase(table, 'parts', 'c', { 'KRW-XRP': '3' });
    await small.poll();
    const three = await small.store.coverageSheet('parts');
    expect(three?.storedParts).toBe(3);
    expect(three?.entries.map((e) => e.caseId)).toEqual(['a', 'b', 'c']);

    const t = recordPayment(
      a,
      { paymentId: 'R-A', amount: won('1049800'), receivedOn: '2025-09-15' },
      {
        now: new Date('2025-09-15T02:00:00Z'),
        actor: { kind: 'CITY_SYSTEM', id: 'city' },
        settings: { ...DEFAULT_CITY_SETTINGS, cityId: 'parts' },
      },
    );
    await table.store.commit(a.version, t);
    small.clock.now = new Date(small.clock.now.getTime() + 60_000);
    await small.poll();
    const two = await small.store.coverageSheet('parts');
    expect(two?.storedParts).toBe(2);
    expect(two?.entries.map((e) => e.caseId)).toEqual(['b', 'c']);
  });
});

describe('an index that has not caught up', () => {
  it('counts a case once when the byStatus index still lists it under its old status as well', async () => {
    const c = await openCase(table, 'lag', 'moved', { 'KRW-XRP': '5' });
    // The index entry of the case's previous status (TRANSFER_REQUESTED), as an eventually
    // consistent index may still return it: same case, older update. The table has one case item.
    const stale = {
      ...caseToItem({ ...c, status: 'TRANSFER_REQUESTED', updatedAt: '2025-09-01T00:30:00.000Z' }),
      PK: 'STALE#lag#moved',
      SK: 'INDEX',
    };
    await documentClient(table.client).send(new PutCommand({ TableName: table.tableName, Item: stale }));
    const lagging = poller(sim, table, { cities: ['lag'] });
    lagging.clock.now = sim.clock.now();

    const report = await lagging.poll();
    expect(report.openCases).toBe(1);
    const sheet = await lagging.store.coverageSheet('lag');
    expect(sheet?.entries.map((e) => [e.caseId, e.status, e.updatedAt])).toEqual([
      ['moved', 'IN_CUSTODY', c.updatedAt],
    ]);
    // The store itself never asks DynamoDB for one key twice in a batch.
    await expect(
      lagging.store.cases([
        { cityId: 'lag', caseId: 'moved' },
        { cityId: 'lag', caseId: 'moved' },
      ]),
    ).resolves.toHaveLength(1);
  });
});
