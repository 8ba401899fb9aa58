import fc from 'fast-check';
import {
  type BookLevel,
  type ExecutionPolicy,
  type SliceInput,
  DEFAULT_EXECUTION_POLICY,
  InvalidExecutionPolicyError,
  choosePolicyBySize,
  executionPolicy,
  guardMarket,
  largestMove,
  lowestAllowedPrice,
  needsApproval,
  nextSlice,
  priceBandViolation,
} from '#domain/execution-policy';
import { Decimal, decimal, floorToStep, won } from '#domain/money';

const NOW = new Date('2025-12-03T05:00:00Z'); // 14:00 KST
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const d = (text: string) => decimal(text);
const MIN = 60_000;

describe('execution policy object', () => {
  it('has the documented defaults (FSC 2025 guideline where it speaks)', () => {
    const p = DEFAULT_EXECUTION_POLICY;
    expect([p.priceBandBps, p.participationBps, p.dailyCapBps, p.largeHoldingBps, p.depthShareBps]).toEqual([
      100, 500, 1000, 100, 5000,
    ]);
    expect([p.sliceIntervalMs, p.maxPriceAgeMs, p.volumeLookbackMs]).toEqual([60_000, 90_000, 900_000]);
    expect([
      p.maxSourceGapBps,
      p.circuitBreakerBps,
      p.circuitBreakerWindowMs,
      p.pauseMs,
      p.escalateAfterPauses,
    ]).toEqual([50, 500, 900_000, 900_000, 3]);
    expect(p.approvalThresholdKrw.toFixed()).toBe('50000000');
    expect(p.planningMarginBps).toBe(0);
    expect(p.taxpayerLimitPrice).toBeUndefined();
  });

  it('applies valid overrides and keeps the other defaults', () => {
    const p = executionPolicy({ priceBandBps: 200, taxpayerLimitPrice: d('94800000'), largeHoldingBps: undefined });
    expect(p.priceBandBps).toBe(200);
    expect(p.taxpayerLimitPrice?.toFixed()).toBe('94800000');
    expect(p.largeHoldingBps).toBe(100);
    expect(p.participationBps).toBe(500);
  });

  it('refuses overrides out of range, fractional, of the wrong kind or unknown', () => {
    const bad: Record<string, unknown>[] = [
      { priceBandBps: 0 },
      { priceBandBps: 1.5 },
      { participationBps: 10_001 },
      { depthShareBps: -1 },
      { escalateAfterPauses: 0 },
      { sliceIntervalMs: '60000' },
      { planningMarginBps: 10_000 },
      { approvalThresholdKrw: new Decimal('1.5') },
      { approvalThresholdKrw: 50_000_000 },
      { taxpayerLimitPrice: new Decimal(0) },
      { priceBand: 100 },
    ];
    for (const overrides of bad)
      expect(() => executionPolicy(overrides as Partial<ExecutionPolicy>)).toThrow(InvalidExecutionPolicyError);
  });

  it('asks for approval at and above the threshold', () => {
    expect(needsApproval(won('50000000'), DEFAULT_EXECUTION_POLICY)).toBe(true);
    expect(needsApproval(won('49999999'), DEFAULT_EXECUTION_POLICY)).toBe(false);
  });
});

describe('price band', () => {
  it('puts the lowest price 1% below the reference, up to the tick, never below the taxpayer limit', () => {
    // 95,000,000 × 0.99 = 94,050,000 (on the 1,000 tick).
    expect(lowestAllowedPrice(d('95000000'), d('1000'), DEFAULT_EXECUTION_POLICY).toFixed()).toBe('94050000');
    // 95,123,456 × 0.99 = 94,172,221.44 -> up to the tick: 94,173,000 (down would leave the band).
    expect(lowestAllowedPrice(d('95123456'), d('1000'), DEFAULT_EXECUTION_POLICY).toFixed()).toBe('94173000');
    // The taxpayer's 94,800,001 is off-tick: up to 94,801,000.
    expect(
      lowestAllowedPrice(d('95000000'), d('1000'), executionPolicy({ taxpayerLimitPrice: d('94800001') })).toFixed(),
    ).toBe('94801000');
  });

  it('flags prices below the band only', () => {
    expect(priceBandViolation(d('94050000'), d('95000000'), DEFAULT_EXECUTION_POLICY)).toBe(false);
    expect(priceBandViolation(d('94049999'), d('95000000'), DEFAULT_EXECUTION_POLICY)).toBe(true);
    expect(priceBandViolation(d('99000000'), d('95000000'), DEFAULT_EXECUTION_POLICY)).toBe(false);
  });
});

