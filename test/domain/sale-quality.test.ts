import fc from 'fast-check';
import {
  estimatedMarketVolume,
  inBps,
  InvalidSaleQualityInputError,
  marketQuality,
  qualityDetails,
  saleQuality,
  type MarketExecution,
} from '#domain/sale-quality';
import { Decimal, decimal, sum } from '#domain/money';

const d = (text: string) => decimal(text);

describe('sale quality, worked examples', () => {
  // Decided 0.02 BTC at an arrival mid of 100,000,000 (paper 2,000,000).
  // Sold 0.012 at 99,500,000 (gross 1,194,000) and 0.008 at 99,000,000 (792,000); fee 0.05%.
  const btc: MarketExecution = {
    market: 'KRW-BTC',
    arrivalMid: d('100000000'),
    decidedQuantity: d('0.02'),
    endMid: d('98000000'),
    marketVolume: d('4'),
    fills: [
      { quantity: d('0.012'), grossKrw: d('1194000'), feeKrw: d('597') },
      { quantity: d('0.008'), grossKrw: d('792000'), feeKrw: d('396') },
    ],
  };

  it('average price, arrival slippage, shortfall and participation of a fully sold leg', () => {
    const q = marketQuality(btc);
    expect(q.averagePrice?.toFixed()).toBe('99300000');
    // (100,000,000 - 99,300,000) / 100,000,000 = 70 bps.
    expect(q.arrivalSlippageBps?.toFixed()).toBe('70');
    // paper 2,000,000 - realised (1,986,000 - 993) = 14,993 won = 74.97 bps (slippage + 5 bps fee).
    expect(q.implementationShortfallKrw.toFixed()).toBe('14993');
    expect(q.implementationShortfallBps?.toFixed()).toBe('74.97');
    expect(q.participationBps?.toFixed()).toBe('50'); // 0.02 of 4
  });

  it('counts the unfilled part at the end price (opportunity cost), as Perold does', () => {
    const half: MarketExecution = { ...btc, fills: [btc.fills[0]!] };
    const q = saleQuality([half], d('0'));
    // execution 1,200,000 - 1,194,000 = 6,000; fee 597; opportunity 0.008 × 2,000,000 = 16,000.
    expect(q.executionCostKrw.toFixed()).toBe('6000');
    expect(q.opportunityCostKrw.toFixed()).toBe('16000');
    expect(q.implementationShortfallKrw.toFixed()).toBe('22597');
    expect(q.implementationShortfallBps?.toFixed()).toBe('112.99');
    // Had the price risen instead, waiting would have gained: a negative opportunity cost.
    expect(saleQuality([{ ...half, endMid: d('101000000') }], d('0')).opportunityCostKrw.toFixed()).toBe('-8000');
  });

  it('has no slippage or average without a fill, and no opportunity cost without a price move', () => {
    const q = saleQuality(
      [{ market: 'KRW-ETH', arrivalMid: d('4000000'), decidedQuantity: d('1'), fills: [] }],
      d('1000'),
    );
    expect(q.arrivalSlippageBps).toBeUndefined();
    expect(q.markets[0]?.averagePrice).toBeUndefined();
    expect(q.implementationShortfallKrw.toFixed()).toBe('0');
    expect(q.overshootKrw.toFixed()).toBe('0');
  });

  it('values a quantity sold beyond the arrival decision at the arrival price', () => {
    const more = marketQuality({
      market: 'KRW-XRP',
      arrivalMid: d('800'),
      decidedQuantity: d('100'),
      fills: [{ quantity: d('110'), grossKrw: d('87120'), feeKrw: d('43.56') }],
    });
    expect(more.implementationShortfallKrw.toFixed()).toBe(
      d('88000')
        .sub(d('87120').sub(d('43.56')))
        .toFixed(),
    );
  });

  it('measures the overshoot against what was owed, on net proceeds cut to the won', () => {
    const q = saleQuality([btc], d('1980000'));
    expect(q.overshootKrw.toFixed()).toBe('5007'); // floor(1,986,000 - 993) - 1,980,000
    expect(saleQuality([btc], d('3000000')).overshootKrw.toFixed()).toBe('0');
  });

  it('weights arrival slippage by value across markets', () => {
    const eth: MarketExecution = {
      market: 'KRW-ETH',
      arrivalMid: d('4000000'),
      decidedQuantity: d('0.5'),
      fills: [{ quantity: d('0.5'), grossKrw: d('1990000'), feeKrw: d('995') }],
    };
    const q = saleQuality([btc, eth], d('0'));
    // BTC: 2,000,000 at arrival for 1,986,000; ETH: 2,000,000 for 1,990,000 → 24,000 / 4,000,000 = 60 bps.
    expect(q.arrivalSlippageBps?.toFixed()).toBe('60');
  });

  it('flattens to strings for the audit trail', () => {
    const details = qualityDetails(saleQuality([btc], d('1980000')));
    expect(details).toMatchObject({
      'arrivalPrice:KRW-BTC': '100000000',
      'averagePrice:KRW-BTC': '99300000',
      'arrivalSlippageBps:KRW-BTC': '70.00',
      'participationBps:KRW-BTC': '50.00',
      implementationShortfallBps: '74.97',
      overshootKrw: '5007',
    });
    for (const v of Object.values(details)) expect(typeof v).toBe('string');
  });

  it('estimates market volume over the sale from the 24-hour pace, at least one minute', () => {
    expect(estimatedMarketVolume(d('1440'), 3_600_000).toFixed()).toBe('60');
    expect(estimatedMarketVolume(d('1440'), 0).toFixed()).toBe('1');
  });

  it('refuses impossible input', () => {
    expect(() => marketQuality({ ...btc, arrivalMid: d('0') })).toThrow(InvalidSaleQualityInputError);
    expect(() => marketQuality({ ...btc, decidedQuantity: new Decimal(-1) })).toThrow(InvalidSaleQualityInputError);
  });
});

describe('sale quality, properties', () => {
  const amount = (max: number) => fc.integer({ min: 1, max }).map((n) => new Decimal(n));
  it('shortfall = execution cost + fees + opportunity cost, and paper − realised', () => {
    fc.assert(
      fc.property(
        amount(10_000_000),
        fc.array(fc.tuple(amount(1000), amount(10_000_000)), { maxLength: 5 }),
        amount(2000),
        amount(20_000_000),
        (arrival, fills, decided, end) => {
          const m: MarketExecution = {
            market: 'KRW-X',
            arrivalMid: arrival,
            decidedQuantity: decided,
            endMid: end,
            fills: fills.map(([q, p]) => ({ quantity: q, grossKrw: q.mul(p), feeKrw: q.mul(p).mul('0.0005') })),
          };
          const q = saleQuality([m], new Decimal(0));
          expect(q.implementationShortfallKrw.eq(q.executionCostKrw.add(q.feeKrw).add(q.opportunityCostKrw))).toBe(
            true,
          );
          expect(q.implementationShortfallKrw.eq(q.paperValueKrw.sub(q.realisedKrw))).toBe(true);
          const sold = sum(m.fills.map((f) => f.quantity));
          if (sold.gt(0)) expect(q.markets[0]?.averagePrice?.eq(q.grossKrw.div(sold))).toBe(true);
        },
      ),
    );
  });

  it('bps are the ratio to two decimals', () => {
    expect(inBps(d('1'), d('3')).toFixed()).toBe('3333.33');
  });
});
