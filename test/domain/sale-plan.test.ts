import fc from 'fast-check';
import { Decimal, decimal, won, floorToStep, ceilToStep } from '#domain/money';
import type { Fill } from '#domain/case';
import {
  type PricedHolding,
  type SalePlan,
  InvalidSaleRequestError,
  deskQuantity,
  planSale,
  replan,
} from '#domain/sale-plan';

const LOT = '0.00000001';

function holding(
  market: string,
  over: Partial<Record<'quantity' | 'bid' | 'askFee' | 'lotSize' | 'minOrderKrw' | 'recentTradedValue', string>> & {
    cityRank?: number;
  } = {},
): PricedHolding {
  return {
    market,
    quantity: decimal(over.quantity ?? '1'),
    bid: decimal(over.bid ?? '95000000'),
    askFee: decimal(over.askFee ?? '0.0005'),
    lotSize: decimal(over.lotSize ?? LOT),
    minOrderKrw: decimal(over.minOrderKrw ?? '5000'),
    recentTradedValue: decimal(over.recentTradedValue ?? '0'),
    ...(over.cityRank === undefined ? {} : { cityRank: over.cityRank }),
  };
}

const legs = (plan: SalePlan) =>
  plan.legs.map((l) => `${l.market} ${l.quantity.toFixed()} ${l.expectedNetKrw.toFixed()}`);
const released = (plan: SalePlan) => plan.release.map((r) => `${r.market} ${r.quantity.toFixed()} ${r.reason}`);

