/**
 * The desk's pace: an Almgren–Chriss schedule (docs/SALE-DESK.md has the model and its formulas).
 *
 * Selling X coins over T slice intervals from x(0) = X to x(T) = 0, the seller trades off
 * - temporary impact: each slice of n coins sells at ε + k·n below the mid (ε the half-spread, k the
 *   slope of the visible bids, both read from the order book; beyond the book, the square-root law on
 *   traded volume),
 * - permanent impact: γ per coin sold, a share `permanentShare` of the temporary slope,
 * - drift: the expected fall of the price per interval μ (only a fall counts: the desk never holds
 *   coins back betting on a rise),
 * - risk: the variance of what the rest will fetch, σ² Σ x_j² (σ the observed volatility, won per
 *   coin per √interval), weighted by the risk aversion λ (per won).
 * Minimising E[cost] + λ·Var gives x(t) = (X + c)·sinh(κ(T−t))/sinh(κT) + c·sinh(κt)/sinh(κT) − c,
 * with κ from cosh(κ) = 1 + λσ²/(2η̃), η̃ = k − γ/2, and c = μ/(2λσ²). The slice now is X − x(1).
 * A deep book (small k) or a falling market (c > 0) sells faster; impact dominating (large k) slower.
 *
 * Model estimates are plain numbers (they are estimates, not money); the quantity that comes out is
 * turned into coins once, through Decimal, rounded down to the lot. The policy's caps are applied
 * afterwards by `nextSlice` (execution-policy.ts) on the whole desk's quantity.
 */
import type { BookLevel, PricePoint } from './execution-policy';
import { Decimal, ZERO, floorToStep, max, min } from './money';

export interface ScheduleParams {
  /** λ: won of expected cost the desk gives up to remove one won² of variance. */
  readonly riskAversionPerKrw: number;
  /** γ as a share of the temporary slope k (the data cannot separate them; stated, not fitted). */
  readonly permanentShare: number;
  /** Square-root law coefficient for sizes beyond the visible book: impact ≈ Y·σ·√(n / volume per interval). */
  readonly sqrtLawY: number;
  /** Longest the desk plans to take for what it holds now, in slice intervals. */
  readonly horizonIntervals: number;
}

export const DEFAULT_SCHEDULE_PARAMS: ScheduleParams = Object.freeze({
  riskAversionPerKrw: 1e-5,
  permanentShare: 0.5,
  sqrtLawY: 1,
  horizonIntervals: 240,
});

export interface MarketObservation {
  readonly mid: Decimal;
  /** Bid side of the book, best first. */
  readonly bids: readonly BookLevel[];
  /** Coins traded per slice interval (recent average). */
  readonly volumePerInterval: Decimal;
  /** Price per interval, oldest first (the price poller's minute series, the desk's own quotes). */
  readonly recentPrices: readonly PricePoint[];
  readonly intervalMs: number;
}

export interface ScheduleEstimates {
  /** Half-spread, won per coin. */
  readonly halfSpread: number;
  /** k: won per coin of extra concession per coin sold in one interval. */
  readonly temporarySlope: number;
  /** γ: won per coin of lasting price drop per coin sold. */
  readonly permanentSlope: number;
  /** σ: won per coin per √interval. */
  readonly volatility: number;
  /** μ: expected fall, won per coin per interval (0 when the market is not falling). */
  readonly expectedFall: number;
  /** Where k came from. */
  readonly slopeSource: 'BOOK' | 'VOLUME';
}

export interface Schedule {
  readonly estimates: ScheduleEstimates;
  /** κ per interval (0: no urgency, sell evenly over the horizon). */
  readonly urgency: number;
  /** Coins to sell this interval before the policy's caps, down to the lot (at most the rest). */
  readonly quantity: Decimal;
  /** Intervals the schedule takes for the rest at this pace (≤ horizon). */
  readonly intervals: number;
  /** The schedule's expected cost and the standard deviation of its outcome, won (estimates). */
  readonly expectedCostKrw: Decimal;
  readonly riskKrw: Decimal;
  /** One line for officers: why this pace. */
  readonly reason: string;
}

