/**
 * Conformance: ccxt's `upbit` exchange, the most widely used open-source trading client, talks to the
 * simulator as it would to Upbit. ccxt runs in a child process (see ccxt-client.mjs for why); what it
 * reads is compared with the simulator's own records and with its answers over raw HTTP.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- ccxt's unified structures arrive as untyped JSON from the child process; each test checks the fields it reads. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { Decimal, floorToStep, sum } from '#domain/money';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';

const KEY = { accessKey: 'ak-ccxt', secretKey: 'sk-ccxt' };
const XRP_ADDRESS = {
  currency: 'XRP',
  netType: 'XRP',
  address: 'rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh',
  secondaryAddress: '104020',
};

/** One ccxt instance in a child process; `call` runs one of its methods there. */
class Ccxt {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private next = 1;

  constructor(url: string) {
    this.child = spawn(process.execPath, [resolve(__dirname, 'ccxt-client.mjs'), url, KEY.accessKey, KEY.secretKey]);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { id: number; result?: unknown; error?: { name: string; message: string } };
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(Object.assign(new Error(msg.error.message), { name: msg.error.name }));
      else p?.resolve(msg.result);
    });
  }

  // Results are ccxt's unified structures; tests read the fields they check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, ...args: unknown[]): Promise<any> {
    const id = this.next++;
    return new Promise((resolveCall, reject) => {
      this.pending.set(id, { resolve: resolveCall, reject });
      this.child.stdin.write(JSON.stringify({ id, method, args }) + '\n');
    });
  }

  close(): Promise<void> {
    return new Promise((done) => {
      this.child.once('exit', () => done());
      this.child.stdin.end();
    });
  }
}

let sim: ExchangeSimulator;
let ccxt: Ccxt;

beforeAll(async () => {
  sim = await startExchangeSimulator({
    seed: 11,
    keys: [KEY],
    dataDir: '/nonexistent',
    clock: '2024-03-04T05:06:07Z',
    withdrawalAddresses: [XRP_ADDRESS],
  });
  sim.accounts.credit('XRP', '100000');
  ccxt = new Ccxt(sim.url);
});

afterAll(async () => {
  await ccxt.close();
  await sim.close();
});

const decimalOf = (n: number | string) => new Decimal(String(n));

