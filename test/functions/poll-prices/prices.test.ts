/**
 * What a poll stores (the latest price and a minute series with TTL) and the flags it raises: stale
 * prices (the poller's clock past the simulator's by more than the policy's maxPriceAgeMs) and a last
 * trade that disagrees with the book mid (a large sell sweeps the simulator's bid side).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client';
import { DEFAULT_EXECUTION_POLICY } from '#domain/execution-policy';
import { decimal } from '#domain/money';
import type { ExchangeSimulator } from '../../../local/exchange-sim';
import { useCasesTable } from '../../support/dynamodb';
import { MARKETS, openCase, poller, startSim, T0, type Poller } from './harness';

const table = useCasesTable();
let sim: ExchangeSimulator;
let p: Poller;
const get = async (PK: string, SK: string) =>
  (await documentClient(table.client).send(new GetCommand({ TableName: table.tableName, Key: { PK, SK } }))).Item as
    (Record<string, unknown> & { ageMs: number; expiresAt: number }) | undefined;
const MAX_AGE = DEFAULT_EXECUTION_POLICY.maxPriceAgeMs;

beforeAll(async () => {
  sim = await startSim();
  await openCase(table, 'cheongju', 'p1', { 'KRW-BTC': '0.01', 'KRW-ETH': '0.3' });
  await openCase(table, 'cheongju', 'p2', { 'KRW-XRP': '500', 'KRW-THIN': '20000' });
  p = poller(sim, table, { cities: ['cheongju'] });
});
afterAll(() => sim.close());

/** Moves both clocks: the exchange's and, `lagMs` later, the poller's. */
function at(iso: string, lagMs = 0): void {
  sim.clock.set(iso);
  p.clock.now = new Date(Date.parse(iso) + lagMs);
}

describe('stored prices', () => {
  it('keeps the latest price per market and one point per minute in a day partition, both with a TTL', async () => {
    at(T0, 2_500);
    const report = await p.poll({ scheduledTime: '2025-09-15T01:00:00Z' });
    expect(report.markets).toEqual([...MARKETS].sort());
    const latest = await get('PRICE#KRW-BTC', 'LATEST');
    expect(latest).toMatchObject({
      recordType: 'PRICE',
      market: 'KRW-BTC',
      minute: '2025-09-15T01:00:00Z',
      polledAt: '2025-09-15T01:00:02.500Z',
      quotedAt: '2025-09-15T01:00:00.000Z',
      tradePrice: expect.stringMatching(/^\d+$/),
      bestBid: expect.stringMatching(/^\d+$/),
      bestAsk: expect.stringMatching(/^\d+$/),
      mid: expect.stringMatching(/^\d+(\.5)?$/),
      flags: [],
    });
    expect(latest?.ageMs.toString()).toBe('2500');
    // TTL: epoch seconds (a Number, as DynamoDB's TTL requires), 7 days after the poll.
    const expires = Date.parse('2025-09-15T01:00:02.500Z') / 1000 + 7 * 86_400;
    expect(latest?.expiresAt.toString()).toBe(String(Math.floor(expires)));
    const point = await get('PRICE#KRW-BTC#2025-09-15', '2025-09-15T01:00:00Z');
    expect(point).toMatchObject({
      recordType: 'PRICE_POINT',
      tradePrice: latest?.tradePrice,
      bestBid: latest?.bestBid,
    });
    expect(point?.expiresAt.toString()).toBe(latest?.expiresAt.toString());
    // Decimal strings in storage: nothing priced is a Number.
    for (const name of ['tradePrice', 'bestBid', 'bestAsk', 'mid', 'gapBps', 'accTradeVolume24h', 'accTradeValue24h'])
      expect(typeof latest?.[name]).toBe('string');
  });

  it('adds a point each minute; a retried poll of the same minute rewrites its point; the series reads back in order', async () => {
    at('2025-09-15T01:01:00.000Z', 1_000);
    await p.poll({ scheduledTime: '2025-09-15T01:01:00Z' });
    const first = await get('PRICE#KRW-ETH#2025-09-15', '2025-09-15T01:01:00Z');
    at('2025-09-15T01:01:40.000Z', 1_000); // the scheduler's retry of the same minute, 40 s later
    await p.poll({ scheduledTime: '2025-09-15T01:01:00Z' });
    const retried = await get('PRICE#KRW-ETH#2025-09-15', '2025-09-15T01:01:00Z');
    expect(retried?.polledAt).toBe('2025-09-15T01:01:41.000Z');
    expect(retried?.polledAt).not.toBe(first?.polledAt);
    const series = await p.store.series('KRW-ETH', new Date('2025-09-15T00:59:00Z'), new Date('2025-09-15T01:05:00Z'));
    expect(series.map((s) => s.at.toISOString())).toEqual(['2025-09-15T01:00:00.000Z', '2025-09-15T01:01:00.000Z']);
    expect(series.every((s) => s.price.gt(0) && s.flags.length === 0)).toBe(true);
  });

  it('never lets an older poll overwrite a newer latest price', async () => {
    const newer = (await p.store.latest(['KRW-XRP']))['KRW-XRP']!;
    const older = { ...newer, polledAt: new Date(newer.polledAt.getTime() - 30_000), tradePrice: decimal('1') };
    expect(await p.store.putPrices([older], new Date('2025-09-15T01:01:00Z'))).toEqual({
      latestWritten: 0,
      latestNewer: 1,
    });
    expect((await p.store.latest(['KRW-XRP']))['KRW-XRP']?.tradePrice.toFixed()).toBe(newer.tradePrice.toFixed());
  });

  it('reads the series across a UTC midnight from both day partitions', async () => {
    at('2025-09-15T23:59:00.000Z');
    await p.poll();
    at('2025-09-16T00:00:00.000Z');
    await p.poll();
    const series = await p.store.series('KRW-BTC', new Date('2025-09-15T23:50:00Z'), new Date('2025-09-16T00:10:00Z'));
    expect(series.map((s) => s.at.toISOString())).toEqual(['2025-09-15T23:59:00.000Z', '2025-09-16T00:00:00.000Z']);
  });
});