describe('planSale: worked examples', () => {
  it('sells just enough BTC for the need, grossed up by the margin', () => {
    // need 10,000,000, margin 0.5%: target = ceil(10,000,000 / 0.995) = ceil(10,050,251.256...) = 10,050,252.
    // Net per BTC = 95,000,000 × (1 − 0.0005) = 94,952,500.
    // Quantity = 10,050,252 / 94,952,500 = 0.1058450488... -> up to the lot: 0.10584505.
    // Expected net = floor(0.10584505 × 94,952,500) = floor(10,050,252.110125) = 10,050,252.
    const plan = planSale({ need: won('10000000'), holdings: [holding('KRW-BTC')], margin: decimal('0.005') });
    expect(legs(plan)).toEqual(['KRW-BTC 0.10584505 10050252']);
    expect(released(plan)).toEqual(['KRW-BTC 0.89415495 SURPLUS']); // 1 − 0.10584505
    expect(plan.targetKrw.toFixed()).toBe('10050252');
    expect(plan.shortfallKrw.toFixed()).toBe('0');
  });

  it('uses the policy margin (none: the engine re-plans after every fill) when none is given', () => {
    // 10,000,000 / 94,952,500 = 0.10531581... -> up to the lot: 0.10531582; floor(0.10531582 × 94,952,500) = 10,000,000.
    expect(legs(planSale({ need: won('10000000'), holdings: [holding('KRW-BTC')] }))).toEqual([
      'KRW-BTC 0.10531582 10000000',
    ]);
  });

  it('sells the city-ranked coin first, then the most liquid, and releases what is not needed', () => {
    // target = ceil(1,000,000 / 0.995) = ceil(1,005,025.13) = 1,005,026.
    // ETH (rank 1): net per coin 5,000,000 × 0.9995 = 4,997,500; all 0.1 held -> 499,750; 505,276 to go.
    // BTC (most liquid): net per coin 99,950,000; 505,276 / 99,950,000 = 0.0050552876... -> 0.00505529,
    //   expected floor(505,276.2355) = 505,276. XRP is not needed.
    const plan = planSale({
      need: won('1000000'),
      margin: decimal('0.005'),
      holdings: [
        holding('KRW-XRP', { quantity: '1000', bid: '3000', recentTradedValue: '10000000000' }),
        holding('KRW-BTC', { bid: '100000000', recentTradedValue: '50000000000' }),
        holding('KRW-ETH', { quantity: '0.1', bid: '5000000', recentTradedValue: '1000000000', cityRank: 1 }),
      ],
    });
    expect(legs(plan)).toEqual(['KRW-ETH 0.1 499750', 'KRW-BTC 0.00505529 505276']);
    expect(released(plan)).toEqual(['KRW-BTC 0.99494471 SURPLUS', 'KRW-XRP 1000 SURPLUS']);
    expect(plan.shortfallKrw.toFixed()).toBe('0');
  });

  it('breaks liquidity ties by market code, so the plan is deterministic', () => {
    const plan = planSale({
      need: won('10000'),
      margin: decimal('0'),
      holdings: [
        holding('KRW-BBB', { bid: '1000', quantity: '100' }),
        holding('KRW-AAA', { bid: '1000', quantity: '100' }),
      ],
    });
    expect(plan.legs.map((l) => l.market)).toEqual(['KRW-AAA']);
  });

  it('sells everything and reports the shortfall when the holdings are not enough', () => {
    // BTC: 0.05 × 94,952,500 = 4,747,625. DOGE: 10 × 300 = 3,000 < 5,000 minimum: cannot be sold.
    // Shortfall = 10,000,000 − 4,747,625 = 5,252,375.
    const plan = planSale({
      need: won('10000000'),
      holdings: [holding('KRW-BTC', { quantity: '0.05' }), holding('KRW-DOGE', { quantity: '10', bid: '300' })],
    });
    expect(legs(plan)).toEqual(['KRW-BTC 0.05 4747625']);
    expect(released(plan)).toEqual(['KRW-DOGE 10 DUST']);
    expect(plan.shortfallKrw.toFixed()).toBe('5252375');
  });

  it('sells nothing and releases everything when nothing is needed', () => {
    const plan = planSale({
      need: won('0'),
      holdings: [holding('KRW-BTC'), holding('KRW-DOGE', { quantity: '10', bid: '300' })],
    });
    expect(plan.legs).toEqual([]);
    expect(released(plan)).toEqual(['KRW-BTC 1 SURPLUS', 'KRW-DOGE 10 DUST']);
    expect(plan.shortfallKrw.toFixed()).toBe('0');
  });

  it('raises a small leg to the exchange minimum', () => {
    // target = ceil(1,000 / 0.995) = 1,006, which would need only 0.0000106 BTC (₩1,007).
    // Smallest order: 5,000 / 95,000,000 = 0.0000526315... -> 0.00005264 (worth ₩5,000.80 gross).
    // Expected net = floor(0.00005264 × 94,952,500) = floor(4,998.2996) = 4,998.
    const plan = planSale({ need: won('1000'), holdings: [holding('KRW-BTC')], margin: decimal('0.005') });
    expect(legs(plan)).toEqual(['KRW-BTC 0.00005264 4998']);
    expect(released(plan)).toEqual(['KRW-BTC 0.99994736 SURPLUS']);
  });

  // A coin at ₩1,000, no fee, whole-coin lots: the smallest order is 5 coins (₩5,000).
  const coin = (quantity: string) => holding('KRW-AAA', { quantity, bid: '1000', askFee: '0', lotSize: '1' });

  it('sells a dust remainder with the leg when the overshoot stays within one minimum order', () => {
    // need 8,000 -> 8 coins, leaving 4 (₩4,000 < ₩5,000: dust). Selling all 12 overshoots by
    // 12,000 − 8,000 = 4,000 ≤ 5,000: sell all.
    const plan = planSale({ need: won('8000'), holdings: [coin('12')], margin: decimal('0') });
    expect(legs(plan)).toEqual(['KRW-AAA 12 12000']);
    expect(plan.release).toEqual([]);
  });

  it('releases a dust remainder when selling it would overshoot by more than one minimum order', () => {
    // need 1,000 -> 1 coin, raised to the minimum of 5, leaving 4 (dust). Selling all 9 would
    // overshoot by 9,000 − 1,000 = 8,000 > 5,000: sell 5, release 4 as dust.
    const plan = planSale({ need: won('1000'), holdings: [coin('9')], margin: decimal('0') });
    expect(legs(plan)).toEqual(['KRW-AAA 5 5000']);
    expect(released(plan)).toEqual(['KRW-AAA 4 DUST']);
  });

  it('releases a fraction finer than the exchange lot, which cannot be sold', () => {
    // 0.123456789 held (18-decimal chain), lot 0.00000001: 0.12345678 can go, 0.000000009 cannot.
    // 0.12345678 × 94,952,500 = 11,722,529.90295 -> expected 11,722,529; short 100,000,000 − that.
    const plan = planSale({ need: won('100000000'), holdings: [holding('KRW-BTC', { quantity: '0.123456789' })] });
    expect(legs(plan)).toEqual(['KRW-BTC 0.12345678 11722529']);
    expect(released(plan)).toEqual(['KRW-BTC 0.000000009 DUST']);
    expect(plan.shortfallKrw.toFixed()).toBe('88277471');
  });

  it('refuses a bad request', () => {
    const bad = [
      { need: won('-1'), holdings: [] },
      { need: new Decimal('10.5'), holdings: [] },
      { need: won('1'), holdings: [], margin: decimal('1') },
      { need: won('1'), holdings: [holding('KRW-BTC'), holding('KRW-BTC')] },
      { need: won('1'), holdings: [holding('KRW-BTC', { bid: '0' })] },
      { need: won('1'), holdings: [holding('KRW-BTC', { lotSize: '0' })] },
      { need: won('1'), holdings: [holding('KRW-BTC', { askFee: '1' })] },
    ];
    for (const request of bad) expect(() => planSale(request)).toThrow(InvalidSaleRequestError);
  });
});