/** σ per interval in won per coin: standard deviation of interval log returns × the last price. */
export function observedVolatility(points: readonly PricePoint[]): number {
  const returns = logReturns(points);
  const last = points[points.length - 1]?.price.toNumber() ?? 0;
  if (returns.length < 2 || last <= 0) return 0;
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance) * last;
}

/** μ per interval in won per coin: the fall of the least-squares trend of log prices (0 if rising). */
export function observedFall(points: readonly PricePoint[]): number {
  if (points.length < 3) return 0;
  const t0 = points[0]!.at.getTime();
  const step = (points[points.length - 1]!.at.getTime() - t0) / (points.length - 1);
  if (step <= 0) return 0;
  const xs = points.map((p) => (p.at.getTime() - t0) / step);
  const ys = points.map((p) => Math.log(p.price.toNumber()));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return Math.max(0, -slope) * points[points.length - 1]!.price.toNumber();
}

function logReturns(points: readonly PricePoint[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!.price.toNumber();
    const b = points[i]!.price.toNumber();
    if (a > 0 && b > 0) out.push(Math.log(b / a));
  }
  return out;
}

/**
 * k, the temporary slope, for selling `quantity` in one interval: from walking the visible bids
 * (cost beyond the half-spread, per coin², so that cost ≈ ε·n + k·n²); beyond the visible book, or
 * when the book shows less than that, the square-root law on the interval's volume linearised at
 * `quantity`: k = Y·σ_rel·mid / √(quantity·volume).
 */
export function estimateImpact(
  observation: MarketObservation,
  quantity: Decimal,
  params: ScheduleParams,
  volatility: number,
): Pick<ScheduleEstimates, 'halfSpread' | 'temporarySlope' | 'slopeSource'> {
  const mid = observation.mid.toNumber();
  const best = observation.bids[0]?.price.toNumber() ?? mid;
  const halfSpread = Math.max(0, mid - best);
  const n = quantity.toNumber();
  const visible = observation.bids.reduce((a, l) => a + l.size.toNumber(), 0);
  const volume = observation.volumePerInterval.toNumber();
  const sqrtLaw =
    volume > 0 && n > 0 ? (params.sqrtLawY * volatility) / Math.sqrt(n * volume) : Number.POSITIVE_INFINITY;
  if (n <= 0 || visible < n)
    return { halfSpread, temporarySlope: Number.isFinite(sqrtLaw) ? sqrtLaw : 0, slopeSource: 'VOLUME' };
  let left = n;
  let cost = 0;
  for (const level of observation.bids) {
    const take = Math.min(left, level.size.toNumber());
    cost += (best - level.price.toNumber()) * take;
    left -= take;
    if (left <= 0) break;
  }
  return { halfSpread, temporarySlope: cost / (n * n), slopeSource: 'BOOK' };
}

/**
 * The Almgren–Chriss slice for `remainingQuantity` coins with `intervalsLeft` intervals to go
 * (at least 1; the horizon caps it).
 */
