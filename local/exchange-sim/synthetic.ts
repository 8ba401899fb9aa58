/**
 * Seeded synthetic market for machines without the real data folder (and for markets the folder does
 * not cover). One step per minute:
 *
 *   log S(k+1) - log S(k) = -sigma^2/2 - lambda m + sigma * Z_k + J_k,   sigma = annualVol / sqrt(525,600)
 *   J_k = N(jumpMean, jumpStd) with probability lambda = jumpsPerDay / 1440, else 0   (crash-biased jumps)
 *   m = exp(jumpMean + jumpStd^2 / 2) - 1 compensates the jumps, so the price has no drift on average:
 *   crashes come suddenly and are made up slowly.
 *   volume_k = dailyVolume / 1440 * profile(KST hour) * exp(volumeNoise * Z'_k - volumeNoise^2 / 2)
 *              * (1 + 20 * |J_k|)                                            (jumps bring volume)
 *
 * Z, Z' are standard normals drawn from (seed, market, k): the path is a pure function of the seed.
 * Within a minute the price moves linearly. The path is anchored at `origin` (price s0) and extends
 * both ways from it. Shocks and factors are dimensionless floats; prices are formed as
 * s0 x factor in decimal.
 */
import { Decimal } from '#domain/money';
import { hashString, normal, uniform } from './random';
import { MINUTE_MS, type PriceSource, type WindowStats } from './source';

export interface SyntheticParams {
  /** Price at the origin, in won. */
  s0: string;
  /** Annualised volatility of log returns, e.g. 0.5 for 50%. */
  annualVol: number;
  /** Expected jumps per day. */
  jumpsPerDay: number;
  /** Mean and standard deviation of a jump's log size. */
  jumpMean: number;
  jumpStd: number;
  /** Average coin volume per day. */
  dailyVolume: string;
  /** Log-normal noise on each minute's volume. */
  volumeNoise: number;
}

/**
 * Share of daily volume by KST hour (0..23), mean 1: busy at the 09:00 KST daily reset and in the
 * Korean evening / US morning, quiet before dawn.
 */
export const INTRADAY_PROFILE: readonly number[] = normalise([
  1.1, 1.0, 0.85, 0.7, 0.6, 0.55, 0.55, 0.65, 0.8, 1.5, 1.35, 1.15, 1.0, 0.95, 0.95, 1.0, 1.05, 1.1, 1.1, 1.15, 1.2,
  1.3, 1.35, 1.25,
]);

function normalise(w: number[]): number[] {
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  return w.map((x) => x / mean);
}

// Local aliases: global `Math` lookups are slow inside jest's sandbox and a path takes millions of them.
const { exp, sqrt, abs, floor, max, min } = Math;

const MINUTES_PER_YEAR = 525_600;
/** Bound on how far from the origin a path is generated (memory: 8 bytes a minute). */
const MAX_MINUTES = 5 * MINUTES_PER_YEAR;

export class SyntheticSeries implements PriceSource {
  readonly description: string;
  private readonly sigma: number;
  private readonly drift: number;
  private readonly market: number;
  private readonly s0: Decimal;
  private readonly perMinute: Decimal;
  /** Cumulative log return at minute k >= 0 (forward) and at minute -k (backward). */
  private forward: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private forwardLen = 1;
  private backward: Float64Array<ArrayBuffer> = new Float64Array(1024);
  private backwardLen = 1;

  constructor(
    private readonly params: SyntheticParams,
    private readonly seed: number,
    marketCode: string,
    private readonly originMs: number,
  ) {
    this.sigma = params.annualVol / sqrt(MINUTES_PER_YEAR);
    const lambda = params.jumpsPerDay / 1440;
    this.drift =
      -0.5 * this.sigma * this.sigma - lambda * (exp(params.jumpMean + (params.jumpStd * params.jumpStd) / 2) - 1);
    this.market = hashString(marketCode);
    this.s0 = new Decimal(params.s0);
    this.perMinute = new Decimal(params.dailyVolume).div(1440);
    this.description = `synthetic(seed=${seed})`;
  }

