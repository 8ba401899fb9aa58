/**
 * The rate budget's arithmetic (pure): whatever the callers do, no window of the exchange's length
 * (plus the margin), wherever it starts, holds more grants than the limit; and a busy bucket runs
 * close to its rate.
 */
import fc from 'fast-check';
import {
  bucketFor,
  bucketScope,
  maxGrantsIn,
  reserve,
  UPBIT_RATE_LIMITS,
  UPBIT_RATE_WINDOW_MS,
  DEFAULT_MARGIN_MS,
} from '#adapters/exchange/rate-budget';

/** The most send times inside any span of `spanMs` (a sliding window over sorted times). */
function busiestSpan(times: number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= spanMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('rate budget arithmetic', () => {
  it.each(Object.entries(UPBIT_RATE_LIMITS))(
    'keeps %s within %i a second, for any arrivals and batch sizes',
    (_group, limit) => {
      const params = bucketFor(limit);
      expect(maxGrantsIn(UPBIT_RATE_WINDOW_MS + DEFAULT_MARGIN_MS, params)).toBeLessThanOrEqual(limit);
      fc.assert(
        fc.property(
          fc.array(
            fc.record({ gapMs: fc.integer({ min: 0, max: 400 }), n: fc.integer({ min: 1, max: params.burst }) }),
            { minLength: 1, maxLength: 300 },
          ),
          (requests) => {
            let tat: number | undefined;
            let now = 1_000_000;
            const sent: number[] = [];
            for (const r of requests) {
              now += r.gapMs;
              const out = reserve(tat, now, r.n, params);
              expect(out.sendAt).toBeGreaterThanOrEqual(now);
              tat = out.tat;
              for (let k = 0; k < r.n; k++) sent.push(out.sendAt);
            }
            expect(busiestSpan(sent, UPBIT_RATE_WINDOW_MS + DEFAULT_MARGIN_MS)).toBeLessThanOrEqual(limit);
          },
        ),
        { seed: 13, numRuns: 300 },
      );
    },
  );

  it('runs a busy bucket at its rate: a burst at once, then one grant an interval', () => {
    const params = bucketFor(12);
    let tat: number | undefined;
    const sends = Array.from({ length: 40 }, () => {
      const out = reserve(tat, 0, 1, params);
      tat = out.tat;
      return out.sendAt;
    });
    expect(sends.filter((t) => t === 0)).toHaveLength(params.burst);
    expect(sends[39]).toBe((40 - params.burst) * params.intervalMs);
    // Orders: about 9 a second against Upbit's 12, the rest is the margin for unaligned windows.
    expect(1000 / params.intervalMs).toBeGreaterThan(9);
  });

  it('starts an idle bucket now, not where its old schedule ended', () => {
    const params = bucketFor(30);
    expect(reserve(500, 10_000, 1, params)).toEqual({ tat: 10_000 + params.intervalMs, sendAt: 10_000 });
  });

  it('refuses batches larger than the burst and limits that cannot be kept', () => {
    const params = bucketFor(10);
    expect(() => reserve(undefined, 0, params.burst + 1, params)).toThrow(RangeError);
    expect(() => reserve(undefined, 0, 0, params)).toThrow(RangeError);
    expect(() => bucketFor(1)).toThrow(RangeError);
  });

  it('budgets quotation groups per egress IP and exchange groups per account', () => {
    const scopes = { account: 'upbit', egress: 'nat' };
    expect(bucketScope('ticker', scopes)).toBe('ip:nat');
    expect(bucketScope('orderbook', scopes)).toBe('ip:nat');
    expect(bucketScope('order', scopes)).toBe('account:upbit');
    expect(bucketScope('default', scopes)).toBe('account:upbit');
  });
});
