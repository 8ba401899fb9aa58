import fc from 'fast-check';
import { DEFAULT_EXECUTION_POLICY, type BookLevel, type PricePoint } from '#domain/execution-policy';
import { Decimal, decimal, sum } from '#domain/money';
import {
  DEFAULT_SCHEDULE_PARAMS,
  estimateImpact,
  observedFall,
  observedVolatility,
  planSchedule,
  trajectory,
  type MarketObservation,
} from '#domain/sale-schedule';
import { nextDeskSlice } from '#domain/sale-desk';

const LOT = decimal('0.00000001');
const MIN = 60_000;
const NOW = new Date('2024-08-05T03:00:00Z');

/** Bids from `best` down by `tick`, each level `size` coins. */
function book(best: number, tick: number, size: string, levels = 30): BookLevel[] {
  return Array.from({ length: levels }, (_, i) => ({ price: new Decimal(best - i * tick), size: decimal(size) }));
}
/** A minute series ending at NOW: `drift` per minute (fraction), alternating ±`wiggle`. */
function prices(start: number, drift: number, wiggle: number, n = 30): PricePoint[] {
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(NOW.getTime() - (n - 1 - i) * MIN),
    price: new Decimal((start * (1 + drift * i) * (1 + (i % 2 ? wiggle : -wiggle))).toFixed(0)),
  }));
}
function observation(over: Partial<MarketObservation> = {}): MarketObservation {
  return {
    mid: decimal('4000000'),
    bids: book(3_999_000, 1000, '2'),
    volumePerInterval: decimal('15'),
    recentPrices: prices(4_000_000, 0, 0.001),
    intervalMs: MIN,
    ...over,
  };
}

describe('estimates from what is observed', () => {
  it('volatility: standard deviation of the interval log returns, in won per coin', () => {
    // Returns alternate ±~0.002 around 0: σ ≈ 0.002 × 4,000,000 ≈ 8,000 won.
    const s = observedVolatility(prices(4_000_000, 0, 0.001));
    expect(s).toBeGreaterThan(7_500);
    expect(s).toBeLessThan(8_500);
    expect(observedVolatility(prices(4_000_000, 0, 0, 1))).toBe(0);
  });

  it('drift: only a fall counts, in won per coin per interval', () => {
    expect(observedFall(prices(4_000_000, -0.001, 0))).toBeGreaterThan(3_500);
    expect(observedFall(prices(4_000_000, 0.001, 0))).toBe(0);
  });

  it('impact: the book’s slope beyond the half-spread while the book holds the quantity, the square-root law beyond it', () => {
    // Mid 4,000,000, best bid 3,999,000 (half-spread 1,000), 2 coins per 1,000 won step.
    // Selling 6: 2 at 0, 2 at 1,000, 2 at 2,000 below the best → 6,000 won beyond the spread; k = 6,000 / 36.
    const e = estimateImpact(observation(), decimal('6'), DEFAULT_SCHEDULE_PARAMS, 8_000);
    expect(e).toEqual({ halfSpread: 1000, temporarySlope: 6000 / 36, slopeSource: 'BOOK' });
    // 100 coins > 60 visible: k = Y σ / √(n V) = 8,000 / √(100 × 15).
    const v = estimateImpact(observation(), decimal('100'), DEFAULT_SCHEDULE_PARAMS, 8_000);
    expect(v.slopeSource).toBe('VOLUME');
    expect(v.temporarySlope).toBeCloseTo(8000 / Math.sqrt(1500), 6);
  });
});

