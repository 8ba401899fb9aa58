/**
 * The public (quotation) endpoints besides ticker and order book: the market list, candles and
 * recent trades, in Upbit's shapes (JSON numbers; errors with an integer name). Everything is derived
 * from each market's price source and the simulator's own fills, at the simulated clock.
 */
import { Decimal, ZERO, floorToStep } from '#domain/money';
import { JsonNumber } from '#adapters/exchange/lossless-json';
import { intParam, isReply, publicErr, type Reply } from './engine';
import { hashInts, hashString, uniform } from './random';
import type { SimClock } from './clock';
import type { SimMarket } from './market';
import { DAY_MS, MINUTE_MS } from './source';
import { parseInstant, plainIso } from './times';

const num = (d: Decimal) => new JsonNumber(d.toFixed());
const refuse = (message: string) => publicErr(400, message);
const LOT = 8;

/** Names for the market list; other coins are named by their code. */
const NAMES: Record<string, [korean: string, english: string]> = {
  BTC: ['비트코인', 'Bitcoin'],
  ETH: ['이더리움', 'Ethereum'],
  XRP: ['엑스알피(리플)', 'XRP'],
};

/** Candle periods Upbit serves; minute units as in `/v1/candles/minutes/{unit}`. */
export type CandlePeriod =
  { kind: 'seconds' } | { kind: 'minutes'; unit: number } | { kind: 'days' } | { kind: 'weeks' } | { kind: 'months' };

export const MINUTE_UNITS: readonly number[] = [1, 3, 5, 10, 15, 30, 60, 240];

export class Quotation {
  constructor(
    private readonly markets: ReadonlyMap<string, SimMarket>,
    private readonly clock: SimClock,
  ) {}

  /** GET /v1/market/all; `is_details=true` adds `market_event` (no warnings or cautions in the simulator). */
  marketAll(q: URLSearchParams): Reply {
    const details = q.get('is_details') === 'true';
    return {
      status: 200,
      body: [...this.markets.values()].map((m) => {
        const [korean, english] = NAMES[m.baseCurrency] ?? [m.baseCurrency, m.baseCurrency];
        const row: Record<string, unknown> = { market: m.code, korean_name: korean, english_name: english };
        if (details) {
          row.market_event = {
            warning: false,
            caution: {
              PRICE_FLUCTUATIONS: false,
              TRADING_VOLUME_SOARING: false,
              DEPOSIT_AMOUNT_SOARING: false,
              GLOBAL_PRICE_DIFFERENCES: false,
              CONCENTRATION_OF_SMALL_ACCOUNTS: false,
            },
          };
        }
        return row;
      }),
    };
  }

  private market(q: URLSearchParams): SimMarket | Reply {
    const code = q.get('market');
    if (!code) return publicErr(400, 'market required');
    return this.markets.get(code) ?? publicErr(404, 'Code not found');
  }

  private price(m: SimMarket, ms: number): Decimal {
    return floorToStep(m.midAt(ms), m.tickAt(ms));
  }

  /**
   * GET /v1/candles/{period}: `count` (1..200, default 1) candles ending before `to` (exclusive;
   * ISO 8601, UTC when no zone; default now, the current candle included), newest first.
   */
  candles(period: CandlePeriod, q: URLSearchParams): Reply {
    const m = this.market(q);
    if (isReply(m)) return m;
    const count = intParam(q, 'count', 1, 200, refuse);
    if (isReply(count)) return count;
    const now = this.clock.nowMs();
    const toText = q.get('to');
    const to = toText === null ? now + 1 : parseInstant(toText);
    if (to === undefined) return publicErr(400, `to is not ISO 8601: ${toText}`);
    const out: Record<string, unknown>[] = [];
    let start = bucketStart(period, Math.min(to - 1, now));
    for (let i = 0; i < count; i++) {
      const end = bucketEnd(period, start);
      out.push(this.candle(m, period, start, end, now));
      start = bucketStart(period, start - 1);
    }
    return { status: 200, body: out };
  }

  private candle(m: SimMarket, period: CandlePeriod, start: number, end: number, now: number): Record<string, unknown> {
    const last = Math.min(end, now);
    const open = this.price(m, start);
    const close = this.price(m, last);
    const w = m.source.window(start, last);
    const own = m.ownWindow(start - 1, Math.min(end - 1, now)); // fills in [start, end)
    const tick = m.tickAt(last);
    const high = Decimal.max(open, close, floorToStep(w.high, tick));
    const low = Decimal.min(open, close, floorToStep(w.low, tick));
    const row: Record<string, unknown> = {
      market: m.code,
      candle_date_time_utc: plainIso(start, 'utc'),
      candle_date_time_kst: plainIso(start, 'kst'),
      opening_price: num(open),
      high_price: num(high),
      low_price: num(low),
      trade_price: num(close),
      timestamp: new JsonNumber(String(last - 1)),
      candle_acc_trade_price: num(w.value.add(own.value).toDecimalPlaces(LOT)),
      candle_acc_trade_volume: num(w.volume.add(own.volume).toDecimalPlaces(LOT)),
    };
    if (period.kind === 'minutes') row.unit = new JsonNumber(String(period.unit));
    if (period.kind === 'days') {
      const prev = this.price(m, start - 1);
      row.prev_closing_price = num(prev);
      row.change_price = num(close.sub(prev));
      row.change_rate = num(prev.isZero() ? ZERO : close.sub(prev).div(prev).toDecimalPlaces(10));
    }
    if (period.kind === 'weeks' || period.kind === 'months')
      row.first_day_of_period = plainIso(start, 'utc').slice(0, 10);
    return row;
  }