describe('replan after fills', () => {
  it('plans the rest from the real proceeds and the reduced holding', () => {
    // 0.05 BTC filled for ₩4,702,351 gross, ₩2,350.5 fee: ₩4,700,000.5 (worse than the reference's 4,747,625).
    // New need = ceil(10,000,000 − 4,700,000.5) = 5,300,000; target = ceil(5,300,000 / 0.995)
    // = ceil(5,326,633.17) = 5,326,634; 5,326,634 / 94,952,500 = 0.0560978805... -> 0.05609789,
    // expected floor(5,326,634.900225) = 5,326,634. Left: 0.95 − 0.05609789 = 0.89390211.
    const request = { need: won('10000000'), holdings: [holding('KRW-BTC')], margin: decimal('0.005') };
    const plan = replan(request, [
      { market: 'KRW-BTC', quantity: decimal('0.05'), grossKrw: decimal('4702351'), feeKrw: decimal('2350.5') },
    ]);
    expect(legs(plan)).toEqual(['KRW-BTC 0.05609789 5326634']);
    expect(released(plan)).toEqual(['KRW-BTC 0.89390211 SURPLUS']);
  });

  it('stops once the proceeds cover the need, releasing the rest', () => {
    const request = { need: won('10000000'), holdings: [holding('KRW-BTC')] };
    const plan = replan(request, [
      { market: 'KRW-BTC', quantity: decimal('0.11'), grossKrw: decimal('10405000'), feeKrw: decimal('5000') },
    ]);
    expect(plan.legs).toEqual([]);
    expect(released(plan)).toEqual(['KRW-BTC 0.89 SURPLUS']);
  });

  it('refuses fills that do not match the holdings', () => {
    const request = { need: won('10000000'), holdings: [holding('KRW-BTC')] };
    expect(() =>
      replan(request, [{ market: 'KRW-ETH', quantity: decimal('1'), grossKrw: won('1'), feeKrw: won('0') }]),
    ).toThrow(InvalidSaleRequestError);
    expect(() =>
      replan(request, [{ market: 'KRW-BTC', quantity: decimal('1.5'), grossKrw: won('1'), feeKrw: won('0') }]),
    ).toThrow(InvalidSaleRequestError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const LOTS = ['0.00000001', '0.0001', '1'];
const holdingArb = fc.record({
  lot: fc.constantFrom(...LOTS),
  // Few lots too, so that minimum orders and dust come up often.
  lots: fc.oneof(
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 0, max: 20_000 }),
    fc.integer({ min: 0, max: 2_000_000 }),
  ),
  offLot: fc.integer({ min: 0, max: 9 }), // a finer fraction, as a longer chain's decimals leave
  bid: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 150_000_000 })),
  fee: fc.constantFrom('0', '0.0005', '0.0025'),
  minOrder: fc.constantFrom('0', '5000'),
  rank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  traded: fc.integer({ min: 0, max: 1_000_000 }),
});
// Holdings of zero to three minimum orders, where raising to the minimum and dust meet.
const smallHoldingArb = fc
  .record({
    bid: fc.integer({ min: 100, max: 5_000 }),
    orders: fc.integer({ min: 0, max: 300 }),
    fee: fc.constantFrom('0', '0.0005'),
    traded: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ bid, orders, fee, traded }) => ({
    lot: '1',
    lots: Math.floor((orders * Math.ceil(5_000 / bid)) / 100),
    offLot: 0,
    bid,
    fee,
    minOrder: '5000',
    rank: undefined,
    traded,
  }));
