/**
 * How the poller uses the exchange: the markets the open cases hold, one ticker call and one
 * order-book call per poll up to the per-call market limit (counted at the simulator), chunks beyond
 * it, an unknown market isolated, a failing exchange failing the poll.
 */
import { ExchangeUnavailable } from '#adapters/exchange/exchange';
import type { ExchangeSimulator } from '../../../local/exchange-sim';
import { useCasesTable } from '../../support/dynamodb';
import { MARKETS, openCase, poller, requestsTo, startSim } from './harness';

const table = useCasesTable();
const SEVEN = [...MARKETS, 'KRW-SOL', 'KRW-ADA', 'KRW-DOGE'];
let sim: ExchangeSimulator;

beforeAll(async () => {
  sim = await startSim(SEVEN);
});
afterAll(() => sim.close());

describe('markets held', () => {
  it('polls exactly the markets with coins held by open cases of the served cities', async () => {
    await openCase(table, 'held-a', 'c1', { 'KRW-BTC': '0.01', 'KRW-ETH': '0.5' });
    await openCase(table, 'held-a', 'c2', { 'KRW-ETH': '1' });
    await openCase(table, 'held-a', 'c3', {}); // registered, nothing in custody
    await openCase(table, 'held-b', 'c4', { 'KRW-XRP': '100' });
    await openCase(table, 'held-other', 'c5', { 'KRW-THIN': '1000' }); // a city this deployment does not serve
    const p = poller(sim, table, { cities: ['held-a', 'held-b'] });
    const report = await p.poll();
    expect(report.markets).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP']);
    expect(report.openCases).toBe(4);
    expect(Object.keys(await p.store.latest(SEVEN)).sort()).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP']);
  });

  it('makes no exchange call when no open case holds coins', async () => {
    await openCase(table, 'held-none', 'c1', {});
    const from = sim.requests.length;
    const report = await poller(sim, table, { cities: ['held-none'] }).poll();
    expect(report.markets).toEqual([]);
    expect(sim.requests.length - from).toBe(0);
    expect(report.coverage.NO_COINS).toBe(1);
  });
});

describe('calls per poll', () => {
  beforeAll(async () => {
    for (const [i, market] of SEVEN.entries()) await openCase(table, 'calls', `k${i}`, { [market]: '1' });
  });

  it('is one ticker call and one order-book call for up to the per-call limit of markets, poll after poll', async () => {
    const p = poller(sim, table, { cities: ['calls'], maxMarketsPerCall: 7 });
    for (let poll = 0; poll < 2; poll++) {
      const from = sim.requests.length;
      const report = await p.poll();
      expect(report.markets).toHaveLength(7);
      expect(requestsTo(sim, '/v1/ticker', from)).toBe(1);
      expect(requestsTo(sim, '/v1/orderbook', from)).toBe(1);
      expect(sim.requests.length - from).toBe(2);
      expect(report.exchangeCalls).toEqual({ ticker: 1, orderbook: 1 });
      sim.clock.advance(60_000);
      p.clock.now = sim.clock.now();
    }
  });

  it('chunks beyond the limit: 7 markets at 3 per call are 3 + 3 calls, every market priced', async () => {
    const p = poller(sim, table, { cities: ['calls'], maxMarketsPerCall: 3 });
    p.clock.now = sim.clock.now();
    const from = sim.requests.length;
    const report = await p.poll();
    expect(requestsTo(sim, '/v1/ticker', from)).toBe(3);
    expect(requestsTo(sim, '/v1/orderbook', from)).toBe(3);
    const queried = sim.requests
      .slice(from)
      .filter((r) => r.path === '/v1/ticker')
      .map((r) => new URLSearchParams(r.query).get('markets')?.split(',').length);
    expect(queried).toEqual([3, 3, 1]);
    expect(Object.keys(await p.store.latest(SEVEN))).toHaveLength(7);
    expect(report.coverage.UNPRICED).toBe(0);
  });
});

describe('a market the exchange does not know', () => {
  it('is isolated by halving the refused call: the other markets are priced, its case is UNPRICED', async () => {
    await openCase(table, 'gone', 'g1', { 'KRW-BTC': '0.01', 'KRW-GONE': '5' });
    await openCase(table, 'gone', 'g2', { 'KRW-ETH': '1', 'KRW-XRP': '10' });
    const p = poller(sim, table, { cities: ['gone'] });
    p.clock.now = sim.clock.now();
    const from = sim.requests.length;
    const report = await p.poll();
    expect(report.unknown).toEqual(['KRW-GONE']);
    // [BTC ETH GONE XRP] refused → [BTC ETH] answered, [GONE XRP] refused → [GONE] refused, [XRP] answered
    expect(requestsTo(sim, '/v1/ticker', from)).toBe(5);
    expect(Object.keys(await p.store.latest(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-GONE'])).sort()).toEqual([
      'KRW-BTC',
      'KRW-ETH',
      'KRW-XRP',
    ]);
    const sheet = await p.store.coverageSheet('gone');
    expect(sheet?.entries.find((e) => e.caseId === 'g1')).toMatchObject({
      state: 'UNPRICED',
      unpriced: ['KRW-GONE'],
      ratio: null,
    });
    expect(sheet?.entries.find((e) => e.caseId === 'g2')?.state).not.toBe('UNPRICED');
    expect(p.metrics).toContainEqual({ name: 'UnpricedMarkets', value: 1 });
  });
});

describe('an exchange that keeps failing', () => {
  it('fails the poll (nothing is swallowed) and stores no price from it', async () => {
    await openCase(table, 'down', 'd1', { 'KRW-DOGE': '100' });
    const p = poller(sim, table, { cities: ['down'] });
    sim.clock.advance(60_000);
    p.clock.now = sim.clock.now();
    const before = (await p.store.latest(['KRW-DOGE']))['KRW-DOGE']?.polledAt;
    sim.faults.serverError({ times: 2, status: 503, match: { path: '/v1/ticker' } });
    await expect(p.poll()).rejects.toBeInstanceOf(ExchangeUnavailable);
    expect((await p.store.latest(['KRW-DOGE']))['KRW-DOGE']?.polledAt).toEqual(before);
    expect(p.metrics).toEqual([]);
    sim.faults.clear();
  });
});
