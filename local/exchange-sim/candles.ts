/**
 * Replay of real candles read at run time from the market data folder (never committed). Prices stay
 * decimal strings from the file to the order book; USD series are mapped to won at a fixed, stated
 * rate. Within a candle the reference price moves linearly open -> low -> high -> close on a rising
 * candle (open -> high -> low -> close on a falling one), a third of the interval each, so every
 * candle's range is visited. Outside the file's period the series wraps around by whole weeks, which
 * keeps the weekday and time-of-day pattern of volume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '#domain/money';
import { DAY_MS, MINUTE_MS, WEEK_MS, type PriceSource, type WindowStats } from './source';

export interface SeriesFile {
  /** Short id used in options, e.g. `upbit:KRW-ETH_15min`. */
  id: string;
  /** Path under the data folder. */
  path: string;
  intervalMs: number;
  /** Multiplier into won (USD series); absent for KRW series. */
  usd?: boolean;
  parse(cells: string[]): Row | undefined;
  label: string;
}

interface Row {
  startMs: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  /** Won value traded; absent where the file has none. */
  value?: string;
}

const KST = '+09:00';

function upbitRow(cells: string[]): Row | undefined {
  const [ts, open, high, low, close, volume, value] = cells;
  if (!ts || !open || !high || !low || !close || !volume) return undefined;
  return { startMs: Date.parse(ts.replace(' ', 'T') + KST), open, high, low, close, volume, value };
}

function binanceRow(cells: string[]): Row | undefined {
  const [ts, open, high, low, close, volume] = cells;
  if (!ts || !open || !high || !low || !close || !volume) return undefined;
  return { startMs: Date.parse(ts.replace(' ', 'T')), open, high, low, close, volume };
}

function coinbaseRow(cells: string[]): Row | undefined {
  // Column order in this file: timestamp,open,close,volume,unix_timestamp,high,low
  const [, open, close, volume, unix, high, low] = cells;
  if (!open || !close || !volume || !unix || !high || !low) return undefined;
  return { startMs: Number(unix) * 1000, open, high, low, close, volume };
}

export const SERIES: Record<string, SeriesFile> = {
  'upbit:KRW-ETH_15min': {
    id: 'upbit:KRW-ETH_15min',
    path: 'upbit_krw/KRW-ETH_15min_2024-01-01_2024-12-31.csv',
    intervalMs: 15 * MINUTE_MS,
    parse: upbitRow,
    label: 'upbit_krw:KRW-ETH_15min_2024 (KST)',
  },
  'upbit:KRW-ETH_60min': {
    id: 'upbit:KRW-ETH_60min',
    path: 'upbit_krw/KRW-ETH_60min_2024-01-01_2024-12-31.csv',
    intervalMs: 60 * MINUTE_MS,
    parse: upbitRow,
    label: 'upbit_krw:KRW-ETH_60min_2024 (KST)',
  },
  'upbit:KRW-BTC_day': {
    id: 'upbit:KRW-BTC_day',
    path: 'upbit_krw/KRW-BTC_day_2024-01-01_2025-12-27.csv',
    intervalMs: DAY_MS,
    parse: upbitRow,
    label: 'upbit_krw:KRW-BTC_day_2024-2025 (KST)',
  },
  'binanceus:BTCUSDT_1m': {
    id: 'binanceus:BTCUSDT_1m',
    path: 'binanceus_2023-03/BTCUSDT_1m_20230301_20230321.csv',
    intervalMs: MINUTE_MS,
    usd: true,
    parse: binanceRow,
    label: 'binanceus_2023-03:BTCUSDT_1m (UTC)',
  },
  'coinbase:BTCUSD_1d': {
    id: 'coinbase:BTCUSD_1d',
    path: 'coinbase_btc_daily/BTCUSD_1d_candles_full.csv',
    intervalMs: DAY_MS,
    usd: true,
    parse: coinbaseRow,
    label: 'coinbase_btc_daily:BTCUSD_1d (UTC)',
  },
};