describe('planSchedule', () => {
  it('sells a small quantity at once (the top of the book takes it: no impact to spread over time)', () => {
    const s = planSchedule({ remainingQuantity: decimal('0.5'), lotSize: LOT, observation: observation() });
    expect(s.quantity.toFixed()).toBe('0.5');
    expect(s.intervals).toBe(1);
  });

  it('goes slower when impact dominates, faster when the book is deep, faster still when the market falls', () => {
    const X = decimal('40');
    const thin = planSchedule({
      remainingQuantity: X,
      lotSize: LOT,
      observation: observation({ bids: book(3_999_000, 1000, '1.5') }),
    });
    const deep = planSchedule({
      remainingQuantity: X,
      lotSize: LOT,
      observation: observation({ bids: book(3_999_000, 1000, '6') }),
    });
    const falling = planSchedule({
      remainingQuantity: X,
      lotSize: LOT,
      observation: observation({ bids: book(3_999_000, 1000, '6'), recentPrices: prices(4_000_000, -0.002, 0.001) }),
    });
    expect(thin.quantity.lt(deep.quantity)).toBe(true);
    expect(deep.quantity.lt(falling.quantity)).toBe(true);
    expect(thin.intervals).toBeGreaterThan(deep.intervals);
    expect(falling.reason).toMatch(/falling/);
  });

  it('is more patient with less risk aversion', () => {
    const o = observation({ bids: book(3_999_000, 1000, '3') });
    const calm = planSchedule({
      remainingQuantity: decimal('40'),
      lotSize: LOT,
      observation: o,
      params: { ...DEFAULT_SCHEDULE_PARAMS, riskAversionPerKrw: 1e-9 },
    });
    const urgent = planSchedule({
      remainingQuantity: decimal('40'),
      lotSize: LOT,
      observation: o,
      params: { ...DEFAULT_SCHEDULE_PARAMS, riskAversionPerKrw: 1e-4 },
    });
    expect(calm.quantity.lt(urgent.quantity)).toBe(true);
  });

  it('the trajectory starts at X, ends at 0, never rises; without urgency it is a straight line', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (X, T, kappa, c) => {
          const path = trajectory(X, T, kappa, c);
          expect(path[0]).toBe(X);
          expect(path[T]).toBe(0);
          for (let j = 1; j <= T; j++) expect(path[j]!).toBeLessThanOrEqual(path[j - 1]! + 1e-9 * X);
        },
      ),
    );
    expect(trajectory(10, 4, 0, 0)).toEqual([10, 7.5, 5, 2.5, 0]);
  });

  it('the trajectory is the closed form (X + c)·sinh(κ(T−j))/sinh(κT) + c·sinh(κj)/sinh(κT) − c, and keeps the drift when κ is tiny', () => {
    const [X, T, kappa, c] = [100, 50, 0.1, 3];
    const closed = (j: number) =>
      ((X + c) * Math.sinh(kappa * (T - j)) + c * Math.sinh(kappa * j)) / Math.sinh(kappa * T) - c;
    trajectory(X, T, kappa, c).forEach((x, j) => expect(x).toBeCloseTo(Math.max(0, closed(j)), 9));
    // κ = 1e-8 with c·κ² = 0.02 (c = 2e14): the limit X(1 − j/T) − c·κ²·j(T − j)/2, not the straight line.
    const tiny = trajectory(X, T, 1e-8, 0.02 / 1e-16);
    tiny.forEach((x, j) => expect(x).toBeCloseTo(Math.max(0, X * (1 - j / T) - (0.02 * j * (T - j)) / 2), 4));
    expect(tiny[1]!).toBeLessThan(X * (1 - 1 / T) - 0.4);
  });

  it('a falling market hastens the sale even with negligible risk aversion (the drift alone is worth selling sooner)', () => {
    const flat = observation({ bids: book(3_999_000, 1000, '0.5') });
    const params = { ...DEFAULT_SCHEDULE_PARAMS, riskAversionPerKrw: 1e-30 };
    const even = planSchedule({ remainingQuantity: decimal('40'), lotSize: LOT, observation: flat, params });
    const falling = planSchedule({
      remainingQuantity: decimal('40'),
      lotSize: LOT,
      observation: { ...flat, recentPrices: prices(4_000_000, -0.002, 0.001) },
      params,
    });
    expect(even.quantity.toFixed()).toBe(decimal('40').div(240).toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed());
    expect(falling.quantity.gt(even.quantity.mul(2))).toBe(true);
  });

  it('never plans more than the rest, always whole lots', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: -30, max: 30 }),
        (lots, depth, drift) => {
          const rest = LOT.mul(lots);
          const s = planSchedule({
            remainingQuantity: rest,
            lotSize: LOT,
            observation: observation({
              bids: book(3_999_000, 1000, String(depth / 10)),
              recentPrices: prices(4_000_000, drift / 10_000, 0.001),
            }),
          });
          expect(s.quantity.lte(rest)).toBe(true);
          expect(s.quantity.gte(0)).toBe(true);
          expect(s.quantity.div(LOT).isInteger()).toBe(true);
        },
      ),
    );
  });
});