describe('guardMarket', () => {
  const quote = { tradePrice: d('95000000'), bookMid: d('95010000'), bestBid: d('95000000'), quotedAt: ago(30_000) };
  const calm = [
    { at: ago(10 * MIN), price: d('95200000') },
    { at: ago(5 * MIN), price: d('94900000') },
  ];
  const guard = (over: Partial<Parameters<typeof guardMarket>[0]> = {}) =>
    guardMarket({
      policy: DEFAULT_EXECUTION_POLICY,
      now: NOW,
      quote,
      recentPrices: calm,
      consecutivePauses: 0,
      ...over,
    });

  it('lets a fresh, agreed, calm quote through and resets the pause count', () => {
    expect(guard({ consecutivePauses: 2 })).toEqual({ action: 'GO', consecutivePauses: 0 });
  });

  it('pauses on a price older than the poll interval plus slack (90 s)', () => {
    expect(guard({ quote: { ...quote, quotedAt: ago(91_000) } })).toEqual({
      action: 'PAUSE',
      reason: 'STALE_PRICE',
      resumeAt: new Date('2025-12-03T05:01:00Z'),
      consecutivePauses: 1,
    });
    expect(guard({ quote: { ...quote, quotedAt: ago(90_000) } }).action).toBe('GO');
  });

  it('pauses when trade price and book mid disagree by more than 50 bps', () => {
    // |95,500,000 − 95,000,000| / 95,000,000 = 52.6 bps; 475,000 / 95,000,000 = exactly 50 bps.
    const mid = d('95000000');
    expect(guard({ quote: { ...quote, bookMid: mid, tradePrice: d('95500000') } })).toMatchObject({
      action: 'PAUSE',
      reason: 'SOURCES_DISAGREE',
    });
    expect(guard({ quote: { ...quote, bookMid: mid, tradePrice: d('95475000') } }).action).toBe('GO');
  });

  it('trips the circuit breaker on a move of more than 5% within 15 minutes', () => {
    const at = (price: string) => ({ ...quote, tradePrice: d(price), bookMid: d(price) });
    const high = [{ at: ago(14 * MIN), price: d('100000000') }];
    // 100,000,000 -> 94,900,000 is a 5.1% fall: pause for 15 minutes.
    expect(guard({ quote: at('94900000'), recentPrices: high })).toEqual({
      action: 'PAUSE',
      reason: 'VOLATILE',
      resumeAt: new Date('2025-12-03T05:15:00Z'),
      consecutivePauses: 1,
    });
    // Exactly 5% is not more than 5%.
    expect(guard({ quote: at('95000000'), recentPrices: high }).action).toBe('GO');
    // A rise counts too: 90,000,000 -> 94,500,001 is 5.0000011%.
    const low = [{ at: ago(10 * MIN), price: d('90000000') }];
    expect(guard({ quote: at('94500001'), recentPrices: low })).toMatchObject({ action: 'PAUSE', reason: 'VOLATILE' });
    expect(guard({ quote: at('94500000'), recentPrices: low }).action).toBe('GO');
    // The high 16 minutes ago has left the window.
    expect(guard({ quote: at('94900000'), recentPrices: [{ at: ago(16 * MIN), price: d('100000000') }] }).action).toBe(
      'GO',
    );
  });

  it('escalates to an officer on the third pause in a row', () => {
    const stale = { ...quote, quotedAt: ago(5 * MIN) };
    expect(guard({ quote: stale, consecutivePauses: 1 })).toMatchObject({ action: 'PAUSE', consecutivePauses: 2 });
    expect(guard({ quote: stale, consecutivePauses: 2 })).toEqual({
      action: 'ESCALATE',
      reason: 'STALE_PRICE',
      consecutivePauses: 3,
    });
  });

  it('waits for the taxpayer limit price without counting it toward escalation', () => {
    const policy = executionPolicy({ taxpayerLimitPrice: d('96000000') });
    expect(guard({ policy, consecutivePauses: 2 })).toEqual({
      action: 'PAUSE',
      reason: 'LIMIT_PRICE_NOT_REACHED',
      resumeAt: new Date('2025-12-03T05:01:00Z'),
      consecutivePauses: 2,
    });
    expect(guard({ policy: executionPolicy({ taxpayerLimitPrice: d('95000000') }) }).action).toBe('GO');
  });

  it('measures the largest move in time order', () => {
    // 100 -> 95 falls 5%; 95 -> 100 rises 5/95 = 5.263...%: the rise is the larger move.
    const points = [
      { at: ago(3 * MIN), price: d('100') },
      { at: ago(MIN), price: d('100') },
      { at: ago(2 * MIN), price: d('95') },
    ];
    expect(largestMove(points).toFixed(6)).toBe('0.052632');
    expect(largestMove([]).toFixed()).toBe('0');
  });
});