describe('ccxt upbit against the simulator', () => {
  it('loads the markets, a ticker, an order book, candles and recent trades', async () => {
    const markets = await ccxt.call('loadMarkets');
    expect(Object.keys(markets).sort()).toEqual(['BTC/KRW', 'ETH/KRW', 'THIN/KRW', 'XRP/KRW']);
    expect(markets['XRP/KRW']).toMatchObject({ id: 'KRW-XRP', base: 'XRP', quote: 'KRW', spot: true });

    const now = sim.clock.nowMs();
    const ticker = await ccxt.call('fetchTicker', 'XRP/KRW');
    const mid = sim.market('KRW-XRP').midAt(now);
    expect(decimalOf(ticker.last).eq(floorToStep(mid, sim.market('KRW-XRP').tickAt(now)))).toBe(true);
    expect(ticker).toMatchObject({ symbol: 'XRP/KRW', timestamp: now });
    expect(ticker.baseVolume).toBeGreaterThan(0);

    const book = await ccxt.call('fetchOrderBook', 'XRP/KRW');
    const simBook = sim.market('KRW-XRP').book(now);
    expect(book.bids).toHaveLength(30);
    expect(book.bids.map((l: number[]) => String(l[0]))).toEqual(simBook.bids.map((l) => l.price.toFixed()));
    expect(book.asks[0][0]).toBeGreaterThan(book.bids[0][0]);

    const candles: number[][] = await ccxt.call('fetchOHLCV', 'XRP/KRW', '1m', undefined, 5);
    expect(candles.map((c) => c[0])).toEqual([4, 3, 2, 1, 0].map((i) => now - (now % 60_000) - i * 60_000));
    for (const [, o, h, l, c, v] of candles) {
      expect(l).toBeLessThanOrEqual(Math.min(o!, c!));
      expect(h).toBeGreaterThanOrEqual(Math.max(o!, c!));
      expect(v).toBeGreaterThan(0);
    }
    // `since` becomes `to` = since + count periods (exclusive): exactly the 4 quarter hours from since.
    const since = Date.parse('2024-03-03T00:00:00Z');
    const quarters: number[][] = await ccxt.call('fetchOHLCV', 'XRP/KRW', '15m', since, 4);
    expect(quarters.map((c) => c[0])).toEqual([0, 1, 2, 3].map((i) => since + i * 900_000));
    const days: number[][] = await ccxt.call('fetchOHLCV', 'XRP/KRW', '1d', undefined, 3);
    expect(days.map((c) => new Date(c[0]!).toISOString())).toEqual([
      '2024-03-02T00:00:00.000Z',
      '2024-03-03T00:00:00.000Z',
      '2024-03-04T00:00:00.000Z',
    ]);

    const trades = await ccxt.call('fetchTrades', 'XRP/KRW', undefined, 5);
    expect(trades).toHaveLength(5);
    expect(trades.every((t: { timestamp: number }) => t.timestamp <= now)).toBe(true);
  });

  it('reads the balance, sells with a limit IOC, finds the order and its fills', async () => {
    const balance = await ccxt.call('fetchBalance');
    expect(balance.XRP).toMatchObject({ free: 100000, used: 0, total: 100000 });

    // ccxt does not round prices to the KRW tick table: the caller reads the tick (as Upbit asks) and does.
    const [instrument] = await ccxt.call('publicGetOrderbookInstruments', { markets: 'KRW-XRP' });
    const book = await ccxt.call('fetchOrderBook', 'XRP/KRW');
    const price = floorToStep(decimalOf(book.bids[0][0]), decimalOf(instrument.tick_size));
    const placed = await ccxt.call('createOrder', 'XRP/KRW', 'limit', 'sell', 100, price.toNumber(), {
      timeInForce: 'IOC',
      clientOrderId: 'ccxt-ioc-1',
    });
    expect(placed).toMatchObject({
      symbol: 'XRP/KRW',
      side: 'sell',
      type: 'limit',
      status: 'open',
      clientOrderId: 'ccxt-ioc-1',
      timeInForce: 'IOC',
      amount: 100,
    });

    const record = sim.orders.byIdentifier('ccxt-ioc-1')[0]!;
    expect(placed.id).toBe(record.uuid);
    const order = await ccxt.call('fetchOrder', placed.id);
    const funds = sum(record.trades.map((t) => t.funds));
    expect(order).toMatchObject({ id: record.uuid, status: 'closed', filled: 100, remaining: 0 });
    expect(order.trades).toHaveLength(record.trades.length);
    expect(decimalOf(order.cost).eq(funds)).toBe(true);
    expect(decimalOf(order.fee.cost).eq(record.paidFee)).toBe(true);

    const closed = await ccxt.call('fetchClosedOrders', 'XRP/KRW');
    expect(closed.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([[record.uuid, 'closed']]);
    const after = await ccxt.call('fetchBalance');
    expect(after.XRP.total).toBe(99900);
    expect(decimalOf(after.KRW.free).eq(funds.sub(record.paidFee))).toBe(true);
    // Our fill is among the market's recent trades, as an ask.
    const trades = await ccxt.call('fetchTrades', 'XRP/KRW', undefined, 10);
    expect(
      trades.some(
        (t: { side: string; timestamp: number }) => t.side === 'sell' && t.timestamp === record.createdAt.getTime(),
      ),
    ).toBe(true);
  });

  it('rests a limit sell above the market, lists it open, cancels it', async () => {
    const book = await ccxt.call('fetchOrderBook', 'XRP/KRW');
    const [instrument] = await ccxt.call('publicGetOrderbookInstruments', { markets: 'KRW-XRP' });
    const tick = decimalOf(instrument.tick_size);
    const price = floorToStep(decimalOf(book.asks[0][0]), tick).add(tick.mul(20));
    const resting = await ccxt.call('createOrder', 'XRP/KRW', 'limit', 'sell', 50, price.toNumber());
    expect(resting.status).toBe('open');
    const open = await ccxt.call('fetchOpenOrders', 'XRP/KRW');
    expect(open.map((o: { id: string }) => o.id)).toEqual([resting.id]);
    expect((await ccxt.call('fetchBalance')).XRP).toMatchObject({ free: 99850, used: 50 });

    const cancelled = await ccxt.call('cancelOrder', resting.id);
    expect(cancelled).toMatchObject({ id: resting.id, status: 'canceled' });
    expect(await ccxt.call('fetchOpenOrders', 'XRP/KRW')).toEqual([]);
    expect((await ccxt.call('fetchBalance')).XRP).toMatchObject({ free: 99900, used: 0 });
    const canceled = await ccxt.call('fetchCanceledOrders', 'XRP/KRW');
    expect(canceled.map((o: { id: string }) => o.id)).toEqual([resting.id]);
  });

  it("maps the simulator's refusals to ccxt's typed errors", async () => {
    await expect(ccxt.call('createOrder', 'XRP/KRW', 'market', 'sell', 1_000_000)).rejects.toMatchObject({
      name: 'InsufficientFunds',
    });
    await expect(ccxt.call('fetchOrder', '00000000-0000-4000-a000-000000000000')).rejects.toMatchObject({
      name: 'OrderNotFound',
    });
  });

  it('withdraws to a registered address and follows the withdrawal to DONE', async () => {
    const sent = await ccxt.call('withdraw', 'XRP', 10, XRP_ADDRESS.address, XRP_ADDRESS.secondaryAddress, {
      network: 'XRP',
    });
    const record = sim.withdrawals.all()[0]!;
    expect(sent).toMatchObject({ id: record.uuid, currency: 'XRP', amount: 10, type: 'withdrawal' });
    expect((await ccxt.call('fetchBalance')).XRP).toMatchObject({ free: 99889, used: 11 }); // amount + 1 XRP fee locked
    sim.clock.advance(10 * 60_000);
    const done = await ccxt.call('fetchWithdrawal', record.uuid);
    expect(done).toMatchObject({ id: record.uuid, status: 'ok', fee: { currency: 'XRP', cost: 1 } });
    expect(done.txid).toMatch(/^[0-9a-f]{64}$/);
    expect((await ccxt.call('fetchWithdrawals', 'XRP')).map((w: { id: string }) => w.id)).toEqual([record.uuid]);
    expect((await ccxt.call('fetchBalance')).XRP).toMatchObject({ free: 99889, used: 0 });
  });
});
