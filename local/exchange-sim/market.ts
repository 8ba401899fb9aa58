/**
 * One simulated market: an order book built around the reference price of its source, and the impact
 * of our own sells on it. The real data has no depth, so depth is a model calibrated on the candles'
 * traded volume and volatility:
 *
 * Spread. Mid M = reference x (1 - permanent impact so far). Half-spread = max(half a tick,
 *   spreadVolMultiple x sigma_1m x M); best bid = M - half-spread down to the tick, best ask up.
 *   Levels then step one tick apart, as on Upbit.
 *
 * Depth (square-root law). With V the coin volume per minute and sigma_1m the one-minute volatility,
 *   the cumulative bid size within a relative distance x of the mid is
 *       D(x) = V / (sigma_1m^2 Y^2) x^2
 *   which is the inverse of the square-root impact law I(Q) = Y sigma sqrt(Q / V) (the ratio
 *   V / sigma^2 is the same over any horizon, so one-minute and daily figures agree). Walking the
 *   book with Q coins therefore moves the price by about Y sigma_1m sqrt(Q / V_1m). A visible book
 *   does not hold days of volume, so D saturates at `bookMinutes` minutes of volume per side:
 *       D'(x) = D(x) C / (C + D(x)),   C = bookMinutes x V
 *   (square-root near the touch, then thinning out: a thin coin's whole book is a few tens of
 *   millions of won, and walking it deep costs far more than the square-root law). Each level also gets
 *   a flat `baseLevelFraction x V` so the top of the book is never empty, and every level's size is
 *   multiplied by seeded noise 1 +/- sizeNoise (redrawn each minute). Y for the visible book (1.5)
 *   is above the 0.5-1 usually fitted to whole metaorders, because a book shows only part of the
 *   liquidity that arrives while a metaorder is worked.
 *
 * Temporary impact. What we sell is taken from the top of the bid side and refills exponentially
 *   with time constant `resilienceSeconds` (the clock is the caller's: if it does not advance, the
 *   book stays depleted and the next sale gets worse prices).
 *
 * Permanent impact. After each order the mid shifts down by `permanentFraction` of that order's
 *   temporary impact, (best bid before - average fill price) / mid, and stays there.
 *
 * A market sell larger than the visible 30 bid levels is refused, as on Upbit.
 */
import { Decimal, ceilToStep, floorToStep, sum } from '#domain/money';
import { hashString, uniform } from './random';
import { MINUTE_MS, type PriceSource } from './source';
import { krwTickSize } from './ticks';

export interface ImpactParams {
  /** Y of the square-root law for the visible book. */
  y: number;
  /** Share of an order's temporary impact that stays in the price. */
  permanentFraction: number;
  /** e-folding time for consumed depth to come back. */
  resilienceSeconds: number;
  /** Half-spread as a multiple of one-minute volatility x price. */
  spreadVolMultiple: number;
  /** Flat size added at each level, as a share of one minute's volume. */
  baseLevelFraction: number;
  /** Level sizes are multiplied by a uniform factor in [1 - sizeNoise, 1 + sizeNoise]. */
  sizeNoise: number;
  /** Floor for one-minute volatility (a flat candle must not make the book infinitely deep). */
  minSigma1m: number;
  /** Visible depth per side saturates at this many minutes of traded volume. */
  bookMinutes: number;
  /** Visible levels per side. */
  levels: number;
}

export const DEFAULT_IMPACT: ImpactParams = {
  y: 1.5,
  permanentFraction: 0.5,
  resilienceSeconds: 60,
  spreadVolMultiple: 0.25,
  baseLevelFraction: 0.05,
  sizeNoise: 0.25,
  minSigma1m: 0.0002,
  bookMinutes: 30,
  levels: 30,
};

export interface Level {
  price: Decimal;
  size: Decimal;
}

export interface Book {
  atMs: number;
  mid: Decimal;
  tick: Decimal;
  bids: Level[];
  asks: Level[];
}

export interface Execution {
  fills: Level[];
  /** Set when a market sell was refused for exceeding the visible bid side. */
  exceedsDepth?: boolean;
}

export interface SellRequest {
  volume: Decimal;
  /** Lowest acceptable price; absent for a market sell. */
  limit?: Decimal;
  /** Fill all or nothing. */
  fok?: boolean;
  /** Market sell: refuse when larger than the visible bid side. */
  market?: boolean;
  /** Fault injection: fill at most this share of the volume. */
  capFraction?: Decimal;
}

const LOT = 8; // coin quantities have 8 decimal places
const MAX_LEVELS = 1000;

export class SimMarket {
  private permanent = 0;
  private consumed = new Decimal(0);
  private consumedAtMs = 0;
  /** Our own trades, counted into the ticker's traded volume. */
  readonly ownTrades: { atMs: number; volume: Decimal; funds: Decimal }[] = [];
  private readonly marketHash: number;
  /** The exchange's tick for this market at a price: its table, or the tick it was changed to. */
  private tickTable: (price: Decimal) => Decimal = krwTickSize;

  constructor(
    readonly code: string,
    readonly source: PriceSource,
    private readonly seed: number,
    private readonly impact: ImpactParams,
  ) {
    this.marketHash = hashString(code);
  }

  get baseCurrency(): string {
    return this.code.split('-')[1] ?? this.code;
  }