describe('nextDeskSlice', () => {
  const base = {
    policy: DEFAULT_EXECUTION_POLICY,
    now: NOW,
    referencePrice: decimal('4000000'),
    bids: book(3_999_000, 1000, '2'),
    tickSize: decimal('1000'),
    lotSize: LOT,
    minOrderKrw: decimal('5000'),
    recentPrices: prices(4_000_000, 0, 0.001),
    soldTodayQuantity: decimal('0'),
    averageDailyTradedValue: decimal('200000000000'),
  };

  it('caps the desk’s aggregate by participation: many cases together take no more than one case would alone', () => {
    // 15 minutes traded 150 coins: 5% of 10 coins a minute = 0.5 coin per slice, whatever the number of cases.
    const participants = Array.from({ length: 40 }, (_, i) => ({
      caseId: `c${String(i).padStart(2, '0')}`,
      leftToSell: decimal('1'),
      active: true,
    }));
    const turn = nextDeskSlice({
      ...base,
      participants,
      recentTradedVolume: decimal('150'),
      plannedTotalQuantity: decimal('40'),
    });
    expect(turn.decision).toMatchObject({ action: 'SELL', binding: 'PARTICIPATION' });
    expect(turn.decision.action === 'SELL' && turn.decision.quantity.toFixed()).toBe('0.5');
    expect(sum(turn.split!.offers.map((o) => o.quantity)).toFixed()).toBe('0.5');
    expect(turn.split!.offers).toHaveLength(40);
    expect(turn.decision.action === 'SELL' && turn.decision.limitPrice.toFixed()).toBe('3960000');
  });

  it('leaves out a held case and a case whose floor is above the band; DONE when nobody can sell', () => {
    const participants = [
      { caseId: 'held', leftToSell: decimal('1'), active: false },
      { caseId: 'floor', leftToSell: decimal('1'), active: true, floorPrice: decimal('3990000') },
      { caseId: 'free', leftToSell: decimal('0.1'), active: true },
    ];
    const turn = nextDeskSlice({
      ...base,
      participants,
      recentTradedVolume: decimal('150'),
      plannedTotalQuantity: decimal('2.1'),
    });
    expect(turn.split!.offers.map((o) => `${o.caseId} ${o.quantity.toFixed()}`)).toEqual(['free 0.1']);
    expect(
      nextDeskSlice({
        ...base,
        participants: participants.slice(0, 2),
        recentTradedVolume: decimal('150'),
        plannedTotalQuantity: decimal('2'),
      }).decision,
    ).toEqual({ action: 'DONE' });
  });

  it('waits on a market with no recent volume, and paces below the caps when the schedule asks for less', () => {
    const participants = [{ caseId: 'a', leftToSell: decimal('30'), active: true }];
    const quiet = nextDeskSlice({
      ...base,
      participants,
      recentTradedVolume: decimal('0'),
      plannedTotalQuantity: decimal('30'),
    });
    expect(quiet.decision).toMatchObject({ action: 'WAIT', reason: 'NO_RECENT_VOLUME' });
    // Ample volume and depth (the caps allow all 30 coins now), little risk aversion: the schedule spreads them.
    const paced = nextDeskSlice({
      ...base,
      schedule: { ...DEFAULT_SCHEDULE_PARAMS, riskAversionPerKrw: 1e-9 },
      bids: book(3_999_000, 1000, '3'),
      participants,
      recentTradedVolume: decimal('150000'),
      plannedTotalQuantity: decimal('30'),
    });
    expect(paced.decision).toMatchObject({ action: 'SELL', binding: 'SCHEDULE' });
    expect(paced.decision.action === 'SELL' && paced.decision.quantity.eq(paced.schedule!.quantity)).toBe(true);
  });
});