  /**
   * GET /v1/trades/ticks: the market's prints as one trade per minute of its source (at a seeded
   * second, seeded side, that minute's volume) plus the simulator's own fills (ASK), newest first;
   * `count` (1..500, default 1), `to` (HHmmss or HH:mm:ss, UTC), `days_ago` (1..7), `cursor`
   * (a `sequential_id`: continue with older trades).
   */
  tradeTicks(q: URLSearchParams): Reply {
    const m = this.market(q);
    if (isReply(m)) return m;
    const count = intParam(q, 'count', 1, 500, refuse);
    const daysAgo = intParam(q, 'days_ago', 0, 7, refuse);
    if (isReply(count)) return count;
    if (isReply(daysAgo)) return daysAgo;
    const now = this.clock.nowMs();
    const day = now - (now % DAY_MS) - daysAgo * DAY_MS;
    let until = daysAgo === 0 ? now : day + DAY_MS - 1;
    const toText = q.get('to');
    if (toText !== null) {
      const hms = /^(\d{2}):?(\d{2}):?(\d{2})$/.exec(toText);
      if (!hms) return publicErr(400, 'to is HHmmss or HH:mm:ss');
      until = Math.min(until, day + ((Number(hms[1]) * 60 + Number(hms[2])) * 60 + Number(hms[3])) * 1000);
    }
    const cursorText = q.get('cursor');
    if (cursorText !== null) {
      if (!/^\d+$/.test(cursorText)) return publicErr(400, 'cursor is a sequential_id');
      until = Math.min(until, Math.floor(Number(cursorText) / 1000) - 1);
    }
    const seed = hashString(m.code);
    // `seq` 0 for a minute print, 1.. for the simulator's own fills (made unique within their millisecond).
    const trades: { at: number; seq: number; price: Decimal; volume: Decimal; side: 'ASK' | 'BID' }[] = [];
    m.ownTrades.forEach((t, i) => {
      if (t.atMs <= until)
        trades.push({
          at: t.atMs,
          seq: 1 + (i % 999),
          price: t.funds.div(t.volume).toDecimalPlaces(LOT),
          volume: t.volume,
          side: 'ASK',
        });
    });
    // Minute prints, walking back until there are enough (own fills interleave by time).
    for (let minute = Math.floor(until / MINUTE_MS), prints = 0; prints < count; minute--) {
      const at = minute * MINUTE_MS + Math.floor(uniform(seed, minute, 1) * MINUTE_MS);
      if (at > until) continue;
      const volume = m.source.minuteVolumeAt(at).toDecimalPlaces(LOT, Decimal.ROUND_DOWN);
      trades.push({
        at,
        seq: 0,
        price: this.price(m, at),
        volume,
        side: hashInts(seed, minute, 2) % 2 === 0 ? 'ASK' : 'BID',
      });
      prints++;
    }
    trades.sort((a, b) => b.at - a.at || b.seq - a.seq);
    return {
      status: 200,
      body: trades.slice(0, count).map((t) => {
        const prev = this.price(m, t.at - (t.at % DAY_MS));
        return {
          market: m.code,
          trade_date_utc: plainIso(t.at, 'utc').slice(0, 10),
          trade_time_utc: plainIso(t.at, 'utc').slice(11),
          timestamp: new JsonNumber(String(t.at)),
          trade_price: num(t.price),
          trade_volume: num(t.volume),
          prev_closing_price: num(prev),
          change_price: num(t.price.sub(prev)),
          ask_bid: t.side,
          // Unique, and older trades have smaller ids: the millisecond and a sequence number.
          sequential_id: new JsonNumber(String(t.at * 1000 + t.seq)),
        };
      }),
    };
  }
}

/** Start of the candle holding `ms`: minutes on the epoch (so 240-minute candles start 09:00 KST), days at 00:00 UTC, weeks on Monday, months on the 1st. */
export function bucketStart(p: CandlePeriod, ms: number): number {
  switch (p.kind) {
    case 'seconds':
      return ms - (((ms % 1000) + 1000) % 1000);
    case 'minutes': {
      const len = p.unit * MINUTE_MS;
      return ms - (((ms % len) + len) % len);
    }
    case 'days':
      return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    case 'weeks': {
      const day = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
      const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
      return day - weekday * DAY_MS;
    }
    case 'months': {
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

function bucketEnd(p: CandlePeriod, start: number): number {
  switch (p.kind) {
    case 'seconds':
      return start + 1000;
    case 'minutes':
      return start + p.unit * MINUTE_MS;
    case 'days':
      return start + DAY_MS;
    case 'weeks':
      return start + 7 * DAY_MS;
    case 'months': {
      const d = new Date(start);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
}