  /** Reference price after our permanent impact. */
  midAt(ms: number): Decimal {
    return this.source.priceAt(ms).mul(new Decimal(1 - this.permanent).toDecimalPlaces(12));
  }

  tickAt(ms: number): Decimal {
    return this.tickTable(this.midAt(ms));
  }

  /** The exchange changes this market's tick size from now on (as Upbit changes its table); undefined: the table again. */
  changeTickSize(tick: string | undefined): void {
    this.tickTable = tick === undefined ? krwTickSize : () => new Decimal(tick);
  }

  /** Consumed depth still missing at `ms`. */
  private depleted(ms: number): Decimal {
    if (this.consumed.isZero()) return this.consumed;
    const elapsed = Math.max(0, ms - this.consumedAtMs) / 1000;
    const left = Math.exp(-elapsed / this.impact.resilienceSeconds);
    return this.consumed.mul(left.toFixed(12)).toDecimalPlaces(LOT, Decimal.ROUND_DOWN);
  }

  book(ms: number): Book {
    const p = this.impact;
    const mid = this.midAt(ms);
    const tick = this.tickTable(mid);
    const sigma = Math.max(p.minSigma1m, this.source.sigma1mAt(ms));
    const v = this.source.minuteVolumeAt(ms);
    const half = Decimal.max(tick.div(2), mid.mul((p.spreadVolMultiple * sigma).toPrecision(12)));
    const bestBid = floorToStep(mid.sub(half), tick);
    let bestAsk = ceilToStep(mid.add(half), tick);
    if (bestAsk.lte(bestBid)) bestAsk = bestBid.add(tick);
    // D(x) = a x^2 with a = V / (sigma^2 Y^2)
    const a = v.div((sigma * sigma * p.y * p.y).toPrecision(12));
    const cap = v.mul(p.bookMinutes);
    const base = v.mul(p.baseLevelFraction);
    const minute = Math.floor(ms / MINUTE_MS);
    /** Levels outward from `best`, generated lazily (only as deep as depletion requires). */
    function* side(sign: 1 | -1, best: Decimal): Generator<Level> {
      let prevCum = new Decimal(0);
      for (let i = 0; i < MAX_LEVELS; i++) {
        const price = best.add(tick.mul(i * sign));
        if (price.lte(0)) return;
        const x = price.sub(mid).abs().div(mid);
        const raw = a.mul(x).mul(x);
        const cum = raw.mul(cap).div(cap.add(raw));
        const noise = 1 - p.sizeNoise + 2 * p.sizeNoise * uniform(seed, marketHash, minute, i, sign);
        const size = cum.sub(prevCum).add(base).mul(noise.toFixed(6)).toDecimalPlaces(LOT, Decimal.ROUND_DOWN);
        prevCum = cum;
        yield { price, size };
      }
    }
    const seed = this.seed;
    const marketHash = this.marketHash;
    // Remove what our sales took from the top of the bid side; deeper levels come into view.
    let take = this.depleted(ms);
    const bids: Level[] = [];
    for (const level of side(-1, bestBid)) {
      if (take.gte(level.size)) {
        take = take.sub(level.size);
        continue;
      }
      bids.push({ price: level.price, size: level.size.sub(take) });
      take = new Decimal(0);
      if (bids.length === p.levels) break;
    }
    const asks: Level[] = [];
    for (const level of side(1, bestAsk)) {
      asks.push(level);
      if (asks.length === p.levels) break;
    }
    return { atMs: ms, mid, tick, bids, asks };
  }

  /** Matches a sell against the bid side at `ms` and applies its impact. */
  sell(ms: number, req: SellRequest): Execution {
    const book = this.book(ms);
    const visible = sum(book.bids.map((l) => l.size));
    if (req.market && req.volume.gt(visible)) return { fills: [], exceedsDepth: true };
    let want = req.volume;
    if (req.capFraction)
      want = Decimal.min(want, req.volume.mul(req.capFraction).toDecimalPlaces(LOT, Decimal.ROUND_DOWN));
    const fills: Level[] = [];
    let left = want;
    for (const level of book.bids) {
      if (left.lte(0)) break;
      if (req.limit && level.price.lt(req.limit)) break;
      const q = Decimal.min(left, level.size);
      if (q.gt(0)) fills.push({ price: level.price, size: q });
      left = left.sub(q);
    }
    const filled = sum(fills.map((f) => f.size));
    if (req.fok && filled.lt(req.volume)) return { fills: [] };
    if (filled.isZero()) return { fills: [] };

    const funds = sum(fills.map((f) => f.price.mul(f.size)));
    const vwap = funds.div(filled);
    const bestBid = book.bids[0]?.price ?? vwap;
    const temporary = bestBid.sub(vwap).div(book.mid).toNumber(); // dimensionless
    this.consumed = this.depleted(ms).add(filled);
    this.consumedAtMs = ms;
    this.permanent = 1 - (1 - this.permanent) * (1 - this.impact.permanentFraction * Math.max(0, temporary));
    this.ownTrades.push({ atMs: ms, volume: filled, funds });
    return { fills };
  }

  /** Our own traded volume and value in (fromMs, toMs]. */
  ownWindow(fromMs: number, toMs: number): { volume: Decimal; value: Decimal } {
    const inside = this.ownTrades.filter((t) => t.atMs > fromMs && t.atMs <= toMs);
    return { volume: sum(inside.map((t) => t.volume)), value: sum(inside.map((t) => t.funds)) };
  }
}