// ---------------------------------------------------------------------------------------------
// nextSlice: worked examples on KRW-BTC (band floor 94,050,000) and a simple coin

function btc(over: Partial<SliceInput> = {}): SliceInput {
  return {
    policy: DEFAULT_EXECUTION_POLICY,
    now: NOW,
    remainingQuantity: d('0.1'),
    referencePrice: d('95000000'),
    // Within the band (>= 94,050,000): 1 + 2 = 3 BTC, half of it 1.5.
    bids: [
      { price: d('95000000'), size: d('1') },
      { price: d('94500000'), size: d('2') },
      { price: d('94000000'), size: d('5') },
    ],
    tickSize: d('1000'),
    lotSize: d('0.00000001'),
    minOrderKrw: d('5000'),
    // 150 BTC in 15 minutes = 10 a minute; 5% of that = 0.5 BTC per slice.
    recentTradedVolume: d('150'),
    plannedTotalQuantity: d('0.1'),
    soldTodayQuantity: d('0'),
    averageDailyTradedValue: d('3000000000000'),
    ...over,
  };
}

const view = (decision: ReturnType<typeof nextSlice>) =>
  decision.action === 'SELL'
    ? `SELL ${decision.quantity.toFixed()} @ ${decision.limitPrice.toFixed()} ${decision.binding}`
    : decision;

