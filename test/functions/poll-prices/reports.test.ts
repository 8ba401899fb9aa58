/**
 * What officers see of the poller's work through the API: holdings valued at the latest bid and the
 * coverage sheet in GET /reports/summary, a case's own coverage in GET /cases/{caseId}.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbPriceStore } from '#adapters/dynamodb/price-store';
import { DEFAULT_EXECUTION_POLICY } from '#domain/execution-policy';
import { Decimal } from '#domain/money';
import { createApi, type ApiHandler } from '../../../functions/api/app';
import type { ExchangeSimulator } from '../../../local/exchange-sim';
import { event, testConfig } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';
import { openCase, poller, startSim, T0, type Poller } from './harness';

const table = useCasesTable();
let sim: ExchangeSimulator;
let p: Poller;
let api: ApiHandler;
const now = { at: new Date(T0) };

async function get(path: string): Promise<Record<string, unknown>> {
  const result = await api(event('GET', path, { query: { city: 'cheongju' }, as: 'officer' }));
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body) as Record<string, unknown>;
}

type Summary = {
  holdings: {
    market: string;
    available: string;
    bid: string | null;
    valueKrw: string | null;
    pricedAt: string | null;
    priceFlags?: string[];
  }[];
  coverage: {
    computedAt: string;
    asOf: string;
    cases: Record<string, number>;
    arrearsKrw: string;
    valueKrw: string;
    underCovered: { caseId: string; ratio: string | null }[];
    overCovered: { caseId: string; ratio: string | null }[];
  } | null;
};

beforeAll(async () => {
  sim = await startSim(['KRW-BTC', 'KRW-XRP']);
  await openCase(table, 'cheongju', 'under', { 'KRW-BTC': '0.005' });
  await openCase(table, 'cheongju', 'over', { 'KRW-BTC': '0.02', 'KRW-XRP': '100' });
  p = poller(sim, table, { cities: ['cheongju'] });
  const prices = new DynamoDbPriceStore(table.client, table.tableName);
  api = createApi({
    store: table.store,
    settings: table.settings,
    config: testConfig(table.tableName),
    logger: new Logger({ logLevel: 'SILENT' }),
    prices,
    now: () => now.at,
  });
});
afterAll(() => sim.close());

it('before the first poll: no bid, no coverage sheet, a case UNPRICED', async () => {
  const summary = (await get('/reports/summary')) as Summary;
  expect(summary.holdings.map((h) => h.bid)).toEqual([null, null]);
  expect(summary.coverage).toBeNull();
  const c = await get('/cases/under');
  expect(c.coverage).toMatchObject({
    asOf: '2025-09-15',
    state: 'UNPRICED',
    unpriced: ['KRW-BTC'],
    arrearsKrw: '1049800',
    prices: {},
  });
});

it('after a poll: holdings at the latest bid, the city’s coverage, and the case’s own coverage', async () => {
  await p.poll();
  const latest = await p.store.latest(['KRW-BTC', 'KRW-XRP']);
  const btc = latest['KRW-BTC']!.bestBid!;
  const xrp = latest['KRW-XRP']!.bestBid!;
  const summary = (await get('/reports/summary')) as Summary;
  expect(summary.holdings).toEqual([
    {
      market: 'KRW-BTC',
      available: '0.025',
      bid: btc.toFixed(),
      valueKrw: btc.mul('0.025').toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(),
      pricedAt: T0,
    },
    {
      market: 'KRW-XRP',
      available: '100',
      bid: xrp.toFixed(),
      valueKrw: xrp.mul(100).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(),
      pricedAt: T0,
    },
  ]);
  expect(summary.coverage).toMatchObject({
    computedAt: T0,
    asOf: '2025-09-15',
    cases: { UNDER: 1, COVERED: 1, NOTHING_OWED: 0, NO_COINS: 0, UNPRICED: 0 },
    arrearsKrw: '2099600',
  });
  expect(summary.coverage?.underCovered.map((l) => l.caseId)).toEqual(['under']);
  expect(summary.coverage?.overCovered.map((l) => l.caseId)).toEqual(['over']);

  // The case view computes the same figures from the case itself and the same bids.
  const sheetLine = (await p.store.coverageSheet('cheongju'))!.entries.find((e) => e.caseId === 'under')!;
  const c = await get('/cases/under');
  expect(c.coverage).toMatchObject({
    asOf: '2025-09-15',
    state: 'UNDER',
    ratio: sheetLine.ratio,
    arrearsKrw: '1049800',
    valueKrw: sheetLine.valueKrw,
    shortfallKrw: sheetLine.shortfallKrw,
    prices: { 'KRW-BTC': { bid: btc.toFixed(), at: T0, flags: [] } },
  });
});

it('shows the flags of a stale price with the holdings and the case', async () => {
  sim.clock.advance(60_000);
  p.clock.now = new Date(sim.clock.nowMs() + DEFAULT_EXECUTION_POLICY.maxPriceAgeMs + 1);
  now.at = p.clock.now;
  await p.poll();
  const summary = (await get('/reports/summary')) as Summary;
  expect(summary.holdings.map((h) => h.priceFlags)).toEqual([['STALE_PRICE'], ['STALE_PRICE']]);
  const c = await get('/cases/over');
  expect(c.coverage).toMatchObject({ state: 'COVERED', flagged: ['KRW-BTC', 'KRW-XRP'] });
});