const requestArb = fc.record({
  specs: fc.array(fc.oneof(holdingArb, smallHoldingArb), { minLength: 1, maxLength: 4 }),
  needShare: fc.integer({ min: 0, max: 130 }), // percent of what the holdings can raise
  margin: fc.constantFrom('0', '0.005', '0.01', '0.1'),
});

type RequestInput = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function build({ specs, needShare, margin }: RequestInput) {
  const holdings: PricedHolding[] = specs.map((s, i) => {
    const lot = new Decimal(s.lot);
    return {
      market: `KRW-C${i}`,
      quantity: lot.mul(s.lots).add(lot.mul(s.offLot).div(10)),
      bid: new Decimal(s.bid),
      askFee: new Decimal(s.fee),
      lotSize: lot,
      minOrderKrw: new Decimal(s.minOrder),
      recentTradedValue: new Decimal(s.traded),
      ...(s.rank === undefined ? {} : { cityRank: s.rank }),
    };
  });
  // What each holding can raise on its own: all of it on the lot, if that is at least one order.
  const capacity = (h: PricedHolding) => {
    const sellable = floorToStep(h.quantity, h.lotSize);
    const ok = sellable.gt(0) && sellable.mul(h.bid).gte(h.minOrderKrw);
    return ok ? sellable.mul(h.bid).mul(new Decimal(1).sub(h.askFee)).floor() : new Decimal(0);
  };
  const total = holdings.reduce((acc, h) => acc.add(capacity(h)), new Decimal(0));
  const need = total.mul(needShare).div(100).floor();
  return { holdings, capacity, total, need, margin: new Decimal(margin) };
}

const byMarket = (holdings: PricedHolding[], market: string) => holdings.find((h) => h.market === market)!;