export function planSchedule(input: {
  remainingQuantity: Decimal;
  lotSize: Decimal;
  observation: MarketObservation;
  params?: ScheduleParams;
  intervalsLeft?: number;
}): Schedule {
  const params = input.params ?? DEFAULT_SCHEDULE_PARAMS;
  const rest = floorToStep(max(ZERO, input.remainingQuantity), input.lotSize);
  const volatility = observedVolatility(input.observation.recentPrices);
  const impact = estimateImpact(input.observation, rest, params, volatility);
  const expectedFall = observedFall(input.observation.recentPrices);
  const estimates: ScheduleEstimates = {
    ...impact,
    permanentSlope: params.permanentShare * impact.temporarySlope,
    volatility,
    expectedFall,
  };
  const T = Math.max(1, Math.min(params.horizonIntervals, Math.floor(input.intervalsLeft ?? params.horizonIntervals)));
  const X = rest.toNumber();
  const eta = Math.max(1e-12, estimates.temporarySlope - estimates.permanentSlope / 2);
  const lambdaSigma2 = params.riskAversionPerKrw * volatility * volatility;
  // cosh κ = 1 + λσ²/(2η̃): the discrete-time urgency, as 2·asinh(√(λσ²/(4η̃))) so that a small
  // ratio keeps its κ (1 + 1e-17 is 1 in floating point, which would silence the drift term too).
  const urgency = 2 * Math.asinh(Math.sqrt(lambdaSigma2 / (4 * eta)));
  const c = lambdaSigma2 > 0 ? expectedFall / (2 * lambdaSigma2) : expectedFall > 0 ? Number.POSITIVE_INFINITY : 0;
  const path = trajectory(X, T, urgency, c);
  const next = path[1] ?? 0;
  const quantity =
    X <= 0
      ? ZERO
      : min(rest, floorToStep(rest.mul(Math.min(1, Math.max(0, (X - next) / X)).toFixed(12)), input.lotSize));
  const { expected, variance, intervals } = costOf(path, estimates);
  const pace = intervals <= 1 ? 'all in one slice' : `over about ${intervals} intervals`;
  const why =
    estimates.slopeSource === 'VOLUME'
      ? 'more than the visible book: impact from traded volume'
      : urgency > 1
        ? 'the book is deep against the risk of waiting'
        : 'impact dominates the risk of waiting';
  return {
    estimates,
    urgency,
    quantity,
    intervals,
    expectedCostKrw: new Decimal(expected.toFixed(0)),
    riskKrw: new Decimal(Math.sqrt(variance).toFixed(0)),
    reason: `${pace}: ${why}${expectedFall > 0 ? '; the market is falling, which hastens it' : ''}`,
  };
}

/**
 * Holdings x_0..x_T under the schedule (x_0 = X, x_T = 0), never below 0 (drift can end it early).
 * Written as x_j = X·sinh(κ(T−j))/sinh(κT) − c·2·sinh(κ(T−j)/2)·sinh(κj/2)/cosh(κT/2), the same
 * solution without the difference of large numbers: with little risk aversion c is huge and κ tiny,
 * but c·κ² = μ/(2η̃) stays finite, and the drift still bends the path (x_j → X(1−j/T) − μ·j(T−j)/(4η̃)).
 */
export function trajectory(X: number, T: number, kappa: number, c: number): number[] {
  const out: number[] = [];
  for (let j = 0; j <= T; j++) {
    let x: number;
    if (!Number.isFinite(c)) x = j === 0 ? X : 0;
    else if (kappa <= 0) x = X * (1 - j / T);
    else if (kappa * T > 600) x = (X + c) * Math.exp(-kappa * j) + c * Math.exp(-kappa * (T - j)) - c;
    else
      x =
        (X * Math.sinh(kappa * (T - j))) / Math.sinh(kappa * T) -
        (2 * c * Math.sinh((kappa * (T - j)) / 2) * Math.sinh((kappa * j) / 2)) / Math.cosh((kappa * T) / 2);
    out.push(j === 0 ? X : j === T ? 0 : Math.max(0, Math.min(X, x)));
  }
  return out;
}

function costOf(
  path: readonly number[],
  e: ScheduleEstimates,
): { expected: number; variance: number; intervals: number } {
  let expected = 0;
  let variance = 0;
  let intervals = 0;
  const X0 = path[0] ?? 0;
  for (let j = 1; j < path.length; j++) {
    const n = path[j - 1]! - path[j]!;
    // Done once what is left is negligible (a millionth of the start).
    if (intervals === 0 && path[j]! <= X0 * 1e-6) intervals = j;
    expected += e.halfSpread * n + e.temporarySlope * n * n + e.expectedFall * path[j]!;
    variance += e.volatility * e.volatility * path[j]! * path[j]!;
  }
  return { expected: expected + 0.5 * e.permanentSlope * X0 * X0, variance, intervals };
}
