/**
 * The simulator's market model: impact grows with size, small sales fill at the bid, temporary
 * impact decays while a permanent part stays, everything is a function of the seed, and the real
 * candles are replayed where the data folder exists (synthetic paths where it does not).
 */
import { existsSync } from 'node:fs';
import { Decimal, decimal, sum } from '#domain/money';
import {
  defaultDataDir,
  startExchangeSimulator,
  type ExchangeSimulator,
  type SimulatorOptions,
} from '../../../local/exchange-sim';

const KEYS = [{ accessKey: 'ak', secretKey: 'sk' }];
const open: ExchangeSimulator[] = [];

async function sim(options: Partial<SimulatorOptions> = {}): Promise<ExchangeSimulator> {
  const s = await startExchangeSimulator({
    seed: 5,
    keys: KEYS,
    dataDir: '/nonexistent',
    clock: '2024-01-05T03:00:00Z',
    ...options,
  });
  open.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function vwap(fills: { price: Decimal; size: Decimal }[]): Decimal {
  return sum(fills.map((f) => f.price.mul(f.size))).div(sum(fills.map((f) => f.size)));
}

describe('impact model', () => {
  it('moves the price more the more is sold, now and after the book has refilled', async () => {
    const results = [];
    for (const volume of ['20000', '200000', '2000000']) {
      const s = await sim();
      const m = s.market('KRW-XRP');
      const t = s.clock.nowMs();
      const before = m.book(t);
      const { fills } = m.sell(t, { volume: decimal(volume), market: true });
      expect(sum(fills.map((f) => f.size)).toFixed()).toBe(volume);
      const after = m.book(t);
      const later = m.book(t + 30 * 60_000); // 30 resilience times later: only the permanent part is left
      results.push({
        slippage: before.mid.sub(vwap(fills)).div(before.mid),
        bidDrop: before.bids[0]!.price.sub(after.bids[0]!.price),
        permanent: before.mid.sub(later.mid.div(m.source.priceAt(t + 30 * 60_000)).mul(m.source.priceAt(t))),
      });
    }
    for (let i = 1; i < results.length; i++) {
      expect(results[i]!.slippage.gt(results[i - 1]!.slippage)).toBe(true);
      expect(results[i]!.bidDrop.gte(results[i - 1]!.bidDrop)).toBe(true);
      expect(results[i]!.permanent.gt(results[i - 1]!.permanent)).toBe(true);
    }
    // Concave, as the square-root law says: ten times the size costs less than ten times the slippage.
    expect(results[2]!.slippage.lt(results[1]!.slippage.mul(10))).toBe(true);
  });

  it('fills a sale that is small against volume at the best bid', async () => {
    const s = await sim();
    const m = s.market('KRW-ETH');
    const t = s.clock.nowMs();
    const book = m.book(t);
    const perMinute = m.source.minuteVolumeAt(t);
    const volume = perMinute.div(100).toDecimalPlaces(8, Decimal.ROUND_DOWN); // 1% of a minute's volume
    const { fills } = m.sell(t, { volume, limit: book.bids[0]!.price });
    expect(fills).toEqual([{ price: book.bids[0]!.price, size: volume }]);
    const fromMid = book.mid.sub(fills[0]!.price).div(book.mid);
    expect(fromMid.lte(book.tick.div(book.mid).add(decimal('0.001')))).toBe(true); // within the half-spread
  });

  it('lets consumed depth come back with time, but not the permanent part', async () => {
    const s = await sim();
    const m = s.market('KRW-ETH');
    const t = s.clock.nowMs();
    const before = m.book(t);
    const visible = sum(before.bids.map((l) => l.size));
    m.sell(t, { volume: visible.div(2).toDecimalPlaces(8, Decimal.ROUND_DOWN), market: true });
    const gap = (ms: number) => {
      const b = m.book(ms);
      return b.mid.sub(b.bids[0]!.price).div(b.mid);
    };
    expect(gap(t).gt(gap(t + 60_000))).toBe(true);
    expect(gap(t + 60_000).gt(gap(t + 600_000))).toBe(true);
    expect(m.midAt(t + 600_000).lt(m.source.priceAt(t + 600_000))).toBe(true);
  });

  it('refuses a market sell larger than the visible bid side, and FOK that cannot fill', async () => {
    const s = await sim();
    const m = s.market('KRW-THIN');
    const t = s.clock.nowMs();
    const book = m.book(t);
    const total = sum(book.bids.map((l) => l.size));
    expect(m.sell(t, { volume: total.add('1'), market: true })).toEqual({ fills: [], exceedsDepth: true });
    expect(m.sell(t, { volume: book.bids[0]!.size.add('1'), limit: book.bids[0]!.price, fok: true })).toEqual({
      fills: [],
    });
    expect(m.book(t)).toEqual(book); // nothing happened
    // A thin coin's whole visible book is worth little: tens to hundreds of millions of won.
    const value = sum(book.bids.map((l) => l.price.mul(l.size)));
    expect(value.lt('1000000000')).toBe(true);
  });
});

describe('determinism', () => {
  it('gives the same market and the same fills for the same seed, and another market for another seed', async () => {
    const snapshot = async (seed: number) => {
      const s = await sim({ seed });
      const res = await fetch(`${s.url}/v1/orderbook?markets=KRW-BTC,KRW-ETH,KRW-XRP,KRW-THIN`);
      const text = await res.text();
      const m = s.market('KRW-THIN');
      const fills = m
        .sell(s.clock.nowMs(), { volume: decimal('50000'), market: true })
        .fills.map((f) => `${f.price.toFixed()}x${f.size.toFixed()}`);
      s.clock.advance(90_000);
      return {
        text,
        fills,
        after: (await (await fetch(`${s.url}/v1/ticker?markets=KRW-THIN`)).text()).replace(
          /"timestamp":\d+|"trade_timestamp":\d+/g,
          '',
        ),
      };
    };
    const a = await snapshot(5);
    const b = await snapshot(5);
    const c = await snapshot(6);
    expect(b).toEqual(a);
    expect(c.text).not.toEqual(a.text);
  });
});

describe('market data', () => {
  it('falls back to seeded synthetic markets where the data folder is absent, and says so', async () => {
    const s = await sim({ dataDir: '/nonexistent/market', seed: 9 });
    expect(s.source).toEqual({
      'KRW-BTC': 'synthetic(seed=9)',
      'KRW-ETH': 'synthetic(seed=9)',
      'KRW-XRP': 'synthetic(seed=9)',
      'KRW-THIN': 'synthetic(seed=9)',
    });
    const res = await fetch(`${s.url}/v1/ticker?markets=KRW-BTC,KRW-ETH`);
    expect(res.status).toBe(200);
    expect(s.describeSource()).toContain('KRW-ETH: synthetic(seed=9)');
  });

  it('reads the folder from MARKET_DATA_DIR when no option is given', () => {
    const saved = process.env.MARKET_DATA_DIR;
    process.env.MARKET_DATA_DIR = '/somewhere/else';
    try {
      expect(defaultDataDir()).toBe('/somewhere/else');
    } finally {
      if (saved === undefined) delete process.env.MARKET_DATA_DIR;
      else process.env.MARKET_DATA_DIR = saved;
    }
    expect(defaultDataDir()).toMatch(/shared\/data\/market$/);
  });

  // The real candles live outside the repository (../shared/data/market); where they are, replay them.
  const dataDir = defaultDataDir();
  const haveData = existsSync(dataDir);

  it(
    haveData
      ? 'replays Upbit KRW-ETH 15-minute candles (2024-08-05 crash) and Binance.US BTC at 1,300 KRW/USD'
      : 'runs synthetic when the default data folder is absent',
    async () => {
      const s = await sim({ dataDir, clock: '2024-08-05T00:00:00Z' }); // 09:00 KST
      if (!haveData) {
        expect(Object.values(s.source).every((x) => x.startsWith('synthetic('))).toBe(true);
        return;
      }
      expect(s.source['KRW-ETH']).toMatch(/^upbit_krw:KRW-ETH_15min/);
      expect(s.source['KRW-BTC']).toMatch(/^binanceus_2023-03:BTCUSDT_1m .*1300 KRW\/USD/);
      expect(s.source['KRW-XRP']).toBe('synthetic(seed=5)');
      const price = async (market: string) => {
        const body = await (await fetch(`${s.url}/v1/ticker?markets=${market}`)).text();
        return /"trade_price":(\d+)/.exec(body)![1];
      };
      // CSV row "2024-08-05 09:00:00,3790000.0,...": the candle opens at 3,790,000 KRW.
      expect(await price('KRW-ETH')).toBe('3790000');
      s.clock.set('2024-08-05T09:00:00Z'); // 18:00 KST, candle open 3,349,000
      expect(await price('KRW-ETH')).toBe('3349000');
      // Binance.US BTCUSDT opens March 2023 at 23,140.48 USD; x 1,300 = 30,082,624 KRW, 30,082,000 on the 1,000 tick.
      s.clock.set('2023-03-01T00:00:00Z');
      expect(await price('KRW-BTC')).toBe('30082000');
      // Outside its three weeks the BTC series wraps by whole weeks: same weekday and time of day.
      s.clock.set(Date.parse('2023-03-01T00:00:00Z') + 3 * 7 * 86_400_000);
      expect(await price('KRW-BTC')).toBe('30082000');
    },
  );

  it(
    haveData
      ? 'replays the daily BTC series (Upbit KRW, Coinbase USD x 1,300) when a market asks for them'
      : 'falls back to synthetic for daily series without data',
    async () => {
      const synthetic = {
        s0: '50000000',
        annualVol: 0.5,
        jumpsPerDay: 0,
        jumpMean: 0,
        jumpStd: 0,
        dailyVolume: '3000',
        volumeNoise: 0.3,
      };
      const s = await sim({
        dataDir,
        clock: '2024-01-01T00:00:00Z',
        markets: [
          { code: 'KRW-BTC', data: 'upbit:KRW-BTC_day', synthetic },
          { code: 'KRW-BTCD', data: 'coinbase:BTCUSD_1d', synthetic },
        ],
      });
      if (!haveData) {
        expect(s.source['KRW-BTC']).toBe('synthetic(seed=5)');
        return;
      }
      expect(s.source).toEqual({
        'KRW-BTC': 'upbit_krw:KRW-BTC_day_2024-2025 (KST)',
        'KRW-BTCD': 'coinbase_btc_daily:BTCUSD_1d (UTC) x 1300 KRW/USD',
      });
      // "2024-01-01 09:00:00,57045000.0,..." opens the Upbit day at 09:00 KST = 00:00 UTC.
      expect(s.market('KRW-BTC').midAt(s.clock.nowMs()).toFixed()).toBe('57045000');
      // "2011-08-18 00:00:00,10.9,...": 10.9 USD x 1,300 = 14,170 KRW.
      s.clock.set('2011-08-18T00:00:00Z');
      expect(s.market('KRW-BTCD').midAt(s.clock.nowMs()).toFixed()).toBe('14170');
    },
  );
});
