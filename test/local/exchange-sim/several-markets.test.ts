/**
 * The quotation routes that take several markets in one request (`markets=KRW-BTC,KRW-ETH`, as
 * Upbit documents for the ticker, the order book and the order-book instruments), and a tick the
 * exchange changes at run time (the tick follows the exchange's table, which Upbit changes).
 */
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';

let sim: ExchangeSimulator;
beforeAll(async () => {
  sim = await startExchangeSimulator({
    seed: 5,
    keys: [{ accessKey: 'ak', secretKey: 'sk' }],
    dataDir: '/nonexistent',
    clock: '2024-01-05T03:00:00Z',
    markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'],
  });
});
afterAll(() => sim.close());

const get = async (path: string) => {
  const res = await fetch(`${sim.url}${path}`);
  return {
    status: res.status,
    body: (await res.json()) as ({ market: string; tick_size: string } & Record<string, unknown>)[],
  };
};

describe('several markets in one quotation request', () => {
  it.each(['/v1/ticker', '/v1/orderbook', '/v1/orderbook/instruments'])(
    '%s answers each market asked, in one request',
    async (path) => {
      const before = sim.requests.length;
      const { status, body } = await get(`${path}?markets=KRW-BTC,KRW-XRP`);
      expect(status).toBe(200);
      expect(body.map((b) => b.market)).toEqual(['KRW-BTC', 'KRW-XRP']);
      expect(sim.requests.length - before).toBe(1);
      // One unknown market refuses the whole request, as Upbit does.
      expect((await get(`${path}?markets=KRW-BTC,KRW-NOPE`)).status).toBe(404);
    },
  );

  it('instruments give each market its own tick, and a tick the exchange changed from then on', async () => {
    const ticks = async () =>
      Object.fromEntries(
        (await get('/v1/orderbook/instruments?markets=KRW-BTC,KRW-XRP')).body.map(
          (i) => [i.market, i.tick_size] as const,
        ),
      );
    expect(await ticks()).toEqual({ 'KRW-BTC': '1000', 'KRW-XRP': '1' });
    sim.market('KRW-BTC').changeTickSize('5000');
    expect(await ticks()).toEqual({ 'KRW-BTC': '5000', 'KRW-XRP': '1' });
    const [book] = (await get('/v1/orderbook?markets=KRW-BTC')).body;
    for (const u of book!.orderbook_units as { bid_price: number }[]) expect(u.bid_price % 5000).toBe(0);
    sim.market('KRW-BTC').changeTickSize(undefined);
    expect(await ticks()).toEqual({ 'KRW-BTC': '1000', 'KRW-XRP': '1' });
  });
});
