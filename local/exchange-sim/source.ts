/**
 * Where a simulated market's reference price and traded volume come from: a replay of real candles
 * (candles.ts) or a seeded synthetic path (synthetic.ts). The order book and impact model (market.ts)
 * sits on top of either.
 */
import type { Decimal } from '#domain/money';

export interface WindowStats {
  /** Coin volume traded in the window. */
  volume: Decimal;
  /** Won value traded in the window. */
  value: Decimal;
  high: Decimal;
  low: Decimal;
}

export interface PriceSource {
  /** e.g. `upbit_krw:KRW-ETH_15min_2024 (KST)` or `synthetic(seed=7)`. */
  readonly description: string;
  /** Reference (mid) price in won at an instant; not rounded to the tick. */
  priceAt(ms: number): Decimal;
  /** Coin volume per minute around the instant (what the book depth is calibrated on). */
  minuteVolumeAt(ms: number): Decimal;
  /** One-minute log-return volatility around the instant (dimensionless). */
  sigma1mAt(ms: number): number;
  /** Traded volume, value, high and low over (fromMs, toMs]. */
  window(fromMs: number, toMs: number): WindowStats;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