interface Loaded {
  start: Float64Array;
  rows: Row[];
  /** Volume before row i (cumVolume[0] = 0): a window's volume without adding a day of candles each time. */
  cumVolume: Decimal[];
  /** ln(high / low)² per row, for the volatility estimate. */
  logRange2: Float64Array;
  /** Made on the first window asked of the file (`windowSums`). */
  sums?: WindowSums;
}

/**
 * What a window over the file reads without visiting each of its candles (a ticker asks for a day's
 * window at every quote): running totals of the value traded (the file's own, and volume × close for
 * rows without one, to be converted at the series' rate), and the highest high and lowest low of each
 * block of `BLOCK` candles (made when first needed).
 */
interface WindowSums {
  cumValue: Decimal[];
  cumVolumeClose: Decimal[];
  high: (Decimal | undefined)[];
  low: (Decimal | undefined)[];
  blockHigh: (Decimal | undefined)[];
  blockLow: (Decimal | undefined)[];
}

const BLOCK = 64;

/** Files are read once per process: several simulators in one test run share them. */
const cache = new Map<string, Loaded>();

function load(file: string, series: SeriesFile): Loaded {
  const hit = cache.get(file);
  if (hit) return hit;
  const rows: Row[] = [];
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const row = series.parse(line.split(','));
    if (row && Number.isFinite(row.startMs)) rows.push(row);
  }
  rows.sort((a, b) => a.startMs - b.startMs);
  if (rows.length < 2) throw new Error(`${file}: too few candles`);
  const cumVolume = [new Decimal(0)];
  for (const r of rows) cumVolume.push(cumVolume[cumVolume.length - 1]!.add(r.volume));
  const logRange2 = Float64Array.from(rows.map((r) => Math.log(new Decimal(r.high).div(r.low).toNumber()) ** 2)); // dimensionless
  const loaded = { start: Float64Array.from(rows.map((r) => r.startMs)), rows, cumVolume, logRange2 };
  cache.set(file, loaded);
  return loaded;
}

export function seriesAvailable(dataDir: string, id: string): boolean {
  const s = SERIES[id];
  return !!s && existsSync(join(dataDir, s.path));
}

const LN2x4 = 4 * Math.log(2);

export class CandleSeries implements PriceSource {
  readonly description: string;
  private readonly data: Loaded;
  private readonly fx: Decimal;
  private readonly first: number;
  private readonly span: number;
  private readonly intervalMinutes: number;
  private readonly sigmaCache = new Map<number, number>();
  private readonly volumeCache = new Map<number, Decimal>();
  private meanMinuteVolume?: Decimal;

  constructor(
    dataDir: string,
    private readonly series: SeriesFile,
    usdKrw: Decimal,
  ) {
    this.data = load(join(dataDir, series.path), series);
    this.fx = series.usd ? usdKrw : new Decimal(1);
    this.description = series.usd ? `${series.label} x ${usdKrw.toFixed()} KRW/USD` : series.label;
    this.intervalMinutes = series.intervalMs / MINUTE_MS;
    this.first = this.data.start[0]!;
    const end = this.data.start[this.data.start.length - 1]! + series.intervalMs;
    const weeks = Math.floor((end - this.first) / WEEK_MS) * WEEK_MS;
    this.span = weeks > 0 ? weeks : Math.max(DAY_MS, Math.floor((end - this.first) / DAY_MS) * DAY_MS);
  }

  /** Data time for a clock instant (wrapped by whole weeks outside the file's period). */
  dataTime(ms: number): number {
    const offset = (((ms - this.first) % this.span) + this.span) % this.span;
    return this.first + offset;
  }

