import {
  Decimal,
  won,
  decimal,
  wonString,
  floorWon,
  truncateUnder10Won,
  floorToStep,
  ceilToStep,
  sum,
  bps,
  InvalidAmountError,
} from '#domain/money';
import DecimalJs from 'decimal.js';

describe('money', () => {
  it("rounds half up, decimal.js's ROUND_HALF_UP (money.ts writes the constant's value)", () => {
    expect(Decimal.rounding).toBe(DecimalJs.ROUND_HALF_UP);
    expect(new Decimal('2.5').toDecimalPlaces(0).toString()).toBe('3');
    expect(new Decimal('-2.5').toDecimalPlaces(0).toString()).toBe('-3');
  });

  it('accepts whole won and rejects fractions, exponents and junk', () => {
    expect(wonString(won('1500000000'))).toBe('1500000000');
    expect(wonString(won(12n))).toBe('12');
    for (const bad of ['1.5', '1e3', '', 'abc', '1,000', ' 12 3']) {
      expect(() => won(bad)).toThrow(InvalidAmountError);
    }
  });

  it('keeps coin quantities exact beyond float precision', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floats; here it is exact.
    expect(decimal('0.1').add(decimal('0.2')).toFixed()).toBe('0.3');
    expect(decimal('0.000000000000000001').mul(3).toFixed()).toBe('0.000000000000000003');
    expect(() => decimal('-1')).toThrow(InvalidAmountError);
  });

  it('refuses to serialise a fractional won', () => {
    expect(() => wonString(new Decimal('10.5'))).toThrow(InvalidAmountError);
  });

  it('rounds money down to the won and, by city setting, under 10 won', () => {
    expect(floorWon(new Decimal('1234.99')).toFixed()).toBe('1234');
    expect(truncateUnder10Won(new Decimal('1239')).toFixed()).toBe('1230');
    expect(truncateUnder10Won(new Decimal('1230')).toFixed()).toBe('1230');
  });

  it('rounds quantities to the lot and prices to the tick', () => {
    expect(floorToStep(decimal('0.123456789'), decimal('0.00000001')).toFixed()).toBe('0.12345678');
    expect(ceilToStep(decimal('0.123456781'), decimal('0.00000001')).toFixed()).toBe('0.12345679');
    expect(floorToStep(decimal('95123456'), decimal('1000')).toFixed()).toBe('95123000');
    expect(ceilToStep(decimal('95123000'), decimal('1000')).toFixed()).toBe('95123000');
  });

  it('sums and converts basis points', () => {
    expect(sum([won('1'), won('2'), won('3')]).toFixed()).toBe('6');
    expect(bps(50).toFixed()).toBe('0.005');
  });
});