describe('planSale: properties', () => {
  it('never plans more than is held, sells on the lot and at least one order, releases all the rest', () => {
    fc.assert(
      fc.property(requestArb, (input) => {
        const { holdings, need, margin } = build(input);
        const plan = planSale({ need, holdings, margin });
        for (const h of holdings) {
          const leg = plan.legs.filter((l) => l.market === h.market);
          const out = plan.release.filter((r) => r.market === h.market);
          expect(leg.length).toBeLessThanOrEqual(1);
          const sold = leg[0]?.quantity ?? new Decimal(0);
          expect(sold.add(out[0]?.quantity ?? 0).eq(h.quantity)).toBe(true);
          if (leg[0]) {
            expect(sold.lte(h.quantity)).toBe(true);
            expect(sold.mod(h.lotSize).isZero()).toBe(true);
            expect(sold.gt(0) && sold.mul(h.bid).gte(h.minOrderKrw)).toBe(true);
          }
          for (const r of out) {
            // Released as DUST exactly when it could not be sold as one order on its own.
            const alone = floorToStep(r.quantity, h.lotSize);
            const dust = alone.isZero() || alone.mul(h.bid).lt(h.minOrderKrw);
            expect(r.reason).toBe(dust ? 'DUST' : 'SURPLUS');
          }
        }
      }),
    );
  });

  it('covers the need whenever the holdings can, and reports the shortfall otherwise', () => {
    fc.assert(
      fc.property(requestArb, (input) => {
        const { holdings, need, margin, total, capacity } = build(input);
        const plan = planSale({ need, holdings, margin });
        const raised = plan.legs.reduce((acc, l) => acc.add(l.expectedNetKrw), new Decimal(0));
        if (total.gte(need)) {
          expect(raised.gte(need)).toBe(true);
          expect(plan.shortfallKrw.isZero()).toBe(true);
        } else {
          expect(plan.shortfallKrw.eq(need.sub(raised))).toBe(true);
          for (const h of holdings) {
            if (capacity(h).gt(0))
              expect(
                plan.legs.find((l) => l.market === h.market)?.quantity.eq(floorToStep(h.quantity, h.lotSize)),
              ).toBe(true);
          }
        }
      }),
    );
  });

  it('overshoots the margined target by at most one smallest order of the last coin sold', () => {
    fc.assert(
      fc.property(requestArb, (input) => {
        const { holdings, need, margin } = build(input);
        const plan = planSale({ need, holdings, margin });
        const raised = plan.legs.reduce((acc, l) => acc.add(l.expectedNetKrw), new Decimal(0));
        const last = plan.legs.at(-1);
        if (!last) return;
        const h = byMarket(holdings, last.market);
        const smallest = Decimal.max(h.lotSize, ceilToStep(h.minOrderKrw.div(h.bid), h.lotSize));
        expect(raised.sub(plan.targetKrw).lte(smallest.mul(h.bid).mul(new Decimal(1).sub(h.askFee)))).toBe(true);
        // Every earlier leg sells its coin out: overshoot can only come from the last one.
        for (const leg of plan.legs.slice(0, -1)) {
          const held = byMarket(holdings, leg.market);
          expect(leg.quantity.eq(floorToStep(held.quantity, held.lotSize))).toBe(true);
        }
      }),
    );
  });

  it('sells ranked coins first, then the most liquid', () => {
    fc.assert(
      fc.property(requestArb, (input) => {
        const { holdings, need, margin } = build(input);
        const sold = planSale({ need, holdings, margin }).legs.map((l) => byMarket(holdings, l.market));
        for (let i = 1; i < sold.length; i++) {
          const [a, b] = [sold[i - 1]!, sold[i]!];
          const [ra, rb] = [a.cityRank ?? Infinity, b.cityRank ?? Infinity];
          expect(ra <= rb).toBe(true);
          if (ra === rb) expect(a.recentTradedValue.gte(b.recentTradedValue)).toBe(true);
        }
      }),
    );
  });

  it('re-planning after partial fills at worse prices ends with the need met or nothing sellable left', () => {
    const slipArb = fc.constantFrom('0', '0.002', '0.02');
    fc.assert(
      fc.property(
        requestArb,
        slipArb,
        fc.array(fc.integer({ min: 50, max: 100 }), { minLength: 128, maxLength: 128 }),
        (input, slip, shares) => {
          const { holdings, need, margin } = build(input);
          const request = { need, holdings, margin };
          const fills: Fill[] = [];
          let plan = planSale(request);
          for (const share of shares) {
            const leg = plan.legs[0];
            if (!leg) break;
            const h = byMarket(holdings, leg.market);
            // Fill part of the first leg, never leaving less than one order of it behind.
            const smallest = Decimal.max(h.lotSize, ceilToStep(h.minOrderKrw.div(h.bid), h.lotSize));
            let quantity = Decimal.max(smallest, floorToStep(leg.quantity.mul(share).div(100), h.lotSize));
            if (leg.quantity.sub(quantity).lt(smallest)) quantity = leg.quantity;
            const grossKrw = quantity.mul(h.bid).mul(new Decimal(1).sub(slip)); // exchanges credit fractions of a won
            fills.push({ market: leg.market, quantity, grossKrw, feeKrw: grossKrw.mul(h.askFee) });
            plan = replan(request, fills);
          }
          expect(plan.legs).toEqual([]); // the loop ended within the 128 fills
          const proceeds = fills.reduce((acc, f) => acc.add(f.grossKrw.sub(f.feeKrw)), new Decimal(0));
          for (const h of holdings) {
            const sold = fills
              .filter((f) => f.market === h.market)
              .reduce((acc, f) => acc.add(f.quantity), new Decimal(0));
            expect(sold.lte(h.quantity)).toBe(true);
          }
          if (proceeds.lt(need)) {
            // Short: then nothing that could still be sold is left.
            for (const r of plan.release) expect(r.reason).toBe('DUST');
          }
        },
      ),
    );
  });
});

describe('deskQuantity', () => {
  it('the leg; or, while the legs leave a shortfall, the dust of the market (a pooled order can sell it); nothing once covered', () => {
    // ₩3,000 of BTC at ₩29.2M: below the ₩5,000 minimum, so no leg.
    const dust = holding('KRW-BTC', { quantity: '0.00010183', bid: '29200000' });
    const owing = planSale({ need: won('1000000'), holdings: [dust] });
    expect(owing.legs).toHaveLength(0);
    expect(deskQuantity(owing, 'KRW-BTC').toFixed()).toBe('0.00010183');
    expect(deskQuantity(owing, 'KRW-ETH').toFixed()).toBe('0');
    const sellable = planSale({ need: won('1000000'), holdings: [holding('KRW-BTC', { quantity: '0.01' })] });
    expect(deskQuantity(sellable, 'KRW-BTC').toFixed()).toBe(sellable.legs[0]!.quantity.toFixed());
    // Covered by another coin's leg: the dust is not needed, it goes back.
    const covered = planSale({ need: won('10000'), holdings: [dust, holding('KRW-ETH', { bid: '5000000' })] });
    expect(covered.shortfallKrw.toFixed()).toBe('0');
    expect(deskQuantity(covered, 'KRW-BTC').toFixed()).toBe('0');
  });
});