describe('nextSlice', () => {
  it('sells a small leg whole, at the band floor', () => {
    // 0.1 under every cap (participation 0.5, depth 1.5; 9.5M is not large against 3T a day).
    expect(view(nextSlice(btc()))).toBe('SELL 0.1 @ 94050000 REMAINING');
  });

  it('caps a slice at 5% of the recent traded volume per slice interval', () => {
    expect(view(nextSlice(btc({ remainingQuantity: d('2'), plannedTotalQuantity: d('2') })))).toBe(
      'SELL 0.5 @ 94050000 PARTICIPATION',
    );
  });

  it('caps a slice at half the visible bids within the band', () => {
    // In band: 0.3 + 0.2 = 0.5 BTC (the 94,000,000 level is below the floor); half = 0.25.
    const bids = [
      { price: d('95000000'), size: d('0.3') },
      { price: d('94500000'), size: d('0.2') },
      { price: d('94000000'), size: d('5') },
    ];
    expect(view(nextSlice(btc({ remainingQuantity: d('2'), plannedTotalQuantity: d('2'), bids })))).toBe(
      'SELL 0.25 @ 94050000 DEPTH',
    );
  });

  it('waits when no bid is within the band', () => {
    const resumeAt = new Date('2025-12-03T05:01:00Z');
    expect(nextSlice(btc({ bids: [{ price: d('94000000'), size: d('5') }] }))).toEqual({
      action: 'WAIT',
      reason: 'NO_BIDS_IN_BAND',
      resumeAt,
    });
    expect(nextSlice(btc({ bids: [] }))).toEqual({ action: 'WAIT', reason: 'NO_BIDS_IN_BAND', resumeAt });
  });

  describe('daily cap for large holdings', () => {
    // 100 BTC planned = 9.5 billion won ≥ 1% of 500 billion a day: large. 10% a day = 10 BTC.
    const large = {
      remainingQuantity: d('50'),
      plannedTotalQuantity: d('100'),
      averageDailyTradedValue: d('500000000000'),
    };

    it("sells only the day's room", () => {
      expect(view(nextSlice(btc({ ...large, soldTodayQuantity: d('9.9') })))).toBe('SELL 0.1 @ 94050000 DAILY_CAP');
    });

    it('waits until 00:00 KST once the day is used up', () => {
      const resumeAt = new Date('2025-12-03T15:00:00Z'); // 2025-12-04 00:00 KST
      expect(nextSlice(btc({ ...large, soldTodayQuantity: d('10') }))).toEqual({
        action: 'WAIT',
        reason: 'DAILY_CAP_REACHED',
        resumeAt,
      });
      // 0.00001 left today is under one minimum order (0.00005317): wait too.
      expect(nextSlice(btc({ ...large, soldTodayQuantity: d('9.99999') }))).toEqual({
        action: 'WAIT',
        reason: 'DAILY_CAP_REACHED',
        resumeAt,
      });
    });

    it('does not cap a holding that is small against the day', () => {
      const notLarge = { ...large, averageDailyTradedValue: d('950000000001') }; // 1% = 9,500,000,000.01 > 9.5 billion
      expect(view(nextSlice(btc({ ...notLarge, soldTodayQuantity: d('10') })))).toBe(
        'SELL 0.5 @ 94050000 PARTICIPATION',
      );
    });
  });

  it("prices at the taxpayer's limit and counts only the bids at or above it", () => {
    // Only the 95,000,000 level (1 BTC) is at or above 94,800,000: half = 0.5; participation 1.0.
    const policy = executionPolicy({ taxpayerLimitPrice: d('94800000') });
    const slice = nextSlice(
      btc({ policy, remainingQuantity: d('2'), plannedTotalQuantity: d('2'), recentTradedVolume: d('300') }),
    );
    expect(view(slice)).toBe('SELL 0.5 @ 94800000 DEPTH');
  });

  describe('the exchange minimum and dust', () => {
    // Smallest order at 94,050,000: 5,000 / 94,050,000 = 0.0000531632... -> 0.00005317.
    it('sells a remainder under two minimum orders whole, even past the caps', () => {
      // 0.015 BTC traded in 15 minutes: 5% per minute = 0.00005, under one order; 0.0001 < 2 × 0.00005317.
      expect(view(nextSlice(btc({ remainingQuantity: d('0.0001'), recentTradedVolume: d('0.015') })))).toBe(
        'SELL 0.0001 @ 94050000 WHOLE_REMAINDER',
      );
    });

    it('prices a remainder under one minimum order up to the minimum when the best bid allows', () => {
      // 0.0000531 × 94,050,000 = 4,994 < 5,000. 5,000 / 0.0000531 = 94,161,958.57 -> 94,162,000 ≤ 95,000,000.
      expect(view(nextSlice(btc({ remainingQuantity: d('0.0000531') })))).toBe(
        'SELL 0.0000531 @ 94162000 WHOLE_REMAINDER',
      );
    });

    it('releases a remainder worth less than one order even at the best bid', () => {
      // 0.00005 × 95,000,000 = 4,750 < 5,000.
      expect(nextSlice(btc({ remainingQuantity: d('0.00005') }))).toEqual({
        action: 'RELEASE_DUST',
        quantity: d('0.00005'),
      });
      // A fraction finer than the lot cannot be sold at all.
      expect(nextSlice(btc({ remainingQuantity: d('0.000000005') }))).toEqual({
        action: 'RELEASE_DUST',
        quantity: d('0.000000005'),
      });
    });

    // A coin at ₩1,000 with tick 1 and whole-coin lots: band floor 990, smallest order ceil(5,000 / 990) = 6.
    const coin = (over: Partial<SliceInput>) =>
      btc({
        referencePrice: d('1000'),
        tickSize: d('1'),
        lotSize: d('1'),
        bids: [{ price: d('1000'), size: d('1000') }],
        remainingQuantity: d('100'),
        plannedTotalQuantity: d('100'),
        averageDailyTradedValue: d('1000000000000'),
        ...over,
      });

    it('trims a slice so that what is left is still one valid order', () => {
      // 5,100 traded in 15 minutes: 5% a minute = 17. 20 − 17 = 3 < 6 would be dust: sell 20 − 6 = 14.
      expect(view(nextSlice(coin({ remainingQuantity: d('20'), recentTradedVolume: d('5100') })))).toBe(
        'SELL 14 @ 990 VALID_TAIL',
      );
    });

    it('takes the whole rest when trimming would leave less than two orders', () => {
      // Participation 2,100 × 5% / 15 = 7; 11 − 7 = 4 < 6, and 11 < 12 cannot be split: sell 11.
      expect(view(nextSlice(coin({ remainingQuantity: d('11'), recentTradedVolume: d('2100') })))).toBe(
        'SELL 11 @ 990 WHOLE_REMAINDER',
      );
    });

    it('raises a slice held down by thin volume to one minimum order', () => {
      // Participation 600 × 5% / 15 = 2 < 6; the book (half of 1,000 = 500) can take 6.
      expect(view(nextSlice(coin({ recentTradedVolume: d('600') })))).toBe('SELL 6 @ 990 EXCHANGE_MINIMUM');
    });

    it('waits when nothing traded recently or the book is too thin for one order', () => {
      const resumeAt = new Date('2025-12-03T05:01:00Z');
      expect(nextSlice(coin({ recentTradedVolume: d('0') }))).toEqual({
        action: 'WAIT',
        reason: 'NO_RECENT_VOLUME',
        resumeAt,
      });
      // Half of 10 = 5 < 6.
      const thin = coin({ recentTradedVolume: d('60000'), bids: [{ price: d('1000'), size: d('10') }] });
      expect(nextSlice(thin)).toEqual({ action: 'WAIT', reason: 'THIN_BOOK', resumeAt });
    });
  });

  it('is done when nothing remains', () => {
    expect(nextSlice(btc({ remainingQuantity: d('0') }))).toEqual({ action: 'DONE' });
  });
});