describe('flags', () => {
  it('flags every price older than maxPriceAgeMs when polled (not one exactly that old), and counts them in a metric', async () => {
    at('2025-09-16T00:05:00.000Z', MAX_AGE);
    const fresh = await p.poll();
    expect(fresh.stale).toEqual([]);
    at('2025-09-16T00:06:00.000Z', MAX_AGE + 1);
    p.metrics.length = 0;
    const late = await p.poll();
    expect(late.stale).toEqual([...MARKETS].sort());
    const latest = await p.store.latest(MARKETS);
    for (const market of MARKETS) {
      expect(latest[market]?.flags).toContain('STALE_PRICE');
      expect(latest[market]?.ageMs).toBe(MAX_AGE + 1);
    }
    expect(p.metrics).toContainEqual({ name: 'StalePrices', value: 4 });
    expect(p.metrics).toContainEqual({ name: 'PricesSourcesDisagree', value: 0 });
    // The coverage sheet says which cases were valued at a flagged price.
    const sheet = await p.store.coverageSheet('cheongju');
    expect(sheet?.entries.find((e) => e.caseId === 'p1')?.flagged).toEqual(['KRW-BTC', 'KRW-ETH']);
  });

  it('flags a last trade further than maxSourceGapBps from the book mid: a sell sweeps the thin coin’s bids', async () => {
    at('2025-09-16T00:10:00.000Z', 1_000);
    const calm = await p.poll();
    expect(calm.sourcesDisagree).toEqual([]);
    // Someone sells most of the visible THIN bids at once: the book's bid side is gone for a while,
    // the last trade price has not followed.
    const thin = sim.market('KRW-THIN');
    const visible = thin.book(sim.clock.nowMs()).bids.reduce((sum, l) => sum.add(l.size), decimal('0'));
    thin.sell(sim.clock.nowMs(), { volume: visible.mul('0.95').toDecimalPlaces(8) });
    p.metrics.length = 0;
    const swept = await p.poll();
    expect(swept.sourcesDisagree).toEqual(['KRW-THIN']);
    const s = (await p.store.latest(['KRW-THIN']))['KRW-THIN']!;
    expect(s.flags).toEqual(['SOURCES_DISAGREE']);
    expect(s.gapBps?.gt(DEFAULT_EXECUTION_POLICY.maxSourceGapBps)).toBe(true);
    // The stored gap is the one the sale engine's guard computes: |trade - mid| / mid.
    expect(s.tradePrice.sub(s.mid!).abs().div(s.mid!).mul(10_000).toDecimalPlaces(2).toFixed()).toBe(
      s.gapBps?.toFixed(),
    );
    expect(p.metrics).toContainEqual({ name: 'PricesSourcesDisagree', value: 1 });
    expect(p.metrics).toContainEqual({ name: 'StalePrices', value: 0 });
  });
});
