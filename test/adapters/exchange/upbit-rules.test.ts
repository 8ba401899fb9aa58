/**
 * The Upbit adapter's market rules for several markets at once (a sale quoting every coin it holds):
 * the tick sizes come from one instruments request (Upbit takes several markets in one, and counts
 * it in the order-book group), the fees and minimums from one chance request per market.
 */
import { ExchangeError } from '#adapters/exchange/exchange';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';

const KEYS = { accessKey: 'city-access-key', secretKey: 'city-secret-key' };
let sim: ExchangeSimulator;
let ex: UpbitExchange;
beforeAll(async () => {
  sim = await startExchangeSimulator({
    seed: 11,
    keys: [KEYS],
    dataDir: '/nonexistent',
    clock: '2024-01-03T00:00:00Z',
    markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'],
  });
  ex = new UpbitExchange({ baseUrl: sim.url, ...KEYS, timeoutMs: 2000 });
});
afterAll(() => sim.close());

const since = (from: number, path: string) => sim.requests.slice(from).filter((r) => r.path === path);

describe('market rules of several markets', () => {
  it('asked together: one instruments request for all of them, one chance request each', async () => {
    const from = sim.requests.length;
    const rules = await Promise.all(['KRW-BTC', 'KRW-XRP', 'KRW-ETH'].map((m) => ex.marketRules(m)));
    expect(rules.map((r) => [r.market, r.tickSize.toFixed(), r.minOrderTotal.toFixed()])).toEqual([
      ['KRW-BTC', '1000', '5000'],
      ['KRW-XRP', '1', '5000'],
      ['KRW-ETH', '1000', '5000'],
    ]);
    const instruments = since(from, '/v1/orderbook/instruments');
    expect(instruments).toHaveLength(1);
    expect(decodeURIComponent(instruments[0]!.query)).toBe('markets=KRW-BTC,KRW-XRP,KRW-ETH');
    expect(since(from, '/v1/orders/chance')).toHaveLength(3);
  });

  it('asked one after the other: one instruments request each (nothing kept between calls)', async () => {
    const from = sim.requests.length;
    expect((await ex.marketRules('KRW-BTC')).tickSize.toFixed()).toBe('1000');
    sim.market('KRW-BTC').changeTickSize('5000');
    try {
      expect((await ex.marketRules('KRW-BTC')).tickSize.toFixed()).toBe('5000');
    } finally {
      sim.market('KRW-BTC').changeTickSize(undefined);
    }
    expect(since(from, '/v1/orderbook/instruments')).toHaveLength(2);
  });

  it('a market the exchange does not list fails the rules asked with it, as an exchange error', async () => {
    const asked = Promise.all([ex.marketRules('KRW-BTC'), ex.marketRules('KRW-NOPE')]);
    await expect(asked).rejects.toBeInstanceOf(ExchangeError);
    expect((await ex.marketRules('KRW-ETH')).tickSize.toFixed()).toBe('1000');
  });
});