describe('choosePolicyBySize', () => {
  const market = {
    policy: DEFAULT_EXECUTION_POLICY,
    referencePrice: d('95000000'),
    tickSize: d('1000'),
    recentTradedVolume: d('150'),
    bids: btc().bids,
    averageDailyTradedValue: d('500000000000'),
  };

  it('sends a small sale in one order, slices a bigger one, caps a large one per day', () => {
    expect(choosePolicyBySize({ ...market, plannedQuantity: d('0.1') })).toEqual({
      size: 'SMALL',
      needsApproval: false,
    });
    // 0.52 BTC is over one slice's 0.5 and, at 49,400,000 won, under the approval threshold.
    expect(choosePolicyBySize({ ...market, plannedQuantity: d('0.52') })).toEqual({
      size: 'SLICED',
      needsApproval: false,
    });
    // 100 BTC = 9.5 billion won: at least 1% of 500 billion a day, and above the approval threshold.
    expect(choosePolicyBySize({ ...market, plannedQuantity: d('100') })).toEqual({
      size: 'LARGE',
      needsApproval: true,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// nextSlice: properties

const sliceArb = fc.record({
  // Hundredths of a won: ₩1 to ₩200,000,000, or ₩100 to ₩5,000 where one order is many whole coins.
  reference: fc.oneof(fc.integer({ min: 100, max: 20_000_000_000 }), fc.integer({ min: 10_000, max: 500_000 })),
  tickChoice: fc.nat(),
  lot: fc.constantFrom('0.00000001', '0.0001', '1'),
  minOrder: fc.constantFrom('0', '5000'),
  bandBps: fc.integer({ min: 1, max: 500 }),
  participationBps: fc.integer({ min: 1, max: 10_000 }),
  depthShareBps: fc.integer({ min: 1, max: 10_000 }),
  dailyCapBps: fc.integer({ min: 1, max: 10_000 }),
  largeHoldingBps: fc.integer({ min: 0, max: 1_000 }),
  limitBps: fc.option(fc.integer({ min: -500, max: 50 }), { nil: undefined }), // taxpayer limit around the reference
  // The best bid near the reference (sometimes below the band), further levels stepping down.
  bestBidBps: fc.integer({ min: -150, max: 100 }),
  bids: fc.array(
    fc.record({ stepBps: fc.integer({ min: 0, max: 100 }), lots: fc.integer({ min: 0, max: 1_000_000 }) }),
    { minLength: 1, maxLength: 5 },
  ),
  remainingLots: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 10_000_000 })),
  offLot: fc.boolean(),
  plannedExtraLots: fc.integer({ min: 0, max: 10_000_000 }),
  soldTodayLots: fc.integer({ min: 0, max: 2_000_000 }),
  volumeLots: fc.integer({ min: 0, max: 100_000_000 }),
  // Or a participation cap of this percent of what remains: slices that would leave a small tail.
  capPercent: fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined }),
  adv: fc.integer({ min: 0, max: 1_000_000_000 }),
});

function sliceCase(s: typeof sliceArb extends fc.Arbitrary<infer T> ? T : never) {
  const reference = new Decimal(s.reference).div(100);
  // A tick at most 1% of the price, as on real markets.
  const ticks = ['1000', '1', '0.01'].map((t) => new Decimal(t)).filter((t) => t.lte(reference.div(100)));
  const tick = ticks[s.tickChoice % ticks.length]!;
  const lot = new Decimal(s.lot);
  const bps = (n: number) => new Decimal(n).div(10_000);
  const limit = s.limitBps === undefined ? undefined : reference.mul(bps(10_000 + s.limitBps));
  const policy = executionPolicy({
    priceBandBps: s.bandBps,
    participationBps: s.participationBps,
    depthShareBps: s.depthShareBps,
    dailyCapBps: s.dailyCapBps,
    largeHoldingBps: s.largeHoldingBps,
    ...(limit ? { taxpayerLimitPrice: limit } : {}),
  });
  let offset = s.bestBidBps;
  const bids: BookLevel[] = s.bids.map((b) => {
    offset -= b.stepBps;
    return { price: floorToStep(reference.mul(bps(10_000 + offset)), tick), size: lot.mul(b.lots) };
  });
  const remaining = lot.mul(s.remainingLots).add(s.offLot ? lot.div(3) : 0);
  // cap = volume × participation × (1 minute / 15 minutes), so volume = cap × 15 / participation.
  const volume =
    s.capPercent === undefined
      ? lot.mul(s.volumeLots)
      : remaining.mul(s.capPercent).div(100).mul(15).div(bps(s.participationBps));
  const input: SliceInput = {
    policy,
    now: NOW,
    remainingQuantity: remaining,
    referencePrice: reference,
    bids,
    tickSize: tick,
    lotSize: lot,
    minOrderKrw: new Decimal(s.minOrder),
    recentTradedVolume: volume,
    plannedTotalQuantity: remaining.add(lot.mul(s.plannedExtraLots)),
    soldTodayQuantity: lot.mul(s.soldTodayLots),
    averageDailyTradedValue: new Decimal(s.adv).mul(1000),
  };
  return { input, limit, policy };
}

describe('nextSlice: properties', () => {
  it('prices every slice on the tick, within the band, at or above the taxpayer limit, where a bid can take it', () => {
    fc.assert(
      fc.property(sliceArb, (s) => {
        const { input, limit, policy } = sliceCase(s);
        const slice = nextSlice(input);
        if (slice.action !== 'SELL') return;
        expect(slice.limitPrice.mod(input.tickSize).isZero()).toBe(true);
        expect(priceBandViolation(slice.limitPrice, input.referencePrice, policy)).toBe(false);
        if (limit) expect(slice.limitPrice.gte(limit)).toBe(true);
        expect(input.bids.some((b) => b.price.gte(slice.limitPrice))).toBe(true);
      }),
    );
  });

  it('never leaves a tail under one minimum order, however the caps fall', () => {
    // Whole-coin lots at ₩100 to ₩5,000: one order is 1 to 51 coins, and the participation cap
    // lands anywhere from none to more than the whole rest.
    const tailArb = fc.record({
      price: fc.integer({ min: 100, max: 5_000 }),
      remaining: fc.integer({ min: 1, max: 300 }),
      capPercent: fc.integer({ min: 1, max: 120 }),
    });
    fc.assert(
      fc.property(tailArb, ({ price, remaining, capPercent }) => {
        const rest = new Decimal(remaining);
        const input = btc({
          referencePrice: new Decimal(price),
          tickSize: d('1'),
          lotSize: d('1'),
          bids: [{ price: new Decimal(price), size: d('1000000') }],
          remainingQuantity: rest,
          plannedTotalQuantity: rest,
          recentTradedVolume: rest.mul(capPercent).div(100).mul(15).div('0.05'),
        });
        const slice = nextSlice(input);
        const floor = lowestAllowedPrice(input.referencePrice, input.tickSize, input.policy);
        if (slice.action === 'SELL') {
          const left = rest.sub(slice.quantity);
          expect(left.isZero() || left.mul(floor).gte(5_000)).toBe(true);
        } else {
          // Nothing sold: then the whole rest is worth less than one order even at the best bid.
          expect(slice).toEqual({ action: 'RELEASE_DUST', quantity: rest });
          expect(rest.mul(price).lt(5_000)).toBe(true);
        }
      }),
    );
  });

  it('sizes every slice on the lot, within what remains, as a valid order, leaving no dust behind', () => {
    fc.assert(
      fc.property(sliceArb, (s) => {
        const { input } = sliceCase(s);
        const slice = nextSlice(input);
        if (slice.action === 'DONE') expect(input.remainingQuantity.isZero()).toBe(true);
        if (slice.action === 'WAIT') expect(slice.resumeAt.getTime()).toBeGreaterThan(NOW.getTime());
        if (slice.action === 'RELEASE_DUST') {
          const best = input.bids.reduce((m, b) => Decimal.max(m, b.price), new Decimal(0));
          expect(
            floorToStep(input.remainingQuantity, input.lotSize).mul(best).lt(input.minOrderKrw) ||
              floorToStep(input.remainingQuantity, input.lotSize).isZero(),
          ).toBe(true);
        }
        if (slice.action !== 'SELL') return;
        expect(slice.quantity.gt(0)).toBe(true);
        expect(slice.quantity.lte(input.remainingQuantity)).toBe(true);
        expect(slice.quantity.mod(input.lotSize).isZero()).toBe(true);
        expect(slice.quantity.mul(slice.limitPrice).gte(input.minOrderKrw)).toBe(true);
        // What is left can still be sold as one order at the band's floor, or nothing sellable is left.
        const left = floorToStep(input.remainingQuantity.sub(slice.quantity), input.lotSize);
        const floor = lowestAllowedPrice(input.referencePrice, input.tickSize, input.policy);
        expect(left.isZero() || left.mul(floor).gte(input.minOrderKrw)).toBe(true);
        // Short of the dust rules, a slice never takes more than its share of the bids within the band.
        if (slice.binding !== 'WHOLE_REMAINDER' && slice.binding !== 'EXCHANGE_MINIMUM') {
          const depth = input.bids
            .filter((b) => b.price.gte(slice.limitPrice))
            .reduce((acc, b) => acc.add(b.size), new Decimal(0));
          expect(slice.quantity.lte(depth.mul(input.policy.depthShareBps).div(10_000))).toBe(true);
        }
      }),
    );
  });
});