  /** Index of the candle covering data time `t` (the last one starting at or before it). */
  private index(t: number): number {
    const s = this.data.start;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private row(i: number): Row {
    return this.data.rows[i]!;
  }

  priceAt(ms: number): Decimal {
    const t = this.dataTime(ms);
    const i = this.index(t);
    const r = this.row(i);
    const into = t - r.startMs;
    if (into >= this.series.intervalMs) return new Decimal(r.close).mul(this.fx); // a missing candle: flat
    const third = this.series.intervalMs / 3;
    const rising = new Decimal(r.close).gte(r.open);
    const path = rising ? [r.open, r.low, r.high, r.close] : [r.open, r.high, r.low, r.close];
    const leg = Math.min(2, Math.floor(into / third));
    const a = new Decimal(path[leg]!);
    const b = new Decimal(path[leg + 1]!);
    const frac = new Decimal(into - leg * third).div(third);
    return a.add(b.sub(a).mul(frac)).mul(this.fx);
  }

  minuteVolumeAt(ms: number): Decimal {
    const t = this.dataTime(ms);
    const key = Math.floor(t / MINUTE_MS);
    const hit = this.volumeCache.get(key);
    if (hit) return hit;
    const i = this.index(t);
    const r = this.row(i);
    const candleRate =
      t - r.startMs < this.series.intervalMs ? new Decimal(r.volume).div(this.intervalMinutes) : new Decimal(0);
    const lookback = Math.max(DAY_MS, 20 * this.series.intervalMs);
    const average = this.volumeBetween(t - lookback, t).div(lookback / MINUTE_MS);
    // Half the current candle, half the trailing average: depth follows activity without vanishing in a lull.
    let v = candleRate.add(average).div(2);
    if (v.lte(0)) v = this.meanVolume();
    if (this.volumeCache.size > 4096) this.volumeCache.clear();
    this.volumeCache.set(key, v);
    return v;
  }

  private meanVolume(): Decimal {
    if (!this.meanMinuteVolume) {
      let total = new Decimal(0);
      for (const r of this.data.rows) total = total.add(r.volume);
      this.meanMinuteVolume = total.div(this.data.rows.length * this.intervalMinutes);
    }
    return this.meanMinuteVolume;
  }

  /** Parkinson estimator on the trailing day (at least 20 candles) of high/low ranges, scaled to one minute. */
  sigma1mAt(ms: number): number {
    const t = this.dataTime(ms);
    const i = this.index(t);
    const hit = this.sigmaCache.get(i);
    if (hit !== undefined) return hit;
    const n = Math.max(20, Math.ceil(DAY_MS / this.series.intervalMs));
    let acc = 0;
    let count = 0;
    for (let j = Math.max(0, i - n + 1); j <= i; j++) {
      acc += this.data.logRange2[j]!;
      count++;
    }
    const sigma = Math.sqrt(acc / count / LN2x4 / this.intervalMinutes);
    if (this.sigmaCache.size > 4096) this.sigmaCache.clear();
    this.sigmaCache.set(i, sigma);
    return sigma;
  }

  window(fromMs: number, toMs: number): WindowStats {
    const to = this.dataTime(toMs);
    return this.windowData(to - (toMs - fromMs), to);
  }

  /** Coin volume over data time (from, to], as `windowData` counts it, from the running totals. */
  private volumeBetween(from: number, to: number): Decimal {
    const interval = this.series.intervalMs;
    const last = this.index(to);
    const first = this.index(from);
    const part = (j: number): Decimal => {
      const r = this.row(j);
      const overlap = Math.min(r.startMs + interval, to) - Math.max(r.startMs, from);
      if (overlap <= 0) return new Decimal(0);
      return overlap >= interval
        ? new Decimal(r.volume)
        : new Decimal(r.volume).mul(new Decimal(overlap).div(interval));
    };
    if (first >= last) return part(last);
    const inner = this.data.cumVolume[last]!.sub(this.data.cumVolume[first + 1]!);
    return part(first).add(inner).add(part(last));
  }

  /** Over data time (from, to]; candles partly inside count pro rata. */
  private windowData(from: number, to: number): WindowStats {
    const interval = this.series.intervalMs;
    const sums = this.windowSums();
    const rows = this.data.rows;
    let last = this.index(to);
    // Inside the window: the candles from the first that ends after `from` to the last that starts before `to`.
    if (rows[last]!.startMs >= to) last--;
    let first = this.index(from);
    if (rows[first]!.startMs + interval <= from) first++;
    if (from >= to || last < 0 || first > last) {
      const p = this.priceAt(to);
      return { volume: new Decimal(0), value: new Decimal(0), high: p, low: p };
    }
    // Whole candles from the running totals; the one or two partly inside pro rata.
    const inside = (j: number) => rows[j]!.startMs >= from && rows[j]!.startMs + interval <= to;
    const wholeFrom = inside(first) ? first : first + 1;
    const wholeTo = inside(last) ? last : last - 1;
    let volume = new Decimal(0);
    let value = new Decimal(0);
    if (wholeFrom <= wholeTo) {
      volume = this.data.cumVolume[wholeTo + 1]!.sub(this.data.cumVolume[wholeFrom]!);
      value = sums.cumValue[wholeTo + 1]!.sub(sums.cumValue[wholeFrom]!).add(
        sums.cumVolumeClose[wholeTo + 1]!.sub(sums.cumVolumeClose[wholeFrom]!).mul(this.fx),
      );
    }
    for (const j of new Set([first, last])) {
      if (inside(j)) continue;
      const r = rows[j]!;
      const share = new Decimal(Math.min(r.startMs + interval, to) - Math.max(r.startMs, from)).div(interval);
      volume = volume.add(new Decimal(r.volume).mul(share));
      const candleValue = r.value ? new Decimal(r.value) : new Decimal(r.volume).mul(r.close).mul(this.fx);
      value = value.add(candleValue.mul(share));
    }
    const [high, low] = this.range(first, last);
    return { volume, value, high: high.mul(this.fx), low: low.mul(this.fx) };
  }

  /** Highest high and lowest low of candles first..last (in the file's currency), a block at a time. */
  private range(first: number, last: number): [Decimal, Decimal] {
    let high: Decimal | undefined;
    let low: Decimal | undefined;
    const take = (h: Decimal, l: Decimal) => {
      if (!high || h.gt(high)) high = h;
      if (!low || l.lt(low)) low = l;
    };
    for (let j = first; j <= last;) {
      const block = Math.floor(j / BLOCK);
      const blockEnd = (block + 1) * BLOCK - 1;
      if (j === block * BLOCK && blockEnd <= last) {
        const [h, l] = this.blockRange(block);
        take(h, l);
        j = blockEnd + 1;
      } else {
        take(this.rowHigh(j), this.rowLow(j));
        j++;
      }
    }
    return [high!, low!];
  }

  private blockRange(block: number): [Decimal, Decimal] {
    const sums = this.windowSums();
    if (!sums.blockHigh[block]) {
      let high = this.rowHigh(block * BLOCK);
      let low = this.rowLow(block * BLOCK);
      for (let j = block * BLOCK + 1; j < (block + 1) * BLOCK; j++) {
        if (this.rowHigh(j).gt(high)) high = this.rowHigh(j);
        if (this.rowLow(j).lt(low)) low = this.rowLow(j);
      }
      sums.blockHigh[block] = high;
      sums.blockLow[block] = low;
    }
    return [sums.blockHigh[block], sums.blockLow[block]!];
  }

  private rowHigh(j: number): Decimal {
    const sums = this.windowSums();
    return (sums.high[j] ??= new Decimal(this.row(j).high));
  }

  private rowLow(j: number): Decimal {
    const sums = this.windowSums();
    return (sums.low[j] ??= new Decimal(this.row(j).low));
  }

  private windowSums(): WindowSums {
    if (!this.data.sums) {
      const cumValue = [new Decimal(0)];
      const cumVolumeClose = [new Decimal(0)];
      for (const r of this.data.rows) {
        cumValue.push(r.value ? cumValue[cumValue.length - 1]!.add(r.value) : cumValue[cumValue.length - 1]!);
        cumVolumeClose.push(
          r.value
            ? cumVolumeClose[cumVolumeClose.length - 1]!
            : cumVolumeClose[cumVolumeClose.length - 1]!.add(new Decimal(r.volume).mul(r.close)),
        );
      }
      this.data.sums = { cumValue, cumVolumeClose, high: [], low: [], blockHigh: [], blockLow: [] };
    }
    return this.data.sums;
  }
}