  private jump(k: number): number {
    if (uniform(this.seed, this.market, k, 11) >= this.params.jumpsPerDay / 1440) return 0;
    return this.params.jumpMean + this.params.jumpStd * normal(this.seed, this.market, k, 12);
  }

  /** Log return from minute k to k + 1. */
  private step(k: number): number {
    return this.drift + this.sigma * normal(this.seed, this.market, k, 10) + this.jump(k);
  }

  /** Cumulative log return at minute k from the origin. */
  private logAt(k: number): number {
    if (abs(k) > MAX_MINUTES) throw new RangeError('instant too far from the synthetic origin');
    if (k >= 0) {
      while (this.forwardLen <= k) {
        if (this.forwardLen === this.forward.length) this.forward = grow(this.forward);
        this.forward[this.forwardLen] = this.forward[this.forwardLen - 1]! + this.step(this.forwardLen - 1);
        this.forwardLen++;
      }
      return this.forward[k]!;
    }
    const n = -k;
    while (this.backwardLen <= n) {
      if (this.backwardLen === this.backward.length) this.backward = grow(this.backward);
      // log S(-n) = log S(-n+1) - step(-n)
      this.backward[this.backwardLen] = this.backward[this.backwardLen - 1]! - this.step(-this.backwardLen);
      this.backwardLen++;
    }
    return this.backward[n]!;
  }

  private factor(x: number): Decimal {
    return new Decimal(exp(x).toPrecision(15));
  }

  private minute(ms: number): number {
    return floor((ms - this.originMs) / MINUTE_MS);
  }

  priceAt(ms: number): Decimal {
    const k = this.minute(ms);
    const a = this.s0.mul(this.factor(this.logAt(k)));
    const b = this.s0.mul(this.factor(this.logAt(k + 1)));
    const into = ms - (this.originMs + k * MINUTE_MS);
    return a.add(b.sub(a).mul(new Decimal(into).div(MINUTE_MS)));
  }

  /** Volume multiplier of minute k (dimensionless). */
  private volumeFactor(k: number): number {
    const startMs = this.originMs + k * MINUTE_MS;
    const kstHour = new Date(startMs + 9 * 3_600_000).getUTCHours();
    const noise = this.params.volumeNoise;
    const z = normal(this.seed, this.market, k, 20);
    return INTRADAY_PROFILE[kstHour]! * exp(noise * z - (noise * noise) / 2) * (1 + 20 * abs(this.jump(k)));
  }

  minuteVolumeAt(ms: number): Decimal {
    return this.perMinute.mul(this.volumeFactor(this.minute(ms)).toFixed(8));
  }

  sigma1mAt(): number {
    return this.sigma;
  }

  window(fromMs: number, toMs: number): WindowStats {
    const k0 = this.minute(fromMs);
    const k1 = this.minute(toMs);
    let volumeFactors = 0;
    let valueFactors = 0;
    let hi = -Infinity;
    let lo = Infinity;
    for (let k = k0; k <= k1; k++) {
      const start = this.originMs + k * MINUTE_MS;
      const share = (min(start + MINUTE_MS, toMs) - max(start, fromMs)) / MINUTE_MS;
      if (share <= 0) continue;
      const x = this.logAt(k);
      const f = this.volumeFactor(k) * share;
      volumeFactors += f;
      valueFactors += f * exp(x);
      hi = max(hi, x, this.logAt(k + 1));
      lo = min(lo, x, this.logAt(k + 1));
    }
    if (!Number.isFinite(hi)) {
      const p = this.priceAt(toMs);
      return { volume: new Decimal(0), value: new Decimal(0), high: p, low: p };
    }
    return {
      volume: this.perMinute.mul(volumeFactors.toFixed(8)),
      value: this.perMinute.mul(this.s0).mul(valueFactors.toFixed(8)),
      high: this.s0.mul(this.factor(hi)),
      low: this.s0.mul(this.factor(lo)),
    };
  }
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
